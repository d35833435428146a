"""The indexed page selector answers every query exactly as parsel does, on every saved page."""

from __future__ import annotations

import pytest
from parsel import Selector

from crawler.pages import TEMPLATES, legacy2005
from crawler.pages.decode import decode_page
from crawler.pages.indexed import IndexedSelector
from tests.support.pages import fixture_pages


def template_queries() -> list[str]:
    queries = {"title", "td", "font", "td.l17", "#artibody", "th.f24", "#artibody, #article, .art_content", "a",
               "div p", "p span", "div.nothing-here", ".a.b", "#top_bar .date", "div#article p img"}
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
    indexed, plain = IndexedSelector(text=text), Selector(text=text)
    for query in template_queries():
        assert indexed.css(query).getall() == plain.css(query).getall(), query
        assert indexed.css(query).getall() == plain.css(query).getall(), f"{query} (from memory)"
    for name in ("keywords", "description", "og:title", "article:published_time", "weibo: article:create_at"):
        want = plain.css(f'meta[name="{name}"]::attr(content)').getall() + \
            plain.css(f'meta[property="{name}"]::attr(content)').getall()
        assert indexed.meta(name) == want, name
