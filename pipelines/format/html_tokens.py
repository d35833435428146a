"""A lean driver for ``html.parser.HTMLParser`` handlers: the same events, a fraction of the cost.

``HTMLParser.feed`` spends most of its time in generic bookkeeping (line numbers, buffer
boundaries, incremental input). ``feed_whole(parser, text)`` walks a complete document with the
standard library's own patterns and calls the parser's ``handle_*`` methods exactly as
``feed(text); close()`` would (``convert_charrefs=True``), for the markup real pages consist of:
text, start/end tags, comments, and ``<script>``/``<style>`` raw text. On anything else (a
declaration, a processing instruction, a malformed tag, an unclosed comment or raw-text element)
it raises ``Unusual``, and the caller feeds the text to a fresh parser the normal way.
``tests/test_html_tokens.py`` checks the events against ``HTMLParser`` itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import parser as stdlib
from html import unescape

_END_TAG = re.compile(r"</\s*([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>")


class Unusual(Exception):
    """Input this driver leaves to ``HTMLParser.feed``."""


# The common shapes in one pattern: a start tag whose attributes are bare or quoted, an end
# tag, a comment. Anything else at a "<" is read with the standard library's own patterns.
_SIMPLE = re.compile(
    r"""<(?:(?P<tag>[a-zA-Z][a-zA-Z0-9]*)"""
    r"""(?P<attrs>(?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:\s*=\s*(?:"[^"]*"|'[^']*'))?)*)\s*(?P<slash>/?)>"""
    r"""|/(?P<end>[a-zA-Z][a-zA-Z0-9]*)\s*>"""
    r"""|!--(?P<comment>.*?)--\s*>)""",
    re.S,
)
_ATTRIBUTE = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*("[^"]*"|'[^']*'))?""")


def feed_whole(parser: stdlib.HTMLParser, text: str) -> None:
    """Call ``parser``'s handlers for all of ``text``, or raise ``Unusual`` part-way; a parser
    that saw ``Unusual`` is in no defined state and is discarded by the caller."""
    data, start, startend, end, comment = (parser.handle_data, parser.handle_starttag,
                                           parser.handle_startendtag, parser.handle_endtag, parser.handle_comment)
    n = len(text)
    i = 0
    while i < n:
        j = text.find("<", i)
        if j < 0:
            j = n
        if i < j:
            data(unescape(text[i:j]))
        if j == n:
            break
        if j + 1 == n:
            raise Unusual("'<' at the end")
        simple = _SIMPLE.match(text, j)
        if simple is not None:
            i = simple.end()
            if (tag := simple.group("tag")) is not None:
                tag = tag.lower()
                attrs = [(name.lower(), _value(value)) for name, value in _ATTRIBUTE.findall(simple.group("attrs"))]
                if simple.group("slash"):
                    startend(tag, attrs)
                    continue
                start(tag, attrs)
            elif (tag := simple.group("end")) is not None:
                end(tag.lower())
                continue
            else:
                comment(simple.group("comment"))
                continue
        elif stdlib.starttagopen.match(text, j):
            i, tag = _start_tag(text, j, start, startend)
        elif text.startswith("</", j):
            match = _END_TAG.match(text, j)
            if not match:
                raise Unusual("end tag")
            end(match.group(1).lower())
            i = match.end()
            continue
        elif text.startswith(("<!", "<?"), j):
            raise Unusual("declaration, processing instruction or unclosed comment")
        else:
            data("<")
            i = j + 1
            continue
        if tag in stdlib.HTMLParser.CDATA_CONTENT_ELEMENTS:
            i = _raw_text(text, i, tag, data, end)


def _value(quoted: str) -> str | None:
    """An attribute value as HTMLParser reports it: None when bare, unquoted and unescaped."""
    if not quoted:
        return None
    return unescape(quoted[1:-1]) if len(quoted) > 2 else ""


def _start_tag(text: str, i: int, start: Callable, startend: Callable) -> tuple[int, str]:
    """A start tag outside the simple shapes, read as ``HTMLParser.parse_starttag`` reads it."""
    located = stdlib.locatestarttagend_tolerant.match(text, i)
    if not located:
        raise Unusual("start tag")
    end = located.end()
    if text.startswith(">", end):
        endpos = end + 1
    elif text.startswith("/>", end):
        endpos = end + 2
    else:
        raise Unusual("start tag")
    name = stdlib.tagfind_tolerant.match(text, i + 1)
    k = name.end()
    tag = name.group(1).lower()
    attrs = []
    while k < endpos:
        match = stdlib.attrfind_tolerant.match(text, k)
        if not match:
            break
        attribute, rest, value = match.group(1, 2, 3)
        if not rest:
            value = None
        elif value[:1] == "'" == value[-1:] or value[:1] == '"' == value[-1:]:
            value = value[1:-1]
        if value:
            value = unescape(value)
        attrs.append((attribute.lower(), value))
        k = match.end()
    closing = text[k:endpos].strip()
    if closing == "/>":
        startend(tag, attrs)
    elif closing == ">":
        start(tag, attrs)
    else:
        raise Unusual("start tag")
    return endpos, tag if closing == ">" else ""


def _raw_text(text: str, i: int, tag: str, data: Callable, end: Callable) -> int:
    """``<script>``/``<style>`` content up to its end tag, as one data event (not unescaped)."""
    close = re.compile(rf"</\s*{tag}\s*>", re.I).search(text, i)
    if not close:
        raise Unusual(f"unclosed <{tag}>")
    if i < close.start():
        data(text[i : close.start()])
    end(tag)
    return close.end()
