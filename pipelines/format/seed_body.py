"""Seed-mode body rules (output-format.md §5): the reference pipeline's transformations.

The fragment is re-tokenised, not re-parsed into a tree, so nothing is moved or re-nested:
scripts and other active elements (iframes, objects, embeds, frames, meta/base/link) go,
``on*`` handlers and ``javascript:`` URLs go, links and images become absolute, every ``<img>`` gets
``referrerpolicy="no-referrer"`` last, void elements lose their slash, empty attributes are
printed bare, and character references come out as the characters they stand for.

How far text is decoded depends on the mode. ``exact`` (``seed-exact``) follows the reference,
which decoded the whole fragment once more after serialising it: ``&amp;copy;`` on the page (a
reader saw ``&copy;``) comes out as ``&copy;``, which a browser shows as ©; comments are decoded
too. Otherwise a reader of the post sees exactly the text a reader of the page saw: a decoded
``&`` that a browser would read as the start of a character reference is written ``&amp;`` (in
text by the HTML5 rule for text, in attribute values by the rule for attributes), and comments
keep the page's bytes. In both, a ``<`` that would open markup is written ``&lt;``.

The active markup it drops on the way (every kind but ``<script>``, which the seed format itself
drops) is reported in the ``sanitize`` vocabulary: removing it token by token here keeps the rest
of a normal article's bytes, and ``sanitize`` then checks the result on the tree a browser builds.
"""

from __future__ import annotations

import html
import re
from html.entities import html5 as html5_entities
from html.parser import HTMLParser

from crawler.values import absolute_url
from pipelines.format.html_tokens import Unusual, feed_whole
from pipelines.format.sanitize import (
    URL_SCHEMES,
    Sanitized,
    attribute_finding,
    safe_css,
    safe_style_element,
    url_scheme,
)

VOID_ELEMENTS = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"]
)
RAW_TEXT_ELEMENTS = frozenset({"style", "textarea", "title", "xmp"})
# What may follow "&" in a character reference, as html.unescape reads one (the HTML5 rules).
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
_LAZY_IMAGE = re.compile(r"\.(gif|png|jpe?g|webp)", re.I)
# A "<" that a browser would read as the start of markup; escaped so decoded text stays text.
_MARKUP_START = re.compile(r"<(?=[A-Za-z/!?])")
# Dropped with everything inside them (the reference dropped <script> only; the rest are here
# because posts are re-published: a post must carry no executable markup).
ACTIVE_ELEMENTS = frozenset({"script", "iframe", "frameset", "object", "applet", "noscript"})
# Void or metadata elements dropped on their own.
DROPPED_TAGS = frozenset({"embed", "frame", "meta", "base", "link"})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "background", "poster"})


def seed_body(body_html: str, base_url: str, *, exact: bool = False) -> str:
    return seed_rewrite(body_html, base_url, exact=exact).html


def seed_rewrite(body_html: str, base_url: str, *, exact: bool = False) -> Sanitized:
    """The seed body and the active markup removed from it (``element/iframe``, ``attribute/onclick``,
    ``url/javascript``, ``css``); ``exact``: text decoded as the reference did (see above)."""
    rewriter = _SeedRewriter(base_url, exact)
    # Unterminated tags at the very end ("…<script") are text: HTMLParser would hand them over
    # in pieces ("<", "script") that no longer look like markup, and a browser would open them.
    closed = body_html.rfind(">") + 1
    body_html = body_html[:closed] + body_html[closed:].replace("<", "&lt;")
    try:
        feed_whole(rewriter, body_html)
    except Unusual:
        rewriter = _SeedRewriter(base_url, exact)
        rewriter.feed(body_html)
        rewriter.close()
    return Sanitized("".join(rewriter.out), tuple(sorted(rewriter.removed)))


