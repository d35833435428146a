"""``python -m crawler.reextract ARCHIVE… [-s NAME=VALUE …]``: posts from WARC archives, without
fetching anything.

Reads the newest capture of every Sina page in the archives (WARC files, or folders of them;
ours or another tool's) with today's readers and writes posts by the rules of a crawl: the
same file names, state, manifest and lock; a post whose bytes would not change is not touched.
Listings come from the roll API replies in the archives (see crawler/spiders/sina_archive.py).
Then the 7x24 feed replies in the archives become day posts, as `sina_7x24` writes them. Prints
what it did: new, updated, unchanged, not an article, records of other sites skipped, 7x24 items.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler.ops.reextract import reextract
from crawler.store.lock import EXIT_LOCKED, LockFailed, LockHeld


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.reextract", description=__doc__.splitlines()[0],
                                     epilog="exit status: 0 OK, 1 failed, 2 usage error, 75 another crawl holds "
                                            "the lock")
    parser.add_argument("archives", type=Path, nargs="+", metavar="ARCHIVE", help="WARC file or folder of them")
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="setting (repeatable), e.g. OUTPUT_DIR=site/source/_posts, BODY_MODE=markdown")
    args = parser.parse_args(argv)
    missing = [str(path) for path in args.archives if not path.exists()]
    if missing:
        parser.error(f"no such archive: {', '.join(missing)}")
    bad = [value for value in args.settings if "=" not in value]
    if bad:
        parser.error(f"-s takes NAME=VALUE, not {bad[0]!r}")
    overrides = dict(value.split("=", 1) for value in args.settings)
    try:
        counts = reextract(args.archives, overrides, ["python", "-m", "crawler.reextract", *(argv or sys.argv[1:])])
    except (LockHeld, LockFailed) as error:
        print(f"python -m crawler.reextract: not starting: {error.args[-1]}", file=sys.stderr)
        return EXIT_LOCKED if isinstance(error, LockHeld) else 1
    print(counts.line())
    return 0 if counts.finished else 1


if __name__ == "__main__":
    sys.exit(main())
