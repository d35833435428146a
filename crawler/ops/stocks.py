"""What the archive holds about one stock: its articles and 7x24 items, newest first, read from
the crawl state only (``python -m crawler.stocks``).

A SQLite state is opened read-only (never created, migrated or locked: it works beside a running
crawl, which it reads through its WAL); a Redis state is only read.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.sina.symbols import instrument_symbols
from crawler.store.state import SQLiteState, StateError, StateStore
from crawler.values import SHANGHAI, clean_text


@dataclass(frozen=True)
class Mention:
    """One article or 7x24 item about the symbol."""

    kind: str  # "article" or "7x24"
    time: str  # ISO 8601, +08:00: the article's publish time, the item's creation time
    title: str  # the article's title; the 7x24 item's text
    path: str  # its post file
    url: str | None  # the article's URL; the item's linked article, if any
    key: str  # the article's doc id; "<feed>:<item id>" for an item
    stocks: tuple[str, ...]


def open_state(state_path: Path | None, redis_url: str = "", prefix: str = "sina_finance") -> StateStore:
    """The state to read: Redis when ``redis_url`` is given, else the SQLite file (read-only).
    Raises StateError when there is none or it cannot be read."""
    if redis_url:
        from crawler.store.redis_state import RedisState, connect, shown

        server = connect(redis_url)
        try:
            exists = server.exists(f"{prefix}:state:schema")
        except Exception as error:  # redis.RedisError and connection errors alike
            raise StateError(f"Redis state at {shown(redis_url)} unusable: {error}") from None
        if not exists:
            raise StateError(f"no crawl state at {shown(redis_url)} under the prefix {prefix!r}")
        return RedisState(server, prefix, redis_url)
    if state_path is None or not state_path.is_file():
        raise StateError(f"no state file at {state_path}")
    return SQLiteState.read_only(state_path)


def mentions(state: StateStore, symbol: str, output_dir: Path, since: datetime | None = None) -> list[Mention]:
    """Every article and 7x24 item tagged with ``symbol``, newest first (at or after ``since``)."""
    found = [_article(record) for record in state.posts_about(symbol) if record.published]
    found += [_item(item, output_dir) for item in state.live_items()
              if symbol in instrument_symbols(item.get("stocks"))]
    if since is not None:
        found = [m for m in found if datetime.fromisoformat(m.time) >= since]
    return sorted(found, key=lambda m: (datetime.fromisoformat(m.time), m.key), reverse=True)


def about(state_path: Path | None, symbol: str, output_dir: Path, since: datetime | None = None,
          redis_url: str = "", prefix: str = "sina_finance") -> list[Mention]:
    state = open_state(state_path, redis_url, prefix)
    try:
        return mentions(state, symbol, output_dir, since)
    except sqlite3.DatabaseError as error:
        raise StateError(f"state database {state_path} cannot be read: {error}") from None
    finally:
        state.close()


def _article(record: Any) -> Mention:
    return Mention("article", record.published, record.title or "", record.path, record.url, record.doc_id or "",
                   tuple(record.stocks or ()))


def _item(item: dict, output_dir: Path) -> Mention:
    created = datetime.fromisoformat(item["created"]).astimezone(SHANGHAI)
    return Mention("7x24", created.isoformat(), clean_text(item.get("text") or ""), str(output_dir / item["path"]),
                   item.get("docurl") or None, f"{item['feed']}:{item['id']}", instrument_symbols(item.get("stocks")))


def as_text(found: list[Mention], width: int = 60) -> str:
    """One block per mention: time, kind and title, then the path and the URL, indented."""
    lines = []
    for m in found:
        title = m.title if len(m.title) <= width else m.title[: width - 1] + "…"
        lines.append(f"{m.time[:16].replace('T', ' ')}  {m.kind:<7}  {title}")
        lines.append(f"    {m.path}")
        if m.url:
            lines.append(f"    {m.url}")
    return "\n".join(lines) + ("\n" if lines else "")


def as_json_lines(found: list[Mention]) -> str:
    return "".join(json.dumps({**asdict(m), "stocks": list(m.stocks)}, ensure_ascii=False) + "\n" for m in found)
