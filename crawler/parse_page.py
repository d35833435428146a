"""Debug one saved page: ``python -m crawler.parse_page FILE --url URL [--render]``.

Prints the item as JSON (UTF-8, ISO dates with +08:00), or with ``--render`` the post text
exactly as the exporter writes it. A page that is not an article, or a file that cannot be
read, exits 2 with one line saying why.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import datetime
from pathlib import Path

from crawler.items import Article
from crawler.sina.pages import read_page
from pipelines.format import render_post


def article_json(article: Article) -> str:
    data = dataclasses.asdict(article)
    data = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in data.items()}
    return json.dumps(data, ensure_ascii=False, indent=2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.parse_page", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="saved page (raw bytes)")
    parser.add_argument("--url", required=True, help="the page's real URL (ids and links derive from it)")
    parser.add_argument("--content-type", default=None, help="Content-Type header the page was served with")
    parser.add_argument("--render", action="store_true", help="print the post instead of the item")
    args = parser.parse_args(argv)
    headers = {"Content-Type": args.content_type} if args.content_type else None
    try:
        body = args.file.read_bytes()
    except OSError as error:
        print(f"cannot read {args.file}: {error.strerror or error}", file=sys.stderr)
        return 2
    result = read_page(args.url, body, headers)
    out = sys.stdout.buffer
    if not isinstance(result, Article):
        print(f"not an article: {result}", file=sys.stderr)
        return 2
    text = render_post(result) if args.render else article_json(result) + "\n"
    out.write(text.encode("utf-8"))
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
