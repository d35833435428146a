"""The real consumers of the posts, for every BODY_MODE: a crawl of the demo snapshot (the cron
command against a real mirror) read by a real Hexo 8 site (`hexo generate`, pages read from disk;
tests/test_browser.py reads the same pages in Chromium) and by python-frontmatter and PyYAML.

A blog publishes seed, clean or Markdown posts: each page must show its article as body text.
seed-exact (the reference's bytes, for diffing against the reference blog) is only counted: how
many pages Hexo shows partly as code, before (seed-exact) and after (seed, clean, markdown)."""

from __future__ import annotations

import frontmatter
import lxml.html
import pytest
import yaml

from tests.support.hexo import (
    ARTICLES,
    CATEGORIES,
    EXACT,
    EXTRA,
    MODES,
    Build,
    Dom,
    build,
    page_problems,
    shows_as_code,
)


@pytest.fixture(scope="module", params=MODES)
def hexo_build(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Build:
    return build(request.param, tmp_path_factory)


def check_generate(built: Build) -> dict:
    """The generate log is clean and there is one page per article: its title -> page file."""
    log = built.result.stdout + built.result.stderr
    assert built.result.returncode == 0, log
    assert not [line for line in log.splitlines() if "WARN" in line or "ERROR" in line or "FATAL" in line], log
    assert sorted(built.posts) == sorted(a.post for a in ARTICLES)
    pages = built.pages()
    assert sorted(pages) == sorted(a.title for a in ARTICLES)
    return pages


def test_hexo_generate_shows_every_article(hexo_build):
    pages = check_generate(hexo_build)
    problems = []
    for article in ARTICLES:
        path = pages[article.title]
        parts = path.relative_to(hexo_build.public).parts
        assert parts[:3] == tuple(article.day.split("-")), parts  # permalink :year/:month/:day/:title/
        html = path.read_text(encoding="utf-8")
        doc = lxml.html.document_fromstring(html)
        assert doc.xpath("string(//time[@class='post-date'])") == article.day
        assert [li.text_content() for li in doc.xpath("//ul[@class='post-categories']/li")] == CATEGORIES
        problems += [f"{article.post}: {problem}" for problem in page_problems(Dom.from_lxml(html), article,
                                                                               hexo_build.mode)]
    assert not problems, "\n".join(problems)


def pages_rendered_as_code(built: Build) -> list[str]:
    """The article pages of a build whose body shows (some of) the post inside <pre>/<code>."""
    pages = check_generate(built)
    return [a.post for a in ARTICLES if shows_as_code(Dom.from_lxml(pages[a.title].read_text(encoding="utf-8")))]


def test_no_page_is_rendered_as_code(tmp_path_factory):
    """Before (seed-exact, the reference's bytes) some pages show as code; after, in the modes a
    blog publishes, none. Run with -s for the counts."""
    before = pages_rendered_as_code(build(EXACT, tmp_path_factory))
    print("\npages rendered as code:", EXACT, len(before), "of", len(ARTICLES))
    after = {}
    for mode in MODES:
        after[mode] = pages_rendered_as_code(build(mode, tmp_path_factory))
        print("pages rendered as code:", mode, len(after[mode]), "of", len(ARTICLES))
    assert after == {mode: [] for mode in MODES}


@pytest.mark.parametrize("mode", [*MODES, EXACT])
def test_frontmatter_and_yaml_read_every_post(mode, tmp_path_factory):
    posts = build(mode, tmp_path_factory).posts
    assert sorted(posts) == sorted(a.post for a in ARTICLES)
    for article in ARTICLES:
        expected = {"title": article.title, "categories": CATEGORIES, "comments": False, "date": article.date,
                    "link": article.link, "doc_id": article.doc_id, "source": article.source}
        post = frontmatter.load(posts[article.post])
        assert {key: post.metadata.get(key) for key in expected} == expected
        assert post.content.startswith("<div>") == (mode != "markdown")
        lines = posts[article.post].read_text(encoding="utf-8").replace("&#123;", "{").replace("&#125;", "}").split("\n")
        start = lines.index("---")
        data = yaml.safe_load("\n".join(lines[start + 1:lines.index("---", start + 1)]))
        assert {key: data.get(key) for key in expected} == expected
        assert list(data)[-len(EXTRA):] == list(EXTRA)
