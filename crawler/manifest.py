"""``python -m crawler.manifest OUTPUT_DIR [--state PATH]``: rebuild ``OUTPUT_DIR/index.jsonl``.

    python -m crawler.manifest OUTPUT_DIR                 # from the post files (and the old manifest)
    python -m crawler.manifest OUTPUT_DIR --state PATH    # from a state: the bytes a crawl writes
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler.store.manifest import MANIFEST_NAME, NotAPost
from pipelines.manifest_rebuild import rebuild


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.manifest",
                                     description="Rebuild OUTPUT_DIR/index.jsonl from the post files or a state.")
    parser.add_argument("output", type=Path, metavar="OUTPUT_DIR", help="the posts' root folder")
    parser.add_argument("--state", type=Path, default=None, metavar="PATH",
                        help="the crawl state (STATE_PATH) to derive it from, as a crawl does")
    args = parser.parse_args(argv)
    root: Path = args.output
    if not root.is_dir():
        print(f"python -m crawler.manifest: no such folder: {root}", file=sys.stderr)
        return 2
    try:
        data, source, written, unknown = rebuild(root, args.state)
    except (OSError, NotAPost) as error:
        print(f"python -m crawler.manifest: {error}", file=sys.stderr)
        return 1
    count = data.count(b"\n")
    print(f"{root / MANIFEST_NAME}: {'written' if written else 'unchanged'}, {count} posts from {source}")
    for field, posts in unknown.items():  # what neither the files nor the old manifest hold: null
        shown = ", ".join(posts[:5]) + (f" and {len(posts) - 5} more" if len(posts) > 5 else "")
        print(f"  {field} unknown (null) for {len(posts)} of {count} posts: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
