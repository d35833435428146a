"""The default body is one HTML block: Markdown cannot turn any of it into code or emphasis,
and only whitespace differs from the reference's exact bytes (seed-exact)."""

from __future__ import annotations

import re

import pytest
from lxml import etree
from lxml import html as lxml_html

from crawler.sina.pages import read_page
from pipelines.format import render_post
from pipelines.format.html_block import one_html_block
from tests.reference_posts import POSTS, SEED, read_reference
from tests.support.pages import fixture_pages

ARTICLES = {page.stem: read_page(page.url, page.body()) for page in fixture_pages() if page.is_article}
REFERENCES = {path.stem: read_reference(path).as_article() for path in [SEED, *sorted(POSTS.glob("*.md"))]}
ALL = {**ARTICLES, **REFERENCES}
OPENING, CLOSING = "\n---\n\n<div>   \n", "  \n</div>\n" + " " * 12


def body_of(post: str) -> str:
    return post.split(OPENING, 1)[1][: -len(CLOSING)]


def tree_and_text(body: str) -> tuple[list, str]:
    root = lxml_html.fragment_fromstring(body or "<div></div>", create_parent="div")
    shape = [(el.tag, sorted(el.attrib.items())) for el in root.iter() if isinstance(el.tag, str)]
    return shape, " ".join(root.text_content().split())


@pytest.mark.parametrize("name", sorted(ALL))
def test_the_default_body_differs_from_the_exact_one_only_in_whitespace(name):
    seed, exact = render_post(ALL[name]), render_post(ALL[name], "seed-exact")
    assert seed.split(OPENING)[0] == exact.split(OPENING)[0]  # the front matter too
    assert tree_and_text(body_of(seed)) == tree_and_text(body_of(exact))


@pytest.mark.parametrize("name", sorted(ALL))
@pytest.mark.parametrize("mode", ["seed", "clean"])
def test_no_blank_line_and_no_indented_line_in_the_body(name, mode):
    body = body_of(render_post(ALL[name], mode))
    outside = re.sub(r"<(pre|textarea)\b.*?</\1\s*>", "", body, flags=re.I | re.S)
    assert "\n\n" not in outside and not re.search(r"\n[ \t]*\n", outside)
    assert not re.search(r"^(?: {4}|\t)", outside, re.M)


def test_pre_and_textarea_keep_their_whitespace():
    html = "\n\n\t<p>a</p>\n\n    <pre>\n\n    code\n</pre>\n\n  <textarea>\n  x\n\n</textarea>"
    assert one_html_block(html) == "<p>a</p>\n<pre>\n\n    code\n</pre>\n<textarea>\n  x\n\n</textarea>"


def test_comments_and_styles_lose_blank_lines_too():
    html = "<style>\n\n  .a {}\n\n</style>\n\n<!-- x\n\n y -->"
    block = one_html_block(html)
    assert block == "<style>\n.a {}\n</style>\n<!-- x\ny -->"
    assert etree.tostring(lxml_html.fragment_fromstring(block, create_parent="div"))
