"""The indexed page selector answers every query exactly as parsel does, on every saved page."""

from __future__ import annotations

import pytest
from parsel import Selector

from crawler.sina.pages import TEMPLATES, legacy2005
from crawler.sina.pages.decode import decode_page
from crawler.sina.pages.indexed import IndexedSelector
from tests.support.pages import fixture_pages


def template_queries() -> list[str]:
    queries = {"title", "td", "font", "td.l17", "#artibody", "th.f24", "#artibody, #article, .art_content", "a",
               "div p", "p span", "div.nothing-here", ".a.b", "#top_bar .date", "div#article p img",
               "title::text", "#keywords::attr(data-wbkey)", ".keywords::attr(data-wbkey)", "p::text", "a::attr(href)",
               "div, p", "p, div", "img, a", "#artibody, p", "h1, .date-source, h1.main-title"}
    for template in TEMPLATES:
        if template is legacy2005:
            continue
        for field in (template.markers, template.title, template.body, template.date, template.source,
                      template.author, template.editor if isinstance(template.editor, tuple) else ()):
            queries.update(q for q in field if isinstance(q, str) and not q.startswith("meta:") and q != "<title>")
        if template.breadcrumb:
            queries.add(template.breadcrumb)
    return sorted(queries)


@pytest.mark.parametrize("page", fixture_pages(), ids=lambda p: p.stem)
def test_every_query_answers_as_parsel_does(page):
    text, _ = decode_page(page.body(), page.headers)
    indexed, plain = IndexedSelector.document(text, page.url), Selector(text=text)
    for query in template_queries():
        assert indexed.css(query).getall() == plain.css(query).getall(), query
        assert indexed.css(query).getall() == plain.css(query).getall(), f"{query} (from memory)"
    for name in ("keywords", "description", "og:title", "article:published_time", "weibo: article:create_at"):
        want = plain.css(f'meta[name="{name}"]::attr(content)').getall() + \
            plain.css(f'meta[property="{name}"]::attr(content)').getall()
        assert indexed.meta(name) == want, name


NESTED = """<html><head><title>t <!-- c --> after</title></head><body>
<div class="a b" id="x"><p class="b">one<span class="a">two</span> tail</p><h1 class="main-title">h</h1></div>
<div class="b"><h1>second</h1><p id="x" data-k="v">three</p></div></body></html>"""


@pytest.mark.parametrize("query", ["h1.main-title, div h1, .b", ".a, .b", "#x, p", "p, #x, span.a", "div .a, .b",
                                   "title::text", "#x::attr(data-k)", ".b::text", "div p::text"])
def test_groups_matching_several_parts_come_in_document_order_once(query):
    indexed, plain = IndexedSelector.document(NESTED), Selector(text=NESTED)
    assert indexed.css(query).getall() == plain.css(query).getall()
