"""Sina's 7x24 live feed (快讯): the feed table, request URLs and reply parsing. Framework-free.

``https://zhibo.sina.com.cn/api/zhibo/feed?zhibo_id=152&page=1&page_size=20&tag_id=0&dire=f&dpc=1``
answers ``{"result": {"status": {"code": 0}, "data": {"feed": {"list": [...], "page_info":
{...}}}}}``, optionally as JSONP (sina-site.md §1.6). Items: ``id`` (int), ``create_time``
(``YYYY-MM-DD HH:MM:SS``, Beijing), ``rich_text`` (an HTML fragment), ``tag[]`` ``{id, name}``
and ``ext``, a JSON *string* holding ``docurl`` and ``stocks[]`` ``{market, symbol, key}``.

Public code disagrees on the page size (10 or 20) and on tag ids, so nothing here assumes
either: the client asks for ``PAGE_SIZE`` items and pages by what the reply holds
(``page_info.totalPage``, an empty list), and tag names are read from each item's ``tag[]``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import yaml

from crawler.sina.channels import read_table
from crawler.sina.roll import RollError, _json_or_jsonp
from crawler.sina.symbols import from_market
from crawler.values import parse_beijing_time

ZHIBO_HOST = "zhibo.sina.com.cn"
FEED_PATH = "/api/zhibo/feed"
PAGE_SIZE = 20  # what is asked for; the reply decides (RSSHub reports a cap of 10)
DEFAULT_FEEDS_FILE = Path(__file__).with_name("zhibo.yaml")


class FeedError(Exception):
    """A feed reply that cannot be used; ``reason`` is a short stable code for stats."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Feed:
    """One live feed of the feed table (``ZHIBO_FEEDS_FILE``)."""

    name: str
    title: str
    zhibo_id: int
    tag_id: int
    post_name: str  # the day post is ``<post_name> <YYYY-MM-DD>.md``, titled the same
    categories: tuple[str, str, str]
    default: bool = False


@dataclass(frozen=True)
class LiveEntry:
    """One item of the feed as the reply gives it (times aware, Beijing)."""

    item_id: int
    created: datetime
    html: str  # rich_text, an HTML fragment
    tags: tuple[str, ...] = ()
    tag_ids: tuple[int, ...] = ()
    docurl: str = ""
    stocks: tuple[str, ...] = ()


@dataclass
class FeedPage:
    entries: list[LiveEntry]
    total_pages: int | None
    skipped: list[str] = field(default_factory=list)  # why items could not be used


def feed_url(feed: Feed, page: int = 1, *, page_size: int = PAGE_SIZE) -> str:
    params = {"zhibo_id": feed.zhibo_id, "tag_id": feed.tag_id, "page": page, "page_size": page_size,
              "dire": "f", "dpc": 1}
    return f"https://{ZHIBO_HOST}{FEED_PATH}?{urlencode(params)}"


def parse_feed(body: bytes) -> FeedPage:
    """Parse one reply; raise FeedError when the reply as a whole is unusable."""
    try:
        reply = _json_or_jsonp(body.decode("utf-8-sig").strip())
    except UnicodeDecodeError as error:
        raise FeedError("feed_not_utf8", str(error)) from None
    except RollError as error:
        raise FeedError("feed_not_json", error.detail) from None
    result = reply.get("result") if isinstance(reply, dict) else None
    if not isinstance(result, dict):
        raise FeedError("feed_no_result", "reply has no result object")
    status = result.get("status")
    code = status.get("code") if isinstance(status, dict) else None
    if code not in (0, "0"):
        message = status.get("msg", "") if isinstance(status, dict) else ""
        raise FeedError("feed_status", f"status code {code!r} ({message})")
    feed = (result.get("data") or {}).get("feed") if isinstance(result.get("data"), dict) else None
    items = feed.get("list") if isinstance(feed, dict) else None
    if not isinstance(items, list):
        raise FeedError("feed_no_list", "result.data.feed.list is not a list")
    info = feed.get("page_info") if isinstance(feed.get("page_info"), dict) else {}
    entries, skipped = [], []
    for raw in items:
        try:
            entries.append(live_entry(raw))
        except (KeyError, TypeError, ValueError) as error:
            skipped.append(f"{type(error).__name__}: {error}")
    return FeedPage(entries, _int_or_none(info.get("totalPage")), skipped)


