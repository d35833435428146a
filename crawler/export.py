"""Re-render posts into another body mode without crawling again:
``python -m crawler.export --mode markdown --from output --to site/source/_posts``.

Works from seed-mode posts (the default mode), which hold everything the other modes are
made of: the clean and Markdown bodies are derived from the seed body, so re-rendering a seed
post gives the same bytes a crawl in that mode writes (extra front-matter keys only where the
source post has them). A Markdown post cannot be turned back into HTML: it is refused with one
line. Files keep their relative paths; unchanged files are not rewritten.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler.items import BODY_MODES
from pipelines.rerender import export_posts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.export", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", required=True, choices=BODY_MODES, help="body mode to write")
    parser.add_argument("--from", dest="source", required=True, type=Path, help="folder of seed-mode posts")
    parser.add_argument("--to", dest="target", required=True, type=Path, help="folder to write the posts to")
    args = parser.parse_args(argv)
    if not args.source.is_dir():
        print(f"crawler.export: {args.source} is not a folder", file=sys.stderr)
        return 2
    counts = export_posts(args.source, args.target, args.mode)
    print(f"crawler.export: {args.mode} posts in {args.target}: {counts['written']} written, "
          f"{counts['unchanged']} unchanged, {counts['refused']} skipped")
    return 1 if counts["refused"] else 0


if __name__ == "__main__":
    sys.exit(main())
