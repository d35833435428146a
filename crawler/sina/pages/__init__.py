"""Framework-free page readers: ``read_page(url, body, headers)`` -> Article | NotArticle.

Routing is by what the page is first (portal, data page, soft 404), then by template
markers, newest template first. Nothing here imports Scrapy.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from urllib.parse import urlsplit

from crawler.items import Article, NotArticle
from crawler.sina.pages import legacy2005
from crawler.sina.pages.decode import decode_page
from crawler.sina.pages.indexed import IndexedSelector
from crawler.sina.pages.page import Page
from crawler.sina.pages.templates import CLASSIC, GENERIC, MOBILE, MODERN, TRANSITIONAL

# Newest first; legacy2005 (a table layout, read by code) before the generic last resort.
TEMPLATES = (MODERN, TRANSITIONAL, CLASSIC, MOBILE, legacy2005, GENERIC)
DATA_HOSTS = ("vip.stock.finance.sina.com.cn", "money.finance.sina.com.cn", "hq.sinajs.cn")
SOFT_404_MARKERS = ("页面没有找到", "您访问的页面不存在")

__all__ = ["Article", "NotArticle", "read_page"]


def read_page(url: str, body: bytes, headers: Mapping[str, str] | None = None) -> Article | NotArticle:
    refusal = _refuse_by_url(url)  # before decoding or parsing a page that cannot be an article
    if refusal:
        return NotArticle(url=url, reason=refusal[0], detail=refusal[1])
    text, encoding = decode_page(body, headers)
    utf8 = body if encoding == "utf-8" and not body.startswith(codecs.BOM_UTF8) else None
    page = Page(url=url, text=text, sel=IndexedSelector.document(text, url, utf8))
    if _soft_404(page):
        return page.not_article("soft_404", "page says it was not found")
    for template in TEMPLATES:
        if template.matches(page):
            return template.parse(page)
    return page.not_article("no_article_body", "no known article template matched")


def _refuse_by_url(url: str) -> tuple[str, str] | None:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host in DATA_HOSTS:
        return "data_page", f"{host} serves market data, not articles"
    if parts.path in ("", "/") or parts.path.rsplit("/", 1)[-1] in ("index.shtml", "index.html", "index.d.html"):
        return "portal_page", f"{host}{parts.path or '/'} is a front/list page"
    return None


def _soft_404(page: Page) -> bool:
    title = " ".join(page.sel.css("title::text").getall())
    head = page.text[:20000]
    return any(marker in title or marker in head for marker in SOFT_404_MARKERS) and not page.sel.css(
        "#artibody, #article, .art_content"
    )
