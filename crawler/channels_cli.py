"""``python -m crawler.channels``: the channel table, and what the crawl state knows of each.

One row per channel of CHANNELS_FILE: name, title, roll API pair, categories, default mark,
and from the state (``--state``, read-only: it is never created, migrated or locked) the
newest item listed (the channel's high-water mark, and its age) and the number of articles
recorded under the channel. Without a state file the state columns are left out.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
import unicodedata
from datetime import datetime
from pathlib import Path

from crawler.channels import DEFAULT_CHANNELS_FILE, ChannelError, load_channels
from crawler.state import SQLiteState
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
    args = parser.parse_args(argv)
    try:
        channels = load_channels(args.channels_file)
    except ChannelError as error:
        print(f"{parser.prog}: {error}", file=sys.stderr)
        return 1
    stats: ChannelStats | None = None
    note, code = f"(no state at {args.state}: newest item and article counts unknown)", 0
    if args.state.is_file():
        try:
            stats = read_stats(args.state)
        except sqlite3.Error as error:
            note, code = f"(state {args.state} unreadable: {error})", 1
    header = ["channel", "title", "pageid/lid", "categories", "default"]
    rows = [header + (["newest item", "articles"] if stats is not None else [])]
    now = time.time()
    for channel in channels.values():
        row = [channel.name, channel.title, f"{channel.pageid}/{channel.lid}", " / ".join(channel.categories),
               "yes" if channel.default else ""]
        if stats is not None:
            high_water, count = stats.get(channel.name, (None, 0))
            row += [newest(high_water, now), str(count)]
        rows.append(row)
    try:
        print(table(rows), flush=True)
    except BrokenPipeError:  # e.g. piped into head
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the interpreter closes it at exit
        return code
    if stats is not None:
        for name in sorted(set(stats) - set(channels)):
            print(f"(the state also holds {name!r}, which {args.channels_file} does not list)")
    else:
        print(note, file=sys.stderr)
    return code
