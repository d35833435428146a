"""Title rules of output-format.md §4.1, shared by the front matter and the file name."""

from __future__ import annotations

import re

from crawler.values import printable

_SANITISE = re.compile(r"[:/\\?*“”<>|\[\]]")


def sanitise_title(title: str) -> str:
    """§4.1: the 12 reference characters become ``_``. Control characters (newline, tab, NUL…),
    which the reference kept and which break YAML and file names, become one space."""
    return _SANITISE.sub("_", printable(title)).strip()


def quote_title(title: str) -> str:
    """Single quotes unless the title holds ``'``; then double quotes. A title with both kinds
    (invalid YAML in the reference) escapes its ``"`` so the result stays valid YAML."""
    if "'" not in title:
        return f"'{title}'"
    return '"{}"'.format(title.replace('"', '\\"'))
