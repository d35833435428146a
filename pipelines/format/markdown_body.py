"""Markdown-mode body: the clean body as real Markdown, through markdownify.

What markdownify does not decide for us: text stays the text the page showed, as Hexo's
renderer (hexo-renderer-marked, GFM with smartypants and description lists on) reads it: markup,
entities, links, code spans, strikethrough, tables, line-start blocks and smartypants' quotes,
dashes and ellipses are escaped (``_escape_text``); paragraphs lose the leading ideographic spaces that
Sina indents with; an image inside ``.img_wrapper`` becomes ``![caption](url)`` with the
``.img_descr`` text as its caption; a table with merged or nested cells stays HTML (a Markdown
table cannot hold it). ``{``/``}`` are made Hexo-safe by the renderer, as in every mode.
"""

from __future__ import annotations

import re
from typing import Any

from markdownify import MarkdownConverter

_INDENT = re.compile(r"^[\s\u3000\u00a0]+")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
_BLANK_LINES = re.compile(r"\n{3,}")
# Punctuation a Markdown renderer reads anywhere: escapes, emphasis, links, code, strikethrough,
# table cells, blockquotes, headings, and the quotes smartypants would curl.
_PUNCTUATION = re.compile(r"([\\`*_\[\]~|>#\"'])")
_RUNS = re.compile(r"(?<=-)-|(?<=\.\.)\.")  # "--"/"---" -> dashes, "..." -> an ellipsis (smartypants)
# Line starts that open a block: a bullet, a setext underline, a <dl> definition, a list number.
_LINE_START = re.compile(r"^([ \t]*)(?:([-+:])(?=[ \t]|$)|(=)(?==*[ \t]*$)|(\d{1,9})([.)])(?=[ \t]|$))", re.M)


def _escape_text(text: str) -> str:
    """Text that a Markdown renderer shows as it is."""
    text = _PUNCTUATION.sub(r"\\\1", text)
    text = _RUNS.sub(lambda match: "\\" + match.group(0), text)
    text = _LINE_START.sub(_unblock, text)
    return _ENTITY_LIKE.sub("&amp;", text).replace("<", "&lt;")


def _unblock(match: re.Match[str]) -> str:
    indent, mark, underline, number, dot = match.groups()
    mark = mark or underline
    return f"{indent}\\{mark}" if mark else f"{indent}{number}\\{dot}"


class _SinaMarkdown(MarkdownConverter):
    def escape(self, text: str, parent_tags: set[str]) -> str:
        # Text stays text: "<script>", "&lt;", "[x](javascript:…)", "`x`" or "--" written in an
        # article must not become markup, a link, code or a dash.
        return _escape_text(text) if text else ""

    def convert_p(self, el: Any, text: str, parent_tags: set[str]) -> str:
        return super().convert_p(el, _INDENT.sub("", text), parent_tags)

    def convert_div(self, el: Any, text: str, parent_tags: set[str]) -> str:
        image = el.find("img") if "img_wrapper" in (el.get("class") or []) else None
        if image is None:
            return super().convert_div(el, text, parent_tags)
        if not image.get("src"):
            return super().convert_div(el, text, parent_tags)
        caption = el.find(class_="img_descr")
        alt = caption.get_text(" ", strip=True) if caption else image.get("alt", "")
        return f"\n\n![{_escape_alt(alt)}]({image.get('src', '')})\n\n"

    def convert_img(self, el: Any, text: str, parent_tags: set[str]) -> str:
        if not el.get("src"):  # nothing to show (its URL was not http(s))
            return ""
        alt = el.get("alt") or ""
        return f"![{_escape_alt(alt)}]({el.get('src', '')})"

    def convert_table(self, el: Any, text: str, parent_tags: set[str]) -> str:
        merged = el.find(attrs={"rowspan": True}) or el.find(attrs={"colspan": True}) or el.find("table")
        if merged:
            return f"\n\n{el}\n\n"
        return super().convert_table(el, text, parent_tags)


def _escape_alt(text: str) -> str:
    return text.replace("[", "\\[").replace("]", "\\]")


def markdown_body(clean_html: str) -> str:
    """The Markdown of a clean body: blocks separated by one blank line, no trailing space."""
    text = _SinaMarkdown(heading_style="ATX", bullets="-", escape_misc=False).convert(clean_html)
    return _BLANK_LINES.sub("\n\n", text).strip() + "\n"
