"""2017+ desktop template (h1.main-title, .date-source, #artibody / #article); also cj/k self-media."""

from __future__ import annotations

from crawler.items import Article, NotArticle
from crawler.pages import fields
from crawler.pages.context import Page, assemble, editor_from

TEMPLATE = "modern"


def matches(page: Page) -> bool:
    return bool(page.sel.css("h1.main-title, div.main-content h1, .date-source"))


def parse(page: Page) -> Article | NotArticle:
    sel = page.sel
    body = sel.css("div#artibody") or sel.css("div#article")
    return assemble(
        page,
        template=TEMPLATE,
        title=fields.first_text(sel, "h1.main-title", "div.main-content h1")
        or fields.meta(sel, "og:title"),
        body=body[0] if body else None,
        visible_date=fields.first_text(sel, ".date-source span.date", "#top_bar .date", "span.date"),
        source=fields.first_text(sel, ".date-source .source", 'a[data-sudaclick="content_media_p"]')
        or fields.meta(sel, "mediaid")
        or fields.meta(sel, "article:author"),
        editor=editor_from(fields.first_text(sel, "p.article-editor", "p.show_author")),
        channel=fields.link_texts(next(iter(sel.css(".channel-path")), None)),
    )
