"""2006–2012 desktop template, GB2312: h1#artibodyTitle, #pub_date, #media_name, #artibody."""

from __future__ import annotations

from crawler.items import Article, NotArticle
from crawler.pages import fields
from crawler.pages.context import Page, assemble, editor_in

TEMPLATE = "classic"


def matches(page: Page) -> bool:
    # After transitional (which needs .time-source): any other #artibodyTitle page is classic;
    # a missing #pub_date falls back to the metas, the CMS comment and the URL date.
    return bool(page.sel.css("h1#artibodyTitle"))


def parse(page: Page) -> Article | NotArticle:
    sel = page.sel
    body = sel.css("#artibody")
    return assemble(
        page,
        template=TEMPLATE,
        title=fields.first_text(sel, "h1#artibodyTitle"),
        body=body[0] if body else None,
        visible_date=fields.first_text(sel, "#pub_date"),
        source=fields.first_text(sel, "#media_name"),
        author=fields.first_text(sel, "#author_ename"),
        editor=editor_in(sel),
        channel=fields.link_texts(next(iter(sel.css("#lo_links")), None)),
    )
