"""The generated Hexo pages in a real browser: headless Chromium (Debian's `chromium`) opens each
article page of each body mode a blog publishes over file:// and dumps its DOM, which must show
the title, the date, the categories and the article as body text: its first and last sentence
(in clean and Markdown mode starting and ending the body), no markup shown as text, and no
<pre>/<code> the article did not have. The builds are tests/support/hexo.py's, shared with
test_consumers.py; seed-exact is not published, so not checked here."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from crawler.sina.pages import read_page
from pipelines.format import render_post
from tests.support.chromium import Chromium
from tests.support.hexo import ARTICLES, CATEGORIES, MODES, Build, Dom, build, hexo_generate, hexo_site, page_problems
from tests.test_page_text import OPENING, PAGE, TRICKY

# Offline and quiet: a throwaway profile, every host name unresolvable (the posts' Sina images
# fail, as they may), no background fetches.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--host-resolver-rules=MAP * ~NOTFOUND")


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("Chromium is not installed: `apt-get install -y chromium` (Debian's package; .ci/run does it)")
    return path


def dump_dom(chromium: str, page: Path) -> str:
    """The DOM Chromium builds for ``page``, serialised (`--dump-dom`)."""
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        result = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "</html>" in result.stdout, f"{page}: {result.returncode}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module", params=MODES)
def hexo_build(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Build:
    built = build(request.param, tmp_path_factory)
    assert built.result.returncode == 0, built.result.stdout + built.result.stderr
    return built


def test_chromium_shows_every_article_as_body_text(chromium, hexo_build):
    pages = hexo_build.pages()
    assert sorted(pages) == sorted(a.title for a in ARTICLES)
    with ThreadPoolExecutor(max_workers=2) as pool:  # the machine has 2 cores
        doms = dict(zip(ARTICLES, pool.map(lambda a: Dom.from_dump(dump_dom(chromium, pages[a.title])), ARTICLES),
                        strict=True))
    problems = []
    for article, dom in doms.items():
        shown = {part: "".join(text for text, path in dom.under(part).texts)
                 for part in ("h1.post-title", "time.post-date", "ul.post-categories")}
        assert shown["h1.post-title"] == article.title
        assert shown["time.post-date"] == article.day
        assert shown["ul.post-categories"] == "".join(CATEGORIES)
        problems += [f"{article.post}: {problem}" for problem in page_problems(dom, article, hexo_build.mode)]
    assert not problems, "\n".join(problems)


def test_chromium_shows_the_pages_own_text_in_every_mode(tmp_path):
    """The tricky texts of test_page_text.py in one real page, opened in Chromium next to its post
    in each published mode as Hexo builds them: between each pair of markers, ``innerText`` (what
    a reader sees) is the same."""
    probes = "".join(f"<p>【起{n}】{text}【止{n}】</p>" for n, text in enumerate(TRICKY.values()))
    body = PAGE.body().replace(OPENING, OPENING + probes.encode())
    (tmp_path / "page.html").write_bytes(body)
    article = read_page(PAGE.url, body, PAGE.headers)
    posts = {}
    for mode in MODES:
        article.title = f"探针{mode}"
        (tmp_path / f"{mode}.md").write_text(render_post(article, mode), encoding="utf-8")
        posts[f"{mode}.md"] = tmp_path / f"{mode}.md"
    site = hexo_site(tmp_path / "site")
    assert hexo_generate(site, posts).returncode == 0
    built = Build("all", posts, subprocess.CompletedProcess([], 0), site / "public").pages()
    browser = Chromium(tmp_path / "profile")
    try:
        on_page = browser.visit((tmp_path / "page.html").as_uri(), "#artibody", lambda url, kind: True).text
        shown = {mode: browser.visit(built[f"探针{mode}"].as_uri(), ".post-body", lambda url, kind: True).text
                 for mode in MODES}
    finally:
        browser.close()
    for n, text in enumerate(TRICKY.values()):
        expected = on_page.split(f"【起{n}】", 1)[1].split(f"【止{n}】", 1)[0]
        for mode in MODES:
            assert shown[mode].split(f"【起{n}】", 1)[1].split(f"【止{n}】", 1)[0] == expected, (mode, text)
