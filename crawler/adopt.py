"""``python -m crawler.adopt OUTPUT_DIR``: take over a blog another system filled.

Notes in the crawl state every post under ``OUTPUT_DIR`` (in its date folder or, as the
reference system wrote them, in the folder itself) that this crawler did not write and that
reads as a post of one article: a front matter with a title and a date, the date's Beijing day
matching its date folder, and the name the title gives (this crawler's rule or the reference
system's). The crawl then takes each one over for the article of that title and day: it keeps
the file, under its name, and rewrites it only when the article changes or on ``-a refetch=1``
(``pipelines.adoption``, ``pipelines.export``). Prints how many posts it recognised and, one line
each, the ones it did not and why.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from scrapy.utils.project import get_project_settings

from crawler.store.state import SQLiteState, StateError
from pipelines.takeover import adopt_posts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.adopt",
                                     description="Note the posts another system wrote under OUTPUT_DIR, so that the "
                                                 "crawl takes them over instead of writing a second file.")
    parser.add_argument("output", type=Path, metavar="OUTPUT_DIR", help="the posts' root folder")
    parser.add_argument("--state", type=Path, default=None, metavar="PATH",
                        help="the crawl state (default: the project's STATE_PATH)")
    args = parser.parse_args(argv)
    root: Path = args.output
    if not root.is_dir():
        print(f"python -m crawler.adopt: no such folder: {root}", file=sys.stderr)
        return 2
    state_path = args.state or Path(get_project_settings().get("STATE_PATH"))
    try:
        state = SQLiteState(state_path)
    except (StateError, sqlite3.Error, OSError) as error:
        print(f"python -m crawler.adopt: cannot open the state {state_path}: {error}", file=sys.stderr)
        return 1
    try:
        done = adopt_posts(root, state)
    finally:
        state.close()
    print(f"{root}: {done.recognised} posts recognised and noted in {state_path}; "
          f"{done.ours} already this crawler's; {len(done.refused)} not taken over")
    for line in done.refused + done.hidden:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
