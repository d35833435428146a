"""``python -m crawler.stocks SYMBOL [--since DATE] [--json]``: what the archive holds about a stock.

Every article tagged with the symbol (its ``stocks``: the body's stock links, the
``news_keyword_pub`` comment, the 个股资讯 lists that led to it) and every 7x24 item whose
instruments include it, newest first, with time, title, post path and URL. Reads the crawl state
only (STATE_PATH, or the Redis state of REDIS_URL), so it works beside a running crawl.
``--json`` prints one JSON object a line: kind, time, title, path, url, key, stocks.

Exit status: 0 (also when nothing is found: a line on stderr says so), 1 the state cannot be
read, 2 usage (a symbol in no known form).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler.ops.stocks import about, as_json_lines, as_text
from crawler.plumbing.arguments import parse_bound
from crawler.sina.symbols import normalise
from crawler.store.state import StateError


def main(argv: list[str] | None = None) -> int:
    from scrapy.utils.project import get_project_settings  # only for the defaults below

    settings = get_project_settings()
    parser = argparse.ArgumentParser(prog="python -m crawler.stocks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("symbol", help="sh600519, sz000002, bj430047, hk00700, usAAPL")
    parser.add_argument("--since", metavar="DATE", help="only from this Beijing date or time on")
    parser.add_argument("--json", action="store_true", help="JSON lines for tools")
    parser.add_argument("--state", type=Path, default=Path(settings.get("STATE_PATH") or ".state/crawl.sqlite"),
                        help="the SQLite state (default: STATE_PATH, %(default)s)")
    parser.add_argument("--redis", default=settings.get("REDIS_URL") or "", metavar="URL",
                        help="read the Redis state of a distributed crawl instead (default: REDIS_URL)")
    parser.add_argument("--prefix", default=settings.get("REDIS_KEY_PREFIX") or "sina_finance",
                        help="Redis key prefix (default: REDIS_KEY_PREFIX, %(default)s)")
    parser.add_argument("--output", type=Path, default=Path(settings.get("OUTPUT_DIR") or "output"),
                        help="OUTPUT_DIR, where 7x24 day posts are (default: %(default)s)")
    args = parser.parse_args(argv)
    symbol = normalise(args.symbol)
    if symbol is None:
        parser.error(f"{args.symbol!r} is not a symbol: sh/sz/bj + 6 digits, hk + 5 digits, or us + ticker")
    try:
        since = parse_bound(args.since) if args.since else None
    except ValueError as error:
        parser.error(f"--since {args.since!r}: {error}")
    try:
        found = about(args.state, symbol, args.output, since, args.redis, args.prefix)
    except StateError as error:
        print(f"python -m crawler.stocks: {error}", file=sys.stderr)
        return 1
    sys.stdout.write(as_json_lines(found) if args.json else as_text(found))
    if not found:
        print(f"nothing about {symbol} in the state" + (f" since {args.since}" if since else ""), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
