"""Debug one saved page: ``python -m crawler.parse_page FILE --url URL [--render]
[--body-mode MODE] [--extra-front-matter KEYS]``.

Prints the item as JSON (UTF-8, ISO dates with +08:00), or with ``--render`` the post text
exactly as the exporter writes it, in the body mode and with the extra front-matter keys given
(``BODY_MODE``, ``EXTRA_FRONT_MATTER``; either implies ``--render``). A page that is not an
article, or a file that cannot be read, exits 2 with one line saying why.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import datetime
from pathlib import Path

from crawler.items import BODY_MODES, Article
from crawler.sina.pages import read_page
from pipelines.format import EXTRA_KEYS, render_post


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
    parser.add_argument("--body-mode", choices=BODY_MODES, help="the post's body mode (BODY_MODE; default seed)")
    parser.add_argument("--extra-front-matter", default="", metavar="KEYS",
                        help=f"comma list of extra front-matter keys (EXTRA_FRONT_MATTER): {','.join(EXTRA_KEYS)}")
    args = parser.parse_args(argv)
    extra = [key.strip() for key in args.extra_front_matter.split(",") if key.strip()]
    unknown = [key for key in extra if key not in EXTRA_KEYS]
    if unknown:
        parser.error(f"unknown extra front matter key(s) {', '.join(unknown)}; known: {', '.join(EXTRA_KEYS)}")
    render = args.render or args.body_mode is not None or bool(extra)
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
    text = render_post(result, args.body_mode or "seed", extra) if render else article_json(result) + "\n"
    out.write(text.encode("utf-8"))
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
