"""``RedisState``: the incremental state in Redis, for a crawl spread over several processes or
hosts (``-s REDIS_URL=redis://host:port/db``; ``crawler.distributed`` picks it).

It implements ``crawler.store.state.StateStore`` with the same rules as ``SQLiteState``; the keys
live under ``REDIS_KEY_PREFIX`` (default ``sina_finance``):

    <prefix>:state:schema        the layout version
    <prefix>:state:articles      hash doc id -> JSON of what is recorded of it
    <prefix>:state:paths         hash post path -> doc id (claimed before the file is written)
    <prefix>:state:adopted       hash post path -> JSON [title, day] of posts noted by the adopt command
    <prefix>:state:coverage      hash channel -> JSON {high_water, floor, gaps}
    <prefix>:state:live_items    hash "<feed>:<item id>" -> JSON of a 7x24 item written into its day post
    <prefix>:state:live_marks    hash feed -> the newest 7x24 item id listed and written

A Redis that cannot be reached, or answers an error, raises ``StateError`` with the URL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
from scrapy.crawler import Crawler

from crawler.store.coverage import Coverage, Gap
from crawler.store.manifest import PostRecord
from crawler.store.state import FORGOTTEN, CoverageMarks, KnownArticle, StateError

SCHEMA_VERSION = "1"
DEFAULT_PREFIX = "sina_finance"
# Every Redis call gives up after this many seconds: a crawl must not hang on a lost server.
SOCKET_TIMEOUT = 10


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def shown(url: str) -> str:
    """``url`` for logs and messages: a password in it is replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = f"{parts.username}:" if parts.username else ":"
    return urlunsplit(parts._replace(netloc=f"{user}***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")))


def connect(url: str) -> redis.Redis:
    """A client for ``url`` answering str, with timeouts (nothing is sent yet)."""
    return redis.Redis.from_url(url, decode_responses=True, socket_timeout=SOCKET_TIMEOUT,
                                socket_connect_timeout=SOCKET_TIMEOUT)