class _SeedRewriter(HTMLParser):
    def __init__(self, base_url: str, exact: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.exact = exact
        self.out: list[str] = []
        self.skip_depth = 0  # inside <script> or another active element
        self.raw_text = False
        self.removed: set[str] = set()
        self.style_start: int | None = None  # index in ``out`` of an open <style> start tag

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ACTIVE_ELEMENTS:
            self._removed(tag)
            self.skip_depth += 1
            return
        if self.skip_depth:
            return
        if tag in DROPPED_TAGS:
            self._removed(tag)
            return
        self.out.append(self._start_tag(tag, attrs))
        self.raw_text = tag in RAW_TEXT_ELEMENTS
        if tag == "style":
            self.style_start = len(self.out) - 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip_depth:
            return
        if tag in ACTIVE_ELEMENTS or tag in DROPPED_TAGS:
            self._removed(tag)
            return
        self.out.append(self._start_tag(tag, attrs))
        if tag not in VOID_ELEMENTS:
            self.out.append(f"</{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in ACTIVE_ELEMENTS:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if self.skip_depth or tag in VOID_ELEMENTS or tag in DROPPED_TAGS:
            return
        self.raw_text = False
        if tag == "style" and self.style_start is not None:
            start, self.style_start = self.style_start, None
            if not safe_style_element("".join(self.out[start + 1 :])):  # CSS that loads or covers something
                del self.out[start:]
                self.removed.add("css")
                return
        self.out.append(f"</{tag}>")

    def _removed(self, tag: str) -> None:
        if tag != "script":  # the seed format's own rule, not a finding
            self.removed.add(f"element/{tag}")

    def _keep(self, text: str) -> None:
        """Output ``text`` unless it stands inside a dropped element."""
        if not self.skip_depth:
            self.out.append(text)

    def handle_data(self, data: str) -> None:
        if self.raw_text:
            self._keep(data)
            return
        if not self.exact and "&" in data:
            data = escape_references(data)
        self._keep(data if "<" not in data else _MARKUP_START.sub("&lt;", data))

    def handle_comment(self, data: str) -> None:
        self._keep(f"<!--{html.unescape(data) if self.exact else data}-->")

    def handle_decl(self, decl: str) -> None:
        self._keep(f"<!{_inert(decl)}>")

    def unknown_decl(self, data: str) -> None:
        self._keep(f"<![{_inert(data)}]>")

    def handle_pi(self, data: str) -> None:
        self._keep(f"<?{_inert(data)}>")

    def _start_tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> str:
        if not attrs and tag != "img":
            return f"<{tag}>"
        attrs = [(name, value) for name, value in attrs if self._safe_attribute(name, value)]
        if tag == "a":
            attrs = [self._link(name, value) for name, value in attrs]
        elif tag == "img":
            attrs = self._image(attrs)
        rendered = "".join(_attribute(name, value, self.exact) for name, value in attrs)
        return f"<{tag}{rendered}>"

    def _safe_attribute(self, name: str, value: str | None) -> bool:
        if name.startswith("on") or name == "srcdoc":
            self.removed.add(attribute_finding(name))
            return False
        if name in URL_ATTRIBUTES and value and (scheme := url_scheme(value)) not in (*URL_SCHEMES, "relative"):
            self.removed.add(f"url/{scheme}")
            return False
        if name == "style" and value and not safe_css(value):
            self.removed.add("css")
            return False
        return True

    def _link(self, name: str, value: str | None) -> tuple[str, str | None]:
        if name != "href" or not value:
            return name, value
        return name, absolute_url(value, self.base_url)

    def _image(self, attrs: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
        attrs = [(n, v) for n, v in attrs if n != "referrerpolicy"]
        names = [name for name, _ in attrs]
        if "src" not in names:
            lazy = next((v for _, v in attrs if v and _LAZY_IMAGE.search(v)), None)
            if lazy is not None:
                attrs.append(("src", lazy))
        attrs = [(n, absolute_url(v, self.base_url) if n == "src" and v else v) for n, v in attrs]
        attrs.append(("referrerpolicy", "no-referrer"))
        return attrs


def _attribute(name: str, value: str | None, exact: bool) -> str:
    if not value:
        return f" {name}"
    if not exact and "&" in value:
        value = escape_references(value, attribute=True)
    return ' {}="{}"'.format(name, value.replace('"', "&quot;"))


def escape_references(text: str, *, attribute: bool = False) -> str:
    """``text`` with ``&amp;`` for each ``&`` an HTML parser would read as the start of a character
    reference (``&copy;``, ``&copy`` and ``&#169`` alike), so the text reads back as it is. In an
    attribute value a named reference without ``;`` before ``=`` or a letter or digit is not
    decoded (``?a=1&copy=2``), so it stays as it is."""
    return _CHARREF.sub(lambda match: _escaped(match, attribute), text)


def _escaped(match: re.Match[str], attribute: bool) -> str:
    reference = match.group(0)
    decoded = html.unescape(reference)
    if decoded == reference:
        return reference  # no reference at all ("&foo;", "R&D")
    if attribute and reference[1] != "#":
        name = next(reference[1:end] for end in range(len(reference), 1, -1) if reference[1:end] in html5_entities)
        following = reference[1 + len(name) : 2 + len(name)] or match.string[match.end() : match.end() + 1]
        if not name.endswith(";") and (following == "=" or (following.isascii() and following.isalnum())):
            return reference
    return "&amp;" + reference[1:]


def _inert(text: str) -> str:
    """Declaration and processing-instruction text with no "<" that could open a tag."""
    return text.replace("<", "&lt;")
