"""Taking over a blog another system filled (``python -m crawler.adopt``): note in the state each
post under OUTPUT_DIR that reads as one article's post, so the crawl takes it over
(``pipelines.adoption`` finds the file for an article; this notes the files up front)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from crawler.store.state import SQLiteState
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


@dataclass
class Adoption:
    recognised: int = 0
    ours: int = 0
    refused: list[str] = field(default_factory=list)  # one line each: the file and why
    hidden: list[str] = field(default_factory=list)  # adopted files Hexo will not show, and why


def adopt_posts(root: Path, state: SQLiteState) -> Adoption:
    """Note every adoptable post under ``root`` in ``state``; what was taken over and what was not."""
    done = Adoption()
    for path in post_candidates(root):
        if state.owner_of(str(path)) is not None:
            done.ours += 1
            continue
        found = why_not(path, root)
        if isinstance(found, str):
            done.refused.append(f"  not taken over: {path.relative_to(root)}: {found}")
            continue
        state.adopt(str(path), *found)
        done.recognised += 1
        if path.name.startswith("_") or "%" in path.name:
            done.hidden.append(f"  Hexo will not show {path.relative_to(root)}: "
                               f"{'a leading _ hides it' if path.name.startswith('_') else '% in a name breaks it'}")
    return done
