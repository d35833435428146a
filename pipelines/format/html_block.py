"""One HTML block: a body Markdown leaves alone.

Hexo renders posts with a Markdown renderer (hexo-renderer-marked). In Markdown an HTML block
ends at a blank line, and a line indented four spaces or more after it is a code block; so the
reference body, with its blank lines and tab-indented markup, shows partly as escaped source in
``<pre><code>``. Removing blank lines and leading indentation everywhere but inside ``<pre>``
and ``<textarea>`` keeps the whole body one HTML block. Only whitespace between tags and at the
start of lines changes, which HTML collapses anyway: the tree and the text stay as they are.
"""

from __future__ import annotations

import re

# <pre>/<textarea> elements (their whitespace is content) and everything between them.
_PRESERVED = re.compile(r"(<(pre|textarea)\b.*?</\2\s*>)", re.I | re.S)
_INDENT = re.compile(r"^[ \t]+", re.M)
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")


def one_html_block(html: str) -> str:
    """``html`` without blank lines or indentation outside ``<pre>``/``<textarea>``."""
    parts = _PRESERVED.split(html)
    out = []
    # split() with two groups yields: text, whole element, tag name, text, …
    for index in range(0, len(parts), 3):
        text = _BLANK_LINES.sub("\n", parts[index])
        out.append(_INDENT.sub("", text))
        if index + 1 < len(parts):
            out.append(parts[index + 1])
    return "".join(out).strip("\n")
