"""Last resort for article pages whose headline markup none of the dated templates knows:
the body container is there (#artibody / #article), the headline comes from og:title or
``<title>``, the date from the metas, the CMS comment or the URL."""

from __future__ import annotations

from crawler.items import Article, NotArticle
from crawler.pages import fields
from crawler.pages.context import Page, assemble, editor_in

TEMPLATE = "generic"


def matches(page: Page) -> bool:
    return bool(page.sel.css("#artibody, div#article"))


def parse(page: Page) -> Article | NotArticle:
    sel = page.sel
    body = sel.css("#artibody") or sel.css("div#article")
    title = fields.meta(sel, "og:title") or fields.strip_title_suffix(fields.first_text(sel, "title"))
    return assemble(
        page,
        template=TEMPLATE,
        title=title,
        body=body[0],
        visible_date=fields.first_text(sel, ".date", "#pub_date", ".time-source", "span.time"),
        source=fields.meta(sel, "mediaid") or fields.meta(sel, "article:author"),
        editor=editor_in(sel),
        channel=[],
    )
