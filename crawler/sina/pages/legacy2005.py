"""~2005 table template (GB2312): no #artibody; headline in th.f24, text in td.l17."""

from __future__ import annotations

import re

from parsel import Selector

from crawler.items import Article, NotArticle
from crawler.sina.pages import fields
from crawler.sina.pages.page import Page, assemble

TEMPLATE = "legacy2005"
_DATE_LINE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日\s*\d{1,2}:\d{2}")


def matches(page: Page) -> bool:
    return bool(page.sel.css("td.l17")) and not page.sel.css("#artibody")


def _date_cell(page: Page) -> Selector | None:
    """The cell whose own text is the dateline: ``http://www.sina.net 2005年03月21日 11:21 <font>《源》``."""
    for cell in page.sel.root.iter("td"):  # lxml directly: a Selector per cell costs more than the test
        own_text = " ".join(text for text in (cell.text, *(child.tail for child in cell)) if text)
        if _DATE_LINE.search(own_text):
            return Selector(root=cell, type="html")
    return None


def _body(page: Page) -> Selector | None:
    # An outer td.l17 wraps a layout table around the innermost td.l17 that holds the text.
    cells = [c for c in page.sel.css("td.l17") if not c.xpath(".//td[contains(@class, 'l17')]")]
    return cells[0] if cells else None


def _breadcrumb(page: Page) -> list[str]:
    for font in page.sel.css("font"):
        if "正文" in "".join(font.xpath("./text()").getall()) and font.css("a"):
            return fields.link_texts(font)
    return []


def parse(page: Page) -> Article | NotArticle:
    sel = page.sel
    date_cell = _date_cell(page)
    body = _body(page)
    return assemble(
        page,
        template=TEMPLATE,
        title=fields.first_text(sel, "th.f24") or fields.strip_title_suffix(fields.first_text(sel, "title")),
        body=body,
        visible_date=" ".join(date_cell.xpath("./text()").getall()) if date_cell is not None else "",
        source=fields.first_text(date_cell, "font") if date_cell is not None else None,
        editor=fields.editor_in(body, page.text) if body is not None else None,
        channel=_breadcrumb(page),
    )
