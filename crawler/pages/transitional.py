"""2012–2017 desktop template: h1#artibodyTitle, span.time-source, div.article#artibody."""

from __future__ import annotations

from crawler.items import Article, NotArticle
from crawler.pages import fields
from crawler.pages.context import Page, assemble, editor_from

TEMPLATE = "transitional"


def matches(page: Page) -> bool:
    return bool(page.sel.css("h1#artibodyTitle")) and bool(page.sel.css(".time-source"))


def _source(page: Page) -> str:
    linked = fields.first_text(page.sel, '.time-source [data-sudaclick="media_name"]', ".time-source a")
    if linked:
        return linked
    # Plain-text source: whatever follows the date inside .time-source.
    text = fields.first_text(page.sel, ".time-source")
    date = fields.parse_beijing_time(text)
    if date is None:
        return ""
    return text.split(f"{date:%H:%M}", 1)[-1].strip()


def parse(page: Page) -> Article | NotArticle:
    sel = page.sel
    body = sel.css("div#artibody")
    return assemble(
        page,
        template=TEMPLATE,
        title=fields.first_text(sel, "h1#artibodyTitle") or fields.meta(sel, "og:title"),
        body=body[0] if body else None,
        visible_date=fields.first_text(sel, ".time-source"),
        source=_source(page) or fields.meta(sel, "mediaid"),
        editor=editor_from(fields.first_text(sel, ".article-editor")),
        channel=fields.link_texts(next(iter(sel.css(".bread")), None)),
    )
