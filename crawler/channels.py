"""``python -m crawler.channels``: the channel table, and what the crawl state knows of each.

One row per channel of CHANNELS_FILE: name, title, roll API pair, categories, default mark,
and from the state (``--state``, read-only: it is never created, migrated or locked) the
newest item listed (the channel's high-water mark, and its age) and the number of articles
recorded under the channel. Without a state file the state columns are left out.

The 7x24 feeds of ZHIBO_FEEDS_FILE follow, one row each (``zhibo <id>`` in the pair column), then
the ``source: stock_news`` row (sina_stock_news: the symbols with a mark, the newest of their marks). With
run summaries (``--runs``, default ``output/.runs``: OUTPUT_DIR/.runs) two more columns show each
channel's health in the latest run that listed it: the items it listed, and ``ok`` or ``STALE``
with why (its newest item older than that run's STALE_CHANNEL_HOURS, or nothing listed); a
feed's newest item comes from there too.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
import unicodedata
from datetime import datetime
from pathlib import Path

from crawler.sina.channels import DEFAULT_CHANNELS_FILE, ChannelError, load_channels
from crawler.sina.zhibo import DEFAULT_FEEDS_FILE, load_feeds
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
    """channel -> (its ``channel_health`` entry, its ``stale_channels`` reason or None) from the
    newest run summary in ``runs`` that lists the channel."""
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
            health.setdefault(channel, (seen, (summary.get("stale_channels") or {}).get(channel)))
    return health


def health_cells(health: dict[str, tuple[dict, str | None]], name: str) -> list[str]:
    if name not in health:
        return ["-", "-"]
    seen, stale = health[name]
    return [str(seen.get("listed", 0)), f"STALE: {stale}" if stale else "ok"]


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


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(rows: list[list[str]]) -> str:
    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell + " " * (w - width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.channels", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--channels-file", type=Path, default=DEFAULT_CHANNELS_FILE, metavar="PATH",
                        help="channel table, like the CHANNELS_FILE setting (default: the packaged %(default)s)")
    parser.add_argument("--state", type=Path, default=Path(".state/crawl.sqlite"), metavar="PATH",
                        help="crawl state to read, like STATE_PATH (default: %(default)s)")
    parser.add_argument("--feeds-file", type=Path, default=DEFAULT_FEEDS_FILE, metavar="PATH",
                        help="7x24 feed table, like the ZHIBO_FEEDS_FILE setting (default: the packaged %(default)s)")
    parser.add_argument("--runs", type=Path, default=Path("output/.runs"), metavar="DIR",
                        help="run summaries to read channel health from, OUTPUT_DIR/.runs (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        channels = load_channels(args.channels_file)
        stock_rows = load_channels(args.channels_file, "stock_news")
        feeds = load_feeds(args.feeds_file)
    except (ChannelError, ValueError) as error:
        print(f"{parser.prog}: {error}", file=sys.stderr)
        return 1
    health = read_health(args.runs)
    stats: ChannelStats | None = None
    note, code = f"(no state at {args.state}: newest item and article counts unknown)", 0
    if args.state.is_file():
        try:
            stats = read_stats(args.state)
        except sqlite3.Error as error:
            note, code = f"(state {args.state} unreadable: {error})", 1
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
    try:
        print(table(rows), flush=True)
    except BrokenPipeError:  # e.g. piped into head
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the interpreter closes it at exit
        return code
    if stats is not None:
        for name in sorted(set(stats) - set(channels) - set(stock_rows) - set(symbols)):
            print(f"(the state also holds {name!r}, which {args.channels_file} does not list)")
    else:
        print(note, file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