def live_entry(raw: object) -> LiveEntry:
    if not isinstance(raw, dict):
        raise TypeError("item is not an object")
    item_id = raw["id"]
    if isinstance(item_id, bool) or not str(item_id).strip().isdigit():
        raise ValueError(f"id {item_id!r} is not a number")
    created = parse_beijing_time(str(raw["create_time"]))
    if created is None:
        raise ValueError(f"create_time {raw['create_time']!r} is not a time")
    html = raw["rich_text"]
    if not isinstance(html, str) or not html.strip():
        raise ValueError(f"item {item_id}: rich_text is empty or not text")
    tags = [tag for tag in raw.get("tag") or [] if isinstance(tag, dict) and tag.get("name")]
    ext = _ext(raw.get("ext"))
    stocks = [stock for stock in ext.get("stocks") or [] if isinstance(stock, dict)]
    return LiveEntry(
        item_id=int(str(item_id)),
        created=created,
        html=html.strip(),
        tags=tuple(str(tag["name"]).strip() for tag in tags),
        tag_ids=tuple(int(tag["id"]) for tag in tags if str(tag.get("id", "")).isdigit()),
        docurl=str(ext.get("docurl") or raw.get("docurl") or "").strip(),
        stocks=tuple(dict.fromkeys(code for stock in stocks if (code := _stock_code(stock)))),
    )


def _stock_code(stock: dict) -> str | None:
    """An ``ext.stocks`` entry as a symbol (crawler.sina.symbols); the real reply's ``key`` is the
    company's name (福建水泥), so the code comes from ``market`` + ``symbol``; funds, FX and sector
    codes are no stock symbols."""
    return from_market(str(stock.get("market") or ""), str(stock.get("symbol") or ""))


def _ext(value: object) -> dict:
    """``ext`` is a JSON string (sometimes already an object); anything unreadable counts as empty."""
    if isinstance(value, dict):
        return value
    try:
        parsed = json.loads(value) if isinstance(value, str) and value.strip() else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _int_or_none(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def load_feeds(path: str | Path | None = None) -> dict[str, Feed]:
    """The feed table; ValueError naming the file and the feed when it is wrong."""
    path = Path(path) if path else DEFAULT_FEEDS_FILE
    try:
        raw = yaml.safe_load(read_table(path, DEFAULT_FEEDS_FILE))
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"cannot read feed file {path}: {error}") from None
    if not isinstance(raw, dict) or not raw:
        raise ValueError(f"{path}: expected a mapping of feed name -> settings")
    feeds = {}
    for name, spec in raw.items():
        try:
            categories = tuple(str(c) for c in spec["categories"])
            feeds[str(name)] = Feed(name=str(name), title=str(spec.get("title", name)),
                                    zhibo_id=int(spec["zhibo_id"]), tag_id=int(spec.get("tag_id", 0)),
                                    post_name=str(spec["post_name"]), categories=categories,  # type: ignore[arg-type]
                                    default=bool(spec.get("default", False)))
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{path}: feed {name!r} is missing or has a bad {error}") from None
        if len(categories) != 3 or not all(categories):
            raise ValueError(f"{path}: feed {name!r} needs exactly three non-empty categories")
    return feeds


def pick_feeds(feeds: dict[str, Feed], spec: str = "") -> list[Feed]:
    """``""`` -> the default ones; ``"all"`` -> every one; ``"a,b"`` -> those."""
    if not spec:
        return [f for f in feeds.values() if f.default] or list(feeds.values())[:1]
    if spec.strip() == "all":
        return list(feeds.values())
    names = [n.strip() for n in spec.split(",") if n.strip()]
    unknown = [n for n in names if n not in feeds]
    if not names or unknown:
        what = f"unknown feed(s) {', '.join(unknown)}" if unknown else "no feed name"
        raise ValueError(f"{what}; expected 'all' or a comma list of: {', '.join(feeds)}")
    return [feeds[n] for n in dict.fromkeys(names)]
