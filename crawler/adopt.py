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
import re
import sqlite3
import sys
from pathlib import Path

from scrapy.utils.project import get_project_settings

from crawler.store.state import SQLiteState, StateError
from pipelines.adoption import title_and_day
from pipelines.format import post_file_name, reference_file_name

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def post_candidates(root: Path) -> list[Path]:
    """The ``.md`` files in ``root`` and in its date folders, sorted."""
    files = [p for p in root.glob("*.md") if p.is_file()]
    files += [p for folder in root.iterdir() if folder.is_dir() and _DAY.fullmatch(folder.name)
              for p in folder.glob("*.md") if p.is_file()]
    return sorted(files)


def why_not(path: Path, root: Path) -> str | tuple[str, str]:
    """(title, day) of a post that can be adopted, else the reason it cannot."""
    read = title_and_day(path)
    if read is None:
        return "not a post (no front matter with a title and a date)"
    title, day = read
    if path.parent != root and path.parent.name != day:
        return f"its date is {day} (Beijing), not its folder's day"
    if path.name not in (post_file_name(title, ""), reference_file_name(title)):
        return "its name is not the one its title gives"
    return title, day


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
    recognised, ours, refused, hidden = 0, 0, [], []
    try:
        for path in post_candidates(root):
            if state.owner_of(str(path)) is not None:
                ours += 1
                continue
            found = why_not(path, root)
            if isinstance(found, str):
                refused.append(f"  not taken over: {path.relative_to(root)}: {found}")
                continue
            state.adopt(str(path), *found)
            recognised += 1
            if path.name.startswith("_") or "%" in path.name:
                hidden.append(f"  Hexo will not show {path.relative_to(root)}: "
                              f"{'a leading _ hides it' if path.name.startswith('_') else '% in a name breaks it'}")
    finally:
        state.close()
    print(f"{root}: {recognised} posts recognised and noted in {state_path}; "
          f"{ours} already this crawler's; {len(refused)} not taken over")
    for line in refused + hidden:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
