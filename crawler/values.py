"""Value helpers every layer uses: Beijing time, text cleaning, URL joining, doc ids.

Framework-free and pure: page readers, the roll client, spiders and pipelines import these.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_SPACE = re.compile(r"[\s\u00a0\u3000]+")
# Everything YAML may not hold in a one-line scalar: C0/C1 controls, DEL, the YAML line breaks
# NEL/LS/PS, surrogates, BOM and non-characters.
UNPRINTABLE = re.compile("[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]+")
_CN_DATE = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(\d{1,2})\s*[:：]\s*(\d{2})(?:\s*[:：]\s*(\d{2}))?"
)
_NUM_DATE = re.compile(
    r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(Z|[+-]\d{2}:?\d{2})?"
)
_DOC_ID = re.compile(r"/(?:doc|detail|zl)-i([a-z0-9]+)(?:\.d)?\.s?html", re.I)


def clean_text(text: str | None) -> str:
    """Collapse every run of whitespace (NBSP and ideographic space included) to one space."""
    return _SPACE.sub(" ", text or "").strip()


def printable(text: str) -> str:
    """``text`` with every run of characters YAML cannot hold on one line made one space."""
    return UNPRINTABLE.sub(" ", text)


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


def epoch(value: object) -> datetime:
    """Unix seconds (str or int) as an aware Beijing datetime."""
    if isinstance(value, bool):
        raise TypeError("boolean is not a time")
    seconds = int(str(value).strip())
    if seconds <= 0:
        raise ValueError(f"bad epoch {value!r}")
    return datetime.fromtimestamp(seconds, SHANGHAI)


def absolute_url(url: str, base_url: str) -> str:
    """``url`` joined to ``base_url``; protocol-relative ``//host/…`` becomes ``https://host/…``."""
    url = url.strip()
    if url.startswith("//"):
        return "https:" + url
    return urljoin(base_url, url)


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