class RedisState(CoverageMarks):
    def __init__(self, server: redis.Redis, prefix: str = DEFAULT_PREFIX, url: str = "") -> None:
        self.server = server
        self.url = shown(url) if url else repr(server)
        base = f"{prefix}:state"
        self.articles_key, self.paths_key = f"{base}:articles", f"{base}:paths"
        self.adopted_key, self.coverage_key = f"{base}:adopted", f"{base}:coverage"
        self.schema_key = f"{base}:schema"
        self.live_items_key, self.live_marks_key = f"{base}:live_items", f"{base}:live_marks"
        self._call(self._check_schema)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisState:
        url = crawler.settings.get("REDIS_URL")
        if not url:
            raise StateError("RedisState needs REDIS_URL (redis://host:port/db)")
        return cls(connect(url), crawler.settings.get("REDIS_KEY_PREFIX") or DEFAULT_PREFIX, url)

    def _call(self, function: Any, *args: Any) -> Any:
        try:
            return function(*args)
        except redis.RedisError as error:
            raise StateError(f"Redis state at {self.url} unusable: {error}") from None

    def _check_schema(self) -> None:
        self.server.setnx(self.schema_key, SCHEMA_VERSION)
        found = self.server.get(self.schema_key)
        if found != SCHEMA_VERSION:
            raise StateError(f"Redis state at {self.url} has layout {found}, this crawler needs {SCHEMA_VERSION}")

    def close(self) -> None:
        self.server.close()

    # --- articles ------------------------------------------------------------------------------
    def _rows(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for doc_id, value in self._call(self.server.hgetall, self.articles_key).items():
            yield doc_id, json.loads(value)

    def _row(self, doc_id: str) -> dict[str, Any] | None:
        value = self._call(self.server.hget, self.articles_key, doc_id)
        return json.loads(value) if value is not None else None

    def known(self) -> dict[str, KnownArticle]:
        return {doc_id: _known(doc_id, row) for doc_id, row in self._rows() if row["status"] != FORGOTTEN}

    def path_of(self, doc_id: str) -> str | None:
        row = self._row(doc_id)
        return row["output_path"] if row else None

    def owner_of(self, output_path: str) -> str | None:
        return self._call(self.server.hget, self.paths_key, output_path)

    def claim(self, output_path: str, doc_id: str) -> bool:
        """Take ``output_path`` for ``doc_id`` before its file is written; False when another doc
        id has it (two processes never write two articles to one name)."""
        self._call(self.server.hsetnx, self.paths_key, output_path, doc_id)
        return self.owner_of(output_path) == doc_id

    def article(self, doc_id: str) -> KnownArticle | None:
        row = self._row(doc_id)
        return _known(doc_id, row) if row else None

    def adopt(self, output_path: str, title: str, day: str) -> None:
        self._call(self.server.hset, self.adopted_key, output_path, json.dumps([title, day], ensure_ascii=False))

    def adopted(self, output_path: str) -> tuple[str, str] | None:
        value = self._call(self.server.hget, self.adopted_key, output_path)
        if value is None:
            return None
        title, day = json.loads(value)
        return title, day

    def paths(self) -> Iterator[tuple[str, str]]:
        yield from sorted((row["output_path"], doc_id) for doc_id, row in self._rows())

    def record(self, doc_id: str, url: str, output_path: str, content_hash: str, mtime: int | None,
               status: str, channel: str | None = None, *, title: str | None = None,
               published: str | None = None, source: str | None = None,
               categories: Sequence[str] | None = None, body_mode: str | None = None,
               stocks: Sequence[str] | None = None) -> None:
        now = _now()
        old = self._row(doc_id) or {}
        tagged = list(dict.fromkeys([*(stocks or []), *(old.get("stocks") or [])]))
        same_bytes = old.get("content_hash") == content_hash and old.get("output_path") == output_path
        row = {
            "url": url, "output_path": output_path, "content_hash": content_hash, "mtime": mtime,
            "first_seen": old.get("first_seen", now), "last_seen": now, "status": status,
            "channel": old.get("channel") or channel,
            "title": title if title is not None else old.get("title"),
            "published": published if published is not None else old.get("published"),
            "source": source if title is not None else old.get("source"),
            "categories": list(categories) if categories is not None else old.get("categories"),
            "body_mode": body_mode if body_mode is not None else old.get("body_mode"),
            "last_written": (old.get("last_written") or now) if same_bytes else now,
            "stocks": tagged if stocks is not None or old.get("stocks") else None,
        }
        pipe = self.server.pipeline(transaction=True)
        pipe.hset(self.articles_key, doc_id, json.dumps(row, ensure_ascii=False))
        pipe.hset(self.paths_key, output_path, doc_id)
        if old.get("output_path") not in (None, output_path):
            pipe.hdel(self.paths_key, old["output_path"])
        pipe.hdel(self.adopted_key, output_path)
        self._call(pipe.execute)

    def add_stocks(self, doc_id: str, symbols: Sequence[str]) -> None:
        # One step on the server: another process may record the same article meanwhile.
        self._call(self.server.eval, _ADD_STOCKS, 1, self.articles_key, doc_id, json.dumps(list(symbols)))

    def posts_about(self, symbol: str) -> list[PostRecord]:
        return [_post_record(doc_id, row) for doc_id, row in self._rows() if symbol in (row.get("stocks") or ())]

    def posts(self) -> Iterator[PostRecord]:
        rows = sorted(self._rows(), key=lambda pair: (pair[1]["output_path"], pair[0]))
        yield from (_post_record(doc_id, row) for doc_id, row in rows)

    def post(self, doc_id: str) -> PostRecord | None:
        row = self._row(doc_id)
        return _post_record(doc_id, row) if row else None

    # --- channels ------------------------------------------------------------------------------
    def coverage(self, channel: str) -> Coverage:
        value = self._call(self.server.hget, self.coverage_key, channel)
        if value is None:
            return Coverage(None, None, gaps=[])
        data = json.loads(value)
        return Coverage(data["high_water"], data["floor"], gaps=[Gap(*gap) for gap in data["gaps"]])

    def save_coverage(self, channel: str, coverage: Coverage) -> None:
        old = self.coverage(channel)
        data = {"high_water": old.high_water, "floor": old.floor}
        if coverage.high_water is not None:  # as in SQLite: the mark never moves back
            data = {"high_water": max(coverage.high_water, old.high_water or coverage.high_water),
                    "floor": coverage.floor}
        data["gaps"] = sorted(([gap.cursor, gap.floor] for gap in coverage.gaps), reverse=True)
        data["updated"] = _now()
        self._call(self.server.hset, self.coverage_key, channel, json.dumps(data))

    def channel_stats(self) -> dict[str, tuple[int | None, int]]:
        stored = self._call(self.server.hgetall, self.coverage_key).items()
        marks = {channel: mark for channel, value in stored if (mark := json.loads(value)["high_water"]) is not None}
        counts: dict[str, int] = {}
        for _doc_id, row in self._rows():
            if row.get("channel"):
                counts[row["channel"]] = counts.get(row["channel"], 0) + 1
        return {channel: (marks.get(channel), counts.get(channel, 0)) for channel in sorted(marks | counts)}

    def reset(self) -> None:
        rows = dict(self._rows())
        pipe = self.server.pipeline(transaction=True)
        for doc_id, row in rows.items():
            pipe.hset(self.articles_key, doc_id, json.dumps({**row, "mtime": None, "status": FORGOTTEN},
                                                            ensure_ascii=False))
        pipe.delete(self.coverage_key)
        self._call(pipe.execute)

    # --- the 7x24 live feed ----------------------------------------------------------------------
    def live_items(self, feed: str | None = None, day: str | None = None) -> list[dict]:
        items = [json.loads(value) for value in self._call(self.server.hvals, self.live_items_key)]
        items = [item for item in items
                 if (feed is None or item["feed"] == feed) and (day is None or item["day"] == day)]
        return sorted(items, key=lambda item: (item["feed"], item["created"], int(item["id"])))

    def record_live_items(self, feed: str, items: Sequence[dict]) -> None:
        if not items:
            return
        values = {f"{feed}:{int(item['id'])}": json.dumps({"feed": feed, **item}, ensure_ascii=False, sort_keys=True)
                  for item in items}
        self._call(self.server.hset, self.live_items_key, None, None, values)

    def live_mark(self, feed: str) -> int | None:
        value = self._call(self.server.hget, self.live_marks_key, feed)
        return int(value) if value is not None else None

    def set_live_mark(self, feed: str, item_id: int) -> None:
        # Forward only, in one step on the server (several processes may set it).
        self._call(self.server.eval, _MAX_MARK, 1, self.live_marks_key, feed, int(item_id))


_ADD_STOCKS = """
local row = redis.call('HGET', KEYS[1], ARGV[1])
if not row then return 0 end
local data = cjson.decode(row)
local stocks = data['stocks']
if type(stocks) ~= 'table' then stocks = {} end
local have, changed = {}, false
for _, code in ipairs(stocks) do have[code] = true end
for _, code in ipairs(cjson.decode(ARGV[2])) do
  if not have[code] then table.insert(stocks, code); have[code] = true; changed = true end
end
if changed then
  data['stocks'] = stocks
  redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(data))
end
return 1
"""
_MAX_MARK = """
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current or tonumber(current) < tonumber(ARGV[2]) then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
"""


def _known(doc_id: str, row: dict[str, Any]) -> KnownArticle:
    return KnownArticle(doc_id, row["output_path"], row["content_hash"], row["mtime"], row["status"], row["channel"])


def _post_record(doc_id: str, row: dict[str, Any]) -> PostRecord:
    categories = row.get("categories")
    return PostRecord(path=row["output_path"], doc_id=doc_id, url=row["url"], title=row.get("title"),
                      published=row.get("published"), source=row.get("source"), channel=row.get("channel"),
                      categories=tuple(categories) if categories else None, body_mode=row.get("body_mode"),
                      sha256=row["content_hash"] or None, first_written=row["first_seen"],
                      last_written=row.get("last_written"),
                      stocks=tuple(row["stocks"]) if row.get("stocks") is not None else None)
