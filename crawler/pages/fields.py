"""Field readers shared by every template: text, dates, ids, metas, images, inner HTML."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from lxml import html as lxml_html
from parsel import Selector

SHANGHAI = ZoneInfo("Asia/Shanghai")

_SPACE = re.compile(r"[\s\u00a0\u3000]+")
_CN_DATE = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(\d{1,2})\s*[:：]\s*(\d{2})(?:\s*[:：]\s*(\d{2}))?"
)
_NUM_DATE = re.compile(
    r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(Z|[+-]\d{2}:?\d{2})?"
)
_PUBLISHED_AT_COMMENT = re.compile(r"published at (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})")
_URL_DATE = re.compile(r"/(\d{4})-?(\d{2})-?(\d{2})/")
_DOC_ID = re.compile(r"/(?:doc|detail|zl)-i([a-z0-9]+)(?:\.d)?\.s?html", re.I)


def clean_text(text: str | None) -> str:
    """Collapse every run of whitespace (NBSP and ideographic space included) to one space."""
    return _SPACE.sub(" ", text or "").strip()


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
    return first_text(sel, f'meta[name="{name}"]::attr(content)', f'meta[property="{name}"]::attr(content)')


def parse_beijing_time(text: str | None) -> datetime | None:
    """Read a Sina date string; naive times are Beijing time. None when there is no date."""
    if not text:
        return None
    text = clean_text(text)
    match = _CN_DATE.search(text)
    zone_text = None
    if not match:
        match = _NUM_DATE.search(text)
        if not match:
            return None
        zone_text = match.group(7)
    year, month, day = (int(match.group(i)) for i in (1, 2, 3))
    hour, minute, second = (int(match.group(i) or 0) for i in (4, 5, 6))
    try:
        value = datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)
    except ValueError:
        return None
    if zone_text:
        aware = datetime.fromisoformat(value.replace(tzinfo=None).isoformat() + _iso_zone(zone_text))
        return aware.astimezone(SHANGHAI)
    return value


def _iso_zone(zone: str) -> str:
    if zone == "Z":
        return "+00:00"
    return zone if ":" in zone else f"{zone[:3]}:{zone[3:]}"


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


def doc_id_from_url(url: str) -> str:
    """The article key: the 14-char ``doc-i`` id, ``uid/hex`` for cj/k pages, else the file stem."""
    parts = urlsplit(url)
    match = _DOC_ID.search(parts.path)
    if match:
        return match.group(1)
    host = parts.hostname or ""
    if host.endswith("cj.sina.com.cn") and "/articles/view/" in parts.path:
        return parts.path.split("/articles/view/", 1)[1].strip("/")
    stem = parts.path.rstrip("/").rsplit("/", 1)[-1]
    stem = stem.split(".", 1)[0]
    if host == "k.sina.com.cn" and stem.startswith("article_"):
        return stem.removeprefix("article_").replace("_", "/", 1)
    return stem


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


def absolute_url(src: str, base_url: str) -> str:
    src = src.strip()
    if src.startswith("//"):
        return "https:" + src
    return urljoin(base_url, src)


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
    """Inner HTML of an element: its text, then every child serialised with its tail."""
    root = container.root
    parts = [root.text or ""]
    parts += [lxml_html.tostring(child, encoding="unicode", with_tail=True) for child in root]
    return "".join(parts)


def strip_title_suffix(title: str) -> str:
    """``<title>`` is headline + optional ``|kw|kw`` + ``_频道_新浪网``; keep the headline."""
    return clean_text(re.split(r"[|_]", title, maxsplit=1)[0])
