"""Mobile finance.sina.cn template: h1.art_tit_h1, time.art_time, .art_content."""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.items import Article, NotArticle
from crawler.pages import fields
from crawler.pages.context import Page, assemble, editor_in

TEMPLATE = "mobile"


def matches(page: Page) -> bool:
    host = urlsplit(page.url).hostname or ""
    return host.endswith("sina.cn") or bool(page.sel.css("h1.art_tit_h1, .art_content"))


def parse(page: Page) -> Article | NotArticle:
    sel = page.sel
    body = sel.css(".art_content")
    return assemble(
        page,
        template=TEMPLATE,
        title=fields.first_text(sel, "h1.art_tit_h1") or fields.meta(sel, "og:title"),
        body=body[0] if body else None,
        visible_date=fields.first_text(sel, "time.art_time"),
        source=fields.first_text(sel, "cite.art_cite", ".weibo_user") or fields.meta(sel, "mediaid"),
        editor=editor_in(body[0]) if body else None,
        channel=[],
    )
