"""Field readers shared by every template: texts, metas, dates, editors, images, inner HTML."""

from __future__ import annotations

import html
import re
from datetime import datetime
from urllib.parse import urlsplit

from lxml import html as lxml_html
from parsel import Selector

from crawler.sina.pages.indexed import IndexedSelector
from crawler.values import absolute_url, clean_text, parse_beijing_time

_PUBLISHED_AT_COMMENT = re.compile(r"published at (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})")
_URL_DATE = re.compile(r"/(\d{4})-?(\d{2})-?(\d{2})/")
_EDITOR = re.compile(r"责任编辑\s*[:：]\s*(.+)")


def first_text(sel: Selector, *queries: str) -> str:
    """The first non-empty cleaned text among CSS queries (``::attr(x)`` queries allowed)."""
    for query in queries:
        for node in sel.css(query):
            value = node.get() if "::attr" in query else " ".join(node.css("::text").getall())
            value = clean_text(value)
            if value:
                return value
    return ""


def meta(sel: Selector, name: str) -> str:
    """Content of ``<meta name=…>`` or ``<meta property=…>``, cleaned."""
    if isinstance(sel, IndexedSelector):
        return next((value for value in map(clean_text, sel.meta(name)) if value), "")
    return first_text(sel, f'meta[name="{name}"]::attr(content)', f'meta[property="{name}"]::attr(content)')


def published_at(sel: Selector, page_text: str, url: str, visible_date: str) -> datetime | None:
    """Publish time by the documented precedence.

    ``weibo: article:create_at`` (seconds, agrees with the visible date on every saved page),
    then the visible date, then ``article:published_time`` (sometimes hours late), then the
    CMS ``published at`` comment, then the date in the URL path.
    """
    candidates = [meta(sel, "weibo: article:create_at"), visible_date, meta(sel, "article:published_time")]
    comment = _PUBLISHED_AT_COMMENT.search(page_text[:2000])
    candidates.append(comment.group(1) if comment else "")
    for candidate in candidates:
        value = parse_beijing_time(candidate)
        if value:
            return value
    path_date = _URL_DATE.search(urlsplit(url).path)
    if path_date:
        return parse_beijing_time("-".join(path_date.groups()))
    return None


def keywords(sel: Selector) -> list[str]:
    raw = first_text(sel, "#keywords::attr(data-wbkey)", ".keywords::attr(data-wbkey)")
    raw = raw or meta(sel, "keywords") or meta(sel, "tags")
    return [word for word in (clean_text(w) for w in re.split(r"[,，]", raw)) if word]


def description(sel: Selector) -> str | None:
    return meta(sel, "description") or meta(sel, "og:description") or None


def link_texts(container: Selector | None) -> list[str]:
    """Texts of the links in a breadcrumb, in order, empty ones and a final 正文 dropped."""
    if container is None:
        return []
    texts = [clean_text(" ".join(a.css("::text").getall())) for a in container.css("a")]
    return [text for text in texts if text and text != "正文"]


_LAZY_ATTRS = ("data-src", "data-original", "real_src")


def image_urls(container: Selector, base_url: str) -> list[str]:
    """Absolute image URLs in the container, document order, no duplicates, comments ignored."""
    urls: list[str] = []
    for img in container.xpath(".//img"):
        src = img.attrib.get("src") or next((img.attrib[a] for a in _LAZY_ATTRS if img.attrib.get(a)), "")
        if not src or src.startswith("data:"):
            continue
        url = absolute_url(src, base_url)
        if url not in urls:
            urls.append(url)
    return urls


def inner_html(container: Selector) -> str:
    """Inner HTML of an element: its text, then every child serialised with its tail.

    lxml hands the element's own text back decoded, so it is escaped again here: an escaped
    ``&lt;script&gt;`` before the first child must stay text, as the children's tails do."""
    root = container.root
    parts = [html.escape(root.text or "", quote=False)]
    parts += [lxml_html.tostring(child, encoding="unicode", with_tail=True) for child in root]
    return "".join(parts)


def strip_title_suffix(title: str) -> str:
    """``<title>`` is headline + optional ``|kw|kw`` + ``_频道_新浪网``; keep the headline."""
    return clean_text(re.split(r"[|_]", title, maxsplit=1)[0])


def editor_from(text: str) -> str | None:
    """The name after 责任编辑： in a line of text."""
    match = _EDITOR.search(clean_text(text))
    return match.group(1).strip() if match else None


def editor_in(node: Selector, page_text: str) -> str | None:
    """The editor named by the first text node under ``node`` that holds 责任编辑; ``page_text``,
    the text the page's tree was parsed from, spares the scan of every text node when it cannot
    hold one (most pages before 2016 name no editor)."""
    if not _may_hold_editor_mark(page_text):
        return None
    for text in node.xpath(".//text()[contains(., '责任编辑')]").getall():
        editor = editor_from(text)
        if editor:
            return editor
    return None


# 责任编辑 written with a character reference for any of its characters: a text node holds it
# where the page's text does not.
_EDITOR_MARK_REFERENCE = re.compile(r"&#(?:x0*(?:8d23|4efb|7f16|8f91)|0*(?:36131|20219|32534|36753))", re.I)


def _may_hold_editor_mark(page_text: str) -> bool:
    return "责任编辑" in page_text or "\x00" in page_text or _EDITOR_MARK_REFERENCE.search(page_text) is not None
