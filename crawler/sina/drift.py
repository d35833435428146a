"""Has Sina drifted from what the code reads? Checks of one roll reply, one article page and one
7x24 feed reply against the fields, types, times and templates the crawler relies on.

Framework-free and pure (the caller gives the time): each check returns a list of short
findings, empty when the reply is as expected. ``python -m crawler.doctor`` runs them live.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import lxml.html

from crawler.items import NotArticle
from crawler.sina.pages import read_page
from crawler.sina.roll import RollError, _json_or_jsonp
from crawler.values import parse_beijing_time

EARLIEST = 946684800  # 2000-01-01: Sina's oldest listed items are from 2005
MIN_BODY_CHARS = 150  # the shortest saved article body (a 2018 news flash) has 322
_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


@dataclass(frozen=True)
class Field:
    """A field the code reads: whether it must be there, and a check of its value (None when fine)."""

    required: bool
    check: Callable[[object, float], str | None]


def _text(value: object, _now: float) -> str | None:
    return None if isinstance(value, str) else f"{type(value).__name__} {value!r:.40} where text was"


def _filled(value: object, now: float) -> str | None:
    return _text(value, now) or (None if str(value).strip() else "empty")


def _link(value: object, now: float) -> str | None:
    return _text(value, now) or (None if str(value).startswith(("http://", "https://")) else f"{value!r:.60} "
                                 "is not an http(s) URL")


def _epoch(value: object, now: float) -> str | None:
    """Unix seconds as a number or a string of digits, between 2000 and a day from now."""
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdigit())):
        return f"{type(value).__name__} {value!r:.40} where a number was"
    if not EARLIEST <= int(value) <= now + 86400:
        return f"{value} is not a plausible time"
    return None


def _number(value: object, _now: float) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{type(value).__name__} {value!r:.40} where a number was"
    return None


def _beijing_time(value: object, now: float) -> str | None:
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        return f"{type(value).__name__} {value!r:.40} where 'YYYY-MM-DD HH:MM:SS' was"
    moment = parse_beijing_time(value)
    if moment is None or not EARLIEST <= moment.timestamp() <= now + 86400:
        return f"{value} is not a plausible time"
    return None


def _tags(value: object, _now: float) -> str | None:
    if not isinstance(value, list) or not all(isinstance(tag, dict) and "name" in tag for tag in value):
        return f"{type(value).__name__} {value!r:.40} where a list of {{id, name}} was"
    return None


def _ext(value: object, _now: float) -> str | None:
    try:
        parsed = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        return f"{type(value).__name__} {value!r:.40} where a JSON object in a string was"
    if not isinstance(parsed.get("stocks", []), list):
        return "stocks is not a list"
    return None


# What crawler.sina.roll reads of a roll item, and what crawler.sina.zhibo reads of a feed item.
ROLL_FIELDS = {
    "docid": Field(True, _filled), "url": Field(True, _link), "title": Field(True, _text),
    "ctime": Field(True, _epoch), "mtime": Field(False, _epoch), "intime": Field(False, _epoch),
    "media_name": Field(False, _text), "keywords": Field(False, _text), "intro": Field(False, _text),
}
FEED_FIELDS = {
    "id": Field(True, _number), "create_time": Field(True, _beijing_time), "rich_text": Field(True, _filled),
    "tag": Field(False, _tags), "ext": Field(False, _ext),
}


def _reply(body: bytes) -> tuple[dict | None, str | None]:
    try:
        value = _json_or_jsonp(body.decode("utf-8-sig").strip())
    except UnicodeDecodeError:
        return None, "reply is not UTF-8"
    except RollError as error:
        return None, f"reply is not JSON: {error.detail:.80}"
    result = value.get("result") if isinstance(value, dict) else None
    if not isinstance(result, dict):
        return None, "reply has no result object"
    status = result.get("status")
    code = status.get("code") if isinstance(status, dict) else None
    if code not in (0, "0"):
        message = status.get("msg", "") if isinstance(status, dict) else ""
        return None, f"result.status.code {code!r} ({message})"
    return result, None


def check_items(items: list, fields: Mapping[str, Field], where: str, now: float) -> list[str]:
    """One finding per field that is missing or wrong in any item, with how many items."""
    problems: dict[str, list[str]] = {}
    unknown: set[str] = set()
    objects = [item for item in items if isinstance(item, dict)]
    if len(objects) < len(items):
        problems.setdefault(f"{where}[] is not an object", []).append("")
    for item in objects:
        unknown.update(set(item) - set(fields))
        for name, field in fields.items():
            if name not in item:
                if field.required:
                    problems.setdefault(f"{where}[].{name} missing", []).append("")
                continue
            wrong = field.check(item[name], now)
            if wrong:
                problems.setdefault(f"{where}[].{name}: {wrong}", []).append("")
    found = [f"{what} ({len(hits)} of {len(items)} items)" for what, hits in problems.items()]
    if any(" missing " in f for f in found) and unknown:
        found.append(f"fields the code does not know: {', '.join(sorted(unknown))}")
    return found


def check_roll(status: int, body: bytes, now: float) -> tuple[list[str], str | None]:
    """Findings of roll page 1, and the URL of its newest usable item (for the article check)."""
    if status != 200:
        return [f"HTTP {status}"], None
    result, problem = _reply(body)
    if result is None:
        return [problem or "unusable"], None
    data = result.get("data")
    if not isinstance(data, list):
        return [f"result.data is {type(data).__name__}, not a list"], None
    if not data:
        return ["empty list: result.data has no item"], None
    found = check_items(data, ROLL_FIELDS, "data", now)
    if result.get("total") is not None and not str(result["total"]).isdigit():
        found.append(f"result.total: {result['total']!r:.40} is not a number")
    usable = [item for item in data if isinstance(item, dict) and not _epoch(item.get("ctime"), now)
              and not _link(item.get("url"), now)]
    newest = max(usable, key=lambda item: int(item["ctime"]), default=None)
    return found, newest["url"] if newest else None


def check_article(url: str, status: int, body: bytes, headers: Mapping[str, str]) -> list[str]:
    """Did the reader find title, time, source and a body of reasonable length, with a dated template?"""
    if status != 200:
        return [f"HTTP {status}"]
    article = read_page(url, body, headers)
    if isinstance(article, NotArticle):
        return [f"not read as an article: {article}"]
    found = []
    if not article.title.strip():
        found.append("no title")
    if article.published_at is None:
        found.append("no publish time")
    if not article.source:
        found.append("no source")
    text = lxml.html.fragment_fromstring(article.body_html or "<p></p>", create_parent="div").text_content()
    if len(text.strip()) < MIN_BODY_CHARS:
        found.append(f"body of {len(text.strip())} characters (< {MIN_BODY_CHARS})")
    if article.template == "generic":
        found.append("no dated template matched (read by the generic fallback)")
    return found


def check_feed(status: int, body: bytes, now: float) -> list[str]:
    """Findings of 7x24 feed page 1."""
    if status != 200:
        return [f"HTTP {status}"]
    result, problem = _reply(body)
    if result is None:
        return [problem or "unusable"]
    feed = result.get("data", {}).get("feed") if isinstance(result.get("data"), dict) else None
    items = feed.get("list") if isinstance(feed, dict) else None
    if not isinstance(items, list):
        return ["result.data.feed.list is not a list"]
    if not items:
        return ["empty list: result.data.feed.list has no item"]
    found = check_items(items, FEED_FIELDS, "list", now)
    info = feed.get("page_info")
    if not isinstance(info, dict) or not str(info.get("totalPage", "")).isdigit():
        found.append("page_info.totalPage is missing or not a number")
    return found


def newest_item_time(body: bytes, now: float) -> float | None:
    """The time (epoch) of the newest item of a roll page or a 7x24 feed page, from the items whose
    time reads; None when there is none (the page drifted, or lists nothing)."""
    result, _problem = _reply(body)
    data = result.get("data") if result is not None else None
    if isinstance(data, list):
        return max((float(int(item["ctime"])) for item in data
                    if isinstance(item, dict) and not _epoch(item.get("ctime"), now)), default=None)
    feed = data.get("feed") if isinstance(data, dict) else None
    items = feed.get("list") if isinstance(feed, dict) else None
    times = [parse_beijing_time(item["create_time"]) for item in items or []
             if isinstance(item, dict) and not _beijing_time(item.get("create_time"), now)]
    return max((moment.timestamp() for moment in times if moment is not None), default=None)
