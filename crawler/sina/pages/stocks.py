"""The stocks an article is about, read from its own container (sina-site.md §2.3).

Sina marks a company in a body as ``<span id="stock_sh600016"><a href="…/realstock/company/
sh600016/nc.shtml">民生银行</a></span><span id="quote_sh600016"></span>``, links a quote chart
of the main stock (``ct_hqimg``), and from 2011 to 2016 writes ``<!-- news_keyword_pub,stock,
sh601398&sh601166&… -->`` at the end of the body. Only the article container counts: sidebars,
"related stocks" widgets and market tickers around it are page furniture, not mentions.
"""

from __future__ import annotations

import re

from parsel import Selector

from crawler.sina.symbols import normalise

# Quote pages of one stock: A-share, HK and US, old and new hosts.
_QUOTE_LINK = re.compile(
    r"realstock/company/([a-z]{2}\d{6})/|hkstock/quotes/(\d{5})\.html|usstock/quotes/([A-Za-z][\w.\-]*)\.html", re.I)
_SPAN_ID = re.compile(r"stock_((?:sh|sz|bj)\d{6}|hk\d{5}|gb_[a-z][\w.\-]*|us[a-z][\w.\-]*)$", re.I)
_KEYWORD_PUB = re.compile(r"<!--\s*news_keyword_pub,stock,([^>]*?)\s*-->")


def stock_mentions(body: Selector, page_text: str) -> list[str]:
    """Symbols in order of first mention: the body's stock spans and quote links, then the
    ``news_keyword_pub`` comment of the page; each once."""
    found: list[str] = []
    for node in body.xpath(".//span[starts-with(@id, 'stock_')] | .//a[@href]"):
        found.append(_span_symbol(node.attrib.get("id", "")) if node.root.tag == "span"
                     else _link_symbol(node.attrib.get("href", "")))
    for match in _KEYWORD_PUB.finditer(page_text):
        found += [normalise(code) for code in match.group(1).split("&")]
    return list(dict.fromkeys(code for code in found if code))


def _span_symbol(element_id: str) -> str | None:
    match = _SPAN_ID.match(element_id)
    return normalise(match.group(1)) if match else None


def _link_symbol(href: str) -> str | None:
    match = _QUOTE_LINK.search(href)
    if not match:
        return None
    a_share, hk, us = match.groups()
    return normalise(a_share or (f"hk{hk}" if hk else f"us{us}"))
