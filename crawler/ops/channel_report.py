"""The channel report behind ``python -m crawler.channels``: each channel's and feed's row, with
what the state knows (newest item, article count) and the latest run's health."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import datetime
from pathlib import Path

from crawler.sina.channels import Channel
from crawler.sina.zhibo import Feed
from crawler.store.state import SQLiteState
from crawler.values import SHANGHAI

ChannelStats = dict[str, tuple[int | None, int]]


def read_stats(path: Path) -> ChannelStats:
    """``SQLiteState.channel_stats()`` through a read-only connection. A state closed cleanly has
    no ``-wal`` file: read it as immutable, which leaves no ``-wal``/``-shm`` files behind; while
    a crawl runs (or after a crash) read it with its WAL."""
    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() else "immutable=1"
    db = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
    try:
        state = SQLiteState.__new__(SQLiteState)  # not __init__: that creates and migrates
        state.path, state.db = path, db
        return state.channel_stats()
    finally:
        db.close()


def read_health(runs: Path) -> dict[str, tuple[dict, str | None]]:
    """channel -> (its ``channel_health`` entry, what was wrong with it or None: ``problem_of``)
    from the newest run summary in ``runs`` that lists the channel."""
    summaries = []
    for path in runs.glob("*.json") if runs.is_dir() else ():
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(summary, dict) and isinstance(summary.get("channel_health"), dict):
            summaries.append(summary)
    health: dict[str, tuple[dict, str | None]] = {}
    for summary in sorted(summaries, key=lambda s: str(s.get("started") or s.get("finished")), reverse=True):
        for channel, seen in summary["channel_health"].items():
            health.setdefault(channel, (seen, problem_of(summary, channel)))
    return health


def problem_of(summary: dict, channel: str) -> str | None:
    """``UNREACHABLE: …``, ``DRIFTED: …`` or ``STALE: …`` for a channel in a run summary, or None."""
    for key, word in (("unreachable", "UNREACHABLE"), ("drifted", "DRIFTED"), ("stale_channels", "STALE")):
        why = (summary.get(key) or {}).get(channel)
        if why:
            return f"{word}: {why}"
    return None


def health_cells(health: dict[str, tuple[dict, str | None]], name: str) -> list[str]:
    if name not in health:
        return ["-", "-"]
    seen, stale = health[name]
    return [str(seen.get("listed", 0)), stale or "ok"]


def age(seconds: float) -> str:
    if seconds < 3600:
        return f"{max(0, int(seconds // 60))} min"
    if seconds < 48 * 3600:
        return f"{int(seconds // 3600)} h"
    return f"{int(seconds // 86400)} days"


def newest(high_water: int | None, now: float) -> str:
    if high_water is None:
        return "-"
    moment = datetime.fromtimestamp(high_water, SHANGHAI)
    return f"{moment:%Y-%m-%d %H:%M} ({age(now - high_water)} ago)"


def report_rows(channels: dict[str, Channel], feeds: dict[str, Feed], stock_rows: dict[str, Channel],
                stats: ChannelStats | None, health: dict[str, tuple[dict, str | None]]) -> list[list[str]]:
    """The table: a header, then one row per channel, per feed and for the per-stock news."""
    header = ["channel", "title", "pageid/lid", "categories", "default"]
    rows = [header + (["newest item", "articles"] if stats is not None else [])
            + (["listed", "health"] if health else [])]
    now = time.time()
    for channel in channels.values():
        row = [channel.name, channel.title, f"{channel.pageid}/{channel.lid}", " / ".join(channel.categories),
               "yes" if channel.default else ""]
        if stats is not None:
            high_water, count = stats.get(channel.name, (None, 0))
            row += [newest(high_water, now), str(count)]
        rows.append(row + (health_cells(health, channel.name) if health else []))
    for feed in feeds.values():
        row = [feed.name, f"7x24 {feed.title}", f"zhibo {feed.zhibo_id}", " / ".join(feed.categories),
               "yes" if feed.default else ""]
        if stats is not None:
            iso = health[feed.name][0].get("newest") if feed.name in health else None
            row += [newest(int(datetime.fromisoformat(iso).timestamp()) if iso else None, now), "-"]
        rows.append(row + (health_cells(health, feed.name) if health else []))
    symbols = {name: mark for name, (mark, _) in (stats or {}).items() if name.startswith("stock_news:")}
    for channel in stock_rows.values():  # sina_stock_news: its marks are per symbol
        row = [channel.name, channel.title, f"个股资讯 {len(symbols)} symbol(s)", " / ".join(channel.categories), ""]
        if stats is not None:
            marks = [mark for mark in symbols.values() if mark is not None]
            row += [newest(max(marks) if marks else None, now), str(stats.get(channel.name, (None, 0))[1])]
        rows.append(row + (["", ""] if health else []))
    return rows
