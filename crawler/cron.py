"""The cron entry point: ``python -m crawler.cron [-a NAME=VALUE …] [-s NAME=VALUE …]``.

Takes a lock so two runs never overlap (a second run exits 75 at once, naming the holder),
runs ``scrapy crawl SPIDER`` with a dated log file, prints a one-screen summary and exits 0
only when the crawl finished normally, logged no error and got a usable roll reply; otherwise
69 when Sina could not be reached, 65 when it replied in a shape the code does not read, 1 for
any other failure, and with --strict 3 when a channel is stale (see STALE_CHANNEL_HOURS). Every
-s setting is checked first: a bad one exits 2 before the lock is taken.

Ctrl-C or SIGTERM: the crawl (in its own process group) gets each signal once and shuts down
gracefully (a second Ctrl-C forces it); the summary is still printed and the exit status is
130 (SIGINT) or 143 (SIGTERM). Logs and dated run summaries older than --keep-logs days go.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from crawler.ops.cron import EXIT_LOCKED, EXIT_USAGE, LockHeld, run, run_lock, settings_problem


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.cron", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="exit status: 0 OK, 1 failed (the reason is in the summary), 2 usage error (a bad -a or -s),\n"
               "  3 stale (with --strict), 65 Sina replied in a shape the code does not read (drifted),\n"
               "  69 Sina unreachable, 75 another run holds the lock, 130/143 stopped by SIGINT/SIGTERM")
    parser.add_argument("-a", dest="spider_args", action="append", default=[], metavar="NAME=VALUE",
                        help="spider argument, passed on as scrapy crawl -a (repeatable), e.g. channels=china,stock")
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="setting, passed on as scrapy crawl -s (repeatable), e.g. OUTPUT_DIR=/srv/posts")
    parser.add_argument("--lock", type=Path, default=Path(".state/crawl.lock"), metavar="PATH",
                        help="lock file; a run started while another holds it exits 75 (default: %(default)s)")
    parser.add_argument("--log-dir", type=Path, default=Path("logs"), metavar="DIR",
                        help="folder of the per-run logs, crawl-<UTC start>.log (default: %(default)s)")
    parser.add_argument("--keep-logs", type=int, default=30, metavar="DAYS",
                        help="delete logs and dated run summaries (OUTPUT_DIR/.runs, last.json stays) older "
                             "than this many days (default: %(default)s)")
    parser.add_argument("--spider", default="sina_finance", metavar="NAME",
                        help="spider to run: sina_finance, sina_7x24, sina_stock_news or sina_article "
                             "(default: %(default)s)")
    parser.add_argument("--strict", action="store_true",
                        help="exit 3 when a channel is stale (its newest item is older than STALE_CHANNEL_HOURS); "
                             "without it a stale channel is a warning only")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    description = json.dumps({"pid": os.getpid(), "started": stamp, "command": " ".join(sys.argv)})
    problem = settings_problem(args.settings)
    if problem:  # a usage error: nothing is written, not even the lock
        print(f"crawl-cron: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        with run_lock(args.lock, description):
            return run(args, stamp)
    except LockHeld as error:
        print(f"crawl-cron: not starting: {error}", file=sys.stderr)
        return EXIT_LOCKED
    except KeyboardInterrupt:  # Ctrl-C while no crawl runs (the crawl itself is shielded above)
        print("crawl-cron: interrupted", file=sys.stderr)
        return 128 + signal.SIGINT


if __name__ == "__main__":
    sys.exit(main())
