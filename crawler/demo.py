"""Offline demo: ``python -m crawler.demo [OUTPUT]``.

Serves the shipped snapshot (demo/snapshot: real saved pages and a roll API listing them, a
day of 7x24 items, and the 个股资讯 list of sh600631) on loopback and runs the main crawl, the
7x24 crawl, then the stock news crawl against it through the cron command. Writes posts, state,
logs and run summaries under OUTPUT; no network is needed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler import cron
from crawler.mirror.server import serve

SNAPSHOT = Path(__file__).resolve().parents[1] / "demo" / "snapshot"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.demo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output", nargs="?", type=Path, default=Path("demo-output"), metavar="OUTPUT",
                        help="folder for posts/, state/ and logs/ (default: %(default)s)")
    args = parser.parse_args(argv)
    server = serve(SNAPSHOT)
    mirror = f"http://127.0.0.1:{server.server_port}"
    print(f"Serving {SNAPSHOT} on {mirror}")
    common = [
        "-s", f"SINA_MIRROR={mirror}",
        "-s", f"OUTPUT_DIR={args.output / 'posts'}",
        "-s", f"STATE_PATH={args.output / 'state' / 'crawl.sqlite'}",
        "-s", "DOWNLOAD_DELAY=0",
        "-s", "AUTOTHROTTLE_ENABLED=False",
        "--lock", str(args.output / "state" / "crawl.lock"),
        "--log-dir", str(args.output / "logs"),
    ]
    try:
        code = cron.main(["-a", "channels=china,roll,stock", "-a", "since=2005-01-01", *common])
        live = cron.main(["--spider", "sina_7x24", "-a", "since=2024-05-10", *common])
        stock = cron.main(["--spider", "sina_stock_news", "-a", "symbols=sh600631", "-a", "since=2005-01-01", *common])
        code = code or live or stock
    finally:
        server.shutdown()
        server.server_close()
    for post in sorted((args.output / "posts").rglob("*.md")):
        print(f"  {post}")
    return code


if __name__ == "__main__":
    sys.exit(main())
