"""The 个股资讯 list of one stock (sina-site.md §1.4): URLs and pages, framework-free.

``vip.stock.finance.sina.com.cn/corp/view/vCB_AllNewsStock.php?symbol=sh600519&Page=N`` lists a
company's news newest first, 40 rows a page, in ``div.datelist``: each row is
``YYYY-MM-DD HH:MM`` (Beijing, ``&nbsp;`` between) and ``<a href=…>title</a>``, rows separated by
``<br>``. A ``下一页`` link (in a right-floated div below the list) leads to the next page; the
last page has none. Live Sina serves the page as GB2312/GBK, declared in a ``<meta>`` only.

``read_list(body, headers, url)`` returns the rows of a page and whether a next page exists, or
raises ``ListError`` with a reason: ``no_list`` (no ``div.datelist``: not a news list page,
e.g. Sina's page for an unknown symbol) or ``bad_rows`` (a list whose rows carry no time).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import lxml.html

from crawler.sina.pages.decode import decode_page
from crawler.values import absolute_url, clean_text, doc_id_from_url, parse_beijing_time

LIST_HOST = "vip.stock.finance.sina.com.cn"
LIST_PATH = "/corp/view/vCB_AllNewsStock.php"
_ROW_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[\s\u00a0]+(\d{1,2}:\d{2})")
NEXT_PAGE = "下一页"


class ListError(ValueError):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


@dataclass(frozen=True)
class ListRow:
    """One row of a 个股资讯 list."""

    time: datetime  # aware, Beijing, to the minute
    url: str
    title: str

    @property
    def doc_id(self) -> str:
        return doc_id_from_url(self.url)


@dataclass(frozen=True)
class ListPage:
    rows: tuple[ListRow, ...]
    has_next: bool
    skipped: tuple[str, ...] = ()  # rows that could not be read, and why


def list_url(symbol: str, page: int = 1) -> str:
    return f"http://{LIST_HOST}{LIST_PATH}?symbol={symbol}&Page={page}"


def read_list(body: bytes, headers: Mapping[str, str] | None = None, url: str = "") -> ListPage:
    text, _ = decode_page(body, headers)
    try:
        root = lxml.html.document_fromstring(text)
    except (ValueError, lxml.etree.ParserError):
        raise ListError("no_list", "the page is empty or not HTML") from None
    lists = root.xpath('//div[contains(concat(" ", normalize-space(@class), " "), " datelist ")]')
    if not lists:
        raise ListError("no_list", "no div.datelist: not a 个股资讯 list page")
    rows, skipped = _rows(lists[0], url or list_url("", 1))
    if skipped and not rows:
        raise ListError("bad_rows", f"{len(skipped)} row(s), none with a time: {skipped[0]}")
    has_next = any(NEXT_PAGE in clean_text(link.text_content()) for link in root.iter("a"))
    return ListPage(tuple(rows), has_next, tuple(skipped))


def _rows(container: lxml.html.HtmlElement, base_url: str) -> tuple[list[ListRow], list[str]]:
    """Each link of the list with the time written before it (in the text since the previous row)."""
    rows: list[ListRow] = []
    skipped: list[str] = []
    before = ""
    for node in container.iter():
        if node is not container and node.tag == "a" and node.get("href"):
            title = clean_text(node.text_content())
            times = _ROW_TIME.findall(before)
            moment = parse_beijing_time(" ".join(times[-1])) if times else None
            if moment is None:
                skipped.append(f"no time before {title or node.get('href')!r}")
            elif title:
                rows.append(ListRow(moment, absolute_url(node.get("href"), base_url), title))
            before = node.tail or ""
            continue
        if node is container:
            before = node.text or ""
        elif not _inside_link(node, container):
            before += (node.text or "") + (node.tail or "")
    return rows, skipped


def _inside_link(node: lxml.html.HtmlElement, container: lxml.html.HtmlElement) -> bool:
    parent = node.getparent()
    while parent is not None and parent is not container:
        if parent.tag == "a":
            return True
        parent = parent.getparent()
    return False
