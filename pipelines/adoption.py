"""Posts another system wrote (the reference system's blog): which existing file holds an article.

A post of the same article is one with the same sanitised title in its front matter and the
same Beijing publish day, under the name this crawler would give it, or the name the reference
system gave it (``reference_file_name``: it keeps ``%`` and a leading ``_``), in the article's
date folder or, as the reference system wrote them, in the output folder itself.
"""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime
from pathlib import Path

from crawler.store.manifest import NotAPost, parse_post
from crawler.values import SHANGHAI
from pipelines.format import post_file_name, reference_file_name
from pipelines.format.file_names import MAX_NAME_BYTES

_TITLE_LINE = re.compile(r"""^title: (['"])(.*)\1[ \t]*$""", re.M)
_DATE_LINE = re.compile(r"^date: (.+?)[ \t]*$", re.M)


def candidate_paths(day: str, title: str, doc_id: str) -> list[str]:
    """Where a post of the article may already be, relative to the output folder, in order."""
    reference = reference_file_name(title)
    names = [f"{day}/{post_file_name(title, doc_id)}"]
    if len(reference.encode()) <= MAX_NAME_BYTES:  # a longer name cannot be on disk
        names += [f"{day}/{reference}", reference]
    return list(dict.fromkeys(names))


def title_and_day(path: Path) -> tuple[str, str] | None:
    """The front matter's title (as written, braces undone) and Beijing publish day of a post
    file; None when it is not a post. A title holding both quote kinds, which the reference wrote
    as invalid YAML, is read off its line."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        meta, _ = parse_post(data)
        title, date = str(meta["title"]), str(meta["date"])
    except NotAPost:
        text = data.decode("utf-8", errors="replace").replace("&#123;", "{").replace("&#125;", "}")
        title_match, date_match = _TITLE_LINE.search(text), _DATE_LINE.search(text)
        if not (text.lstrip("\n").startswith("---\n") and title_match and date_match):
            return None
        title, date = title_match.group(2), date_match.group(1)
    try:
        day = parsedate_to_datetime(date).astimezone(SHANGHAI).strftime("%Y-%m-%d")
    except (TypeError, ValueError):
        return None
    return title, day
