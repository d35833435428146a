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
import os
import sqlite3
import sys
from pathlib import Path

from crawler.ops.channel_report import ChannelStats, read_health, read_stats, report_rows
from crawler.ops.terminal import table
from crawler.sina.channels import DEFAULT_CHANNELS_FILE, ChannelError, load_channels
from crawler.sina.zhibo import DEFAULT_FEEDS_FILE, load_feeds


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
    rows = report_rows(channels, feeds, stock_rows, stats, health)
    try:
        print(table(rows), flush=True)
    except BrokenPipeError:  # e.g. piped into head
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the interpreter closes it at exit
        return code
    if stats is not None:
        symbols = {name for name in stats if name.startswith("stock_news:")}
        for name in sorted(set(stats) - set(channels) - set(stock_rows) - symbols):
            print(f"(the state also holds {name!r}, which {args.channels_file} does not list)")
    else:
        print(note, file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
