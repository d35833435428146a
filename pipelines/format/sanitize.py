"""Bodies safe to publish: an allowlist checked on the tree a browser builds.

``findings`` parses a body with an HTML5 parser (Lexbor, through selectolax) in the place a
post body stands in a page (inside a ``<div>`` in ``<body>``, scripting on) and names everything
outside ``ALLOWED_ELEMENTS``/``ALLOWED_ATTRIBUTES`` (other attributes pass when they are inert,
``inert_attribute``): a disallowed element, attribute, URL scheme or style. ``sanitize`` keeps a
body with no findings byte for byte (the seed format's bytes) and rewrites any other body with
nh3 (ammonia, on html5ever) under the same allowlist, keeping its inert attributes and, in the
seed modes, its inert ``<style>`` blocks.

Why the tree and not the text: a browser re-nests markup (``<math><mtext><table><mglyph><style>``
puts an ``<img onerror>`` in or out of raw text depending on the path), so only the parse a
browser does says what a body holds. A body whose tree is all allowed HTML elements serialises
and re-parses to allowed HTML elements again, so an ``innerHTML`` round trip cannot bring
anything to life: the foreign (SVG/MathML) and raw-text elements mutation XSS needs are not in
the allowlist; ``<style>`` is allowed only in seed bodies and only with inert CSS (below).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import nh3
from selectolax.lexbor import LexborHTMLParser

ALLOWED_ELEMENTS = frozenset(
    {"p", "div", "span", "font", "b", "strong", "i", "em", "u", "s", "del", "ins", "small", "center", "br", "hr",
     "h1", "h2", "h3", "h4", "h5", "h6", "img", "a", "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot",
     "tr", "td", "th", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "figure", "figcaption", "pre", "code",
     "sub", "sup"}
)
# On every allowed element: presentation and Sina's CMS/analytics markers, all inert.
GLOBAL_ATTRIBUTES = frozenset(
    {"class", "id", "title", "align", "lang", "dir", "style", "cms-style", "node-type", "sax-type", "suda-uatrack",
     "hidefocus", "data-sudaclick", "data-id", "data-inserttype", "data-comos-dataid", "data-ad-pdps",
     "data-ad-status"}
)
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "target", "rel"}),
    "img": frozenset({"src", "alt", "width", "height", "border", "referrerpolicy", "cms-width", "cms-height",
                      "data-link", "data-mcesrc", "data-mce-attachid", "data-mceattachid", "data-mceselected"}),
    "table": frozenset({"border", "cellpadding", "cellspacing", "width", "summary"}),
    "td": frozenset({"colspan", "rowspan", "width", "height", "valign"}),
    "th": frozenset({"colspan", "rowspan", "width", "height", "valign", "scope"}),
    "col": frozenset({"span", "width"}),
    "colgroup": frozenset({"span", "width"}),
    "ol": frozenset({"start", "type"}),
    "li": frozenset({"value"}),
    "font": frozenset({"color", "size", "face"}),
    "style": frozenset({"type"}),
}
URL_ATTRIBUTES = frozenset({"href", "src"})
URL_SCHEMES = frozenset({"http", "https"})
# Attributes outside the allowlist that load, submit, run or re-define something: never inert.
# Any other well-formed name is kept when its value is no URL (Sina's CMS marks paragraphs
# ``nodescore="4" extrascore="0"``; the seed format keeps them).
ACTIVE_ATTRIBUTES = frozenset(
    {"srcdoc", "srcset", "background", "poster", "lowsrc", "dynsrc", "data", "codebase", "classid", "archive",
     "action", "formaction", "ping", "manifest", "usemap", "longdesc", "cite", "profile", "icon", "xlink:href",
     "xml:base", "xmlns", "is", "http-equiv", "content", "itemtype", "autofocus", "contenteditable", "popover",
     "popovertarget", "formtarget", "nonce", "integrity", "crossorigin", "attributionsrc"}
)
# Dropped with their content when a body is rewritten (text inside them is not article text).
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "noscript", "template", "iframe", "frame", "frameset", "noframes", "object", "applet",
     "embed", "svg", "math", "textarea", "select", "title", "xmp", "noembed", "plaintext"}
)
_DOCUMENT = "<!DOCTYPE html><html><head></head><body><div>"
_URL_NOISE = re.compile(r"[\t\n\r]")  # what a URL parser removes anywhere in a URL
_URL_STRIP = "".join(map(chr, range(0x21)))  # what it strips at both ends: C0 controls and space
# Inert CSS: the colour and length functions only; no escapes, comments, at-rules or markup
# (each can hide url(), expression() or @import), and nothing taken out of the page's flow.
_CSS_FUNCTION = re.compile(r"([a-z-]*)\(")
_CSS_FUNCTIONS = frozenset({"rgb", "rgba", "hsl", "hsla", "calc"})
_CSS_FORBIDDEN = re.compile(r"[\\<>@]|/\*|javascript|expression|behavio|binding|position:(?:fixed|absolute|sticky)")
_ATTRIBUTE_NAME = re.compile(r"[a-z][a-z0-9_.:-]*")
_CSS_RULE = re.compile(r"([^{}]*)\{[^{}]*\}")
# A comment (left as it is) or a whole <style> block, as the seed body writes them.
_STYLE_BLOCK = re.compile(r"<!--.*?-->|(<style\b[^<>]*>(.*?)</style>)", re.S | re.I)


@dataclass(frozen=True)
class Sanitized:
    html: str
    removed: tuple[str, ...]  # what the body held outside the allowlist (see ``findings``); () when kept


def safe_css(css: str) -> bool:
    """A style attribute's value that can load nothing, run nothing and cover nothing."""
    compact = re.sub(r"\s+", "", css.lower())
    if _CSS_FORBIDDEN.search(compact):
        return False
    return all(name in _CSS_FUNCTIONS for name in _CSS_FUNCTION.findall(compact))


def safe_style_element(css: str) -> bool:
    """A ``<style>`` block of class rules with inert declarations (Sina's QR/kaihu blocks)."""
    rules = _CSS_RULE.findall(css)
    if _CSS_RULE.sub("", css).strip() or not safe_css(css):
        return False
    return all(selector.strip().startswith(".") for rule in rules for selector in rule.split(","))


def url_scheme(value: str) -> str:
    """The scheme a browser reads in an attribute URL (``relative`` when there is none)."""
    cleaned = _URL_NOISE.sub("", value).strip(_URL_STRIP)
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
    return match.group(1).lower() if match else "relative"


def inert_attribute(name: str, value: str | None) -> bool:
    """An attribute outside the allowlist that can neither run nor load anything: a well-formed
    name that is not an ``on*`` handler, not in ``ACTIVE_ATTRIBUTES`` and not ``style``, whose
    value is not a URL with a scheme or a ``//host`` (lazy-loading theme scripts fetch
    ``data-src``/``data-original``)."""
    if not _ATTRIBUTE_NAME.fullmatch(name) or name.startswith("on") or name in ACTIVE_ATTRIBUTES:
        return False
    url = _URL_NOISE.sub("", value or "").strip(_URL_STRIP)
    return name != "style" and url_scheme(url) == "relative" and not url.startswith(("//", "\\/", "/\\"))


def attribute_finding(name: str) -> str:
    """``attribute/<name>``; one name for the junk a malformed tag leaves as attribute names."""
    return f"attribute/{name}" if _ATTRIBUTE_NAME.fullmatch(name) else "attribute/malformed"


def findings(body: str, *, style_elements: bool = False) -> tuple[str, ...]:
    """What ``body`` holds outside the allowlist, as a browser parses it, sorted: ``element/<tag>``,
    ``attribute/<name>``, ``url/<scheme>`` (href/src not absolute http(s)) and ``css`` (a style
    that is not inert). ``<style>`` elements count as allowed when ``style_elements`` is set and
    their CSS is inert; inert attributes (``inert_attribute``) are allowed."""
    return _scan(body, style_elements)[0]


def _scan(body: str, style_elements: bool) -> tuple[tuple[str, ...], frozenset[str]]:
    """``findings``, and the names of the inert attributes outside the allowlist it met."""
    found: set[str] = set()
    inert: set[str] = set()
    document = LexborHTMLParser(_DOCUMENT + body, scripting=True)
    for frame in (document.root, document.head, document.body):
        if frame is not None and frame.attributes:  # a <body onload> in the body lands on the page's body
            found.add(f"element/{frame.tag}")
    if document.head is not None and document.head.child is not None:
        found.add("element/head")
    for node in document.body.traverse():
        tag = node.tag
        if tag is None or tag.startswith("-"):  # text, comments (and <?…?>, a comment to a browser)
            continue
        if tag == "style" and style_elements:
            if not safe_style_element(node.text(deep=True)):
                found.add("css")
        elif tag not in ALLOWED_ELEMENTS and tag != "body":
            found.add(f"element/{tag}")
            continue  # goes with its attributes
        allowed = ALLOWED_ATTRIBUTES.get(tag, frozenset())
        for name, value in node.attributes.items():
            if name not in GLOBAL_ATTRIBUTES and name not in allowed:
                if inert_attribute(name, value):
                    inert.add(name)
                else:
                    found.add(attribute_finding(name))
            elif name in URL_ATTRIBUTES and (scheme := url_scheme(value or "")) not in URL_SCHEMES:
                found.add(f"url/{scheme}")
            elif name == "style" and value and not safe_css(value):
                found.add("css")
    return tuple(sorted(found)), frozenset(inert)


def sanitize(body: str, base_url: str, *, style_elements: bool = False) -> Sanitized:
    """``body`` as it is when it holds nothing outside the allowlist, else rewritten by nh3,
    keeping the inert attributes it holds and, with ``style_elements``, its inert ``<style>``
    blocks; ``removed`` names what the rewrite took out."""
    removed, inert = _scan(body, style_elements)
    if not removed:
        return Sanitized(body, ())
    if style_elements:
        kept = _with_style_elements(body, base_url, inert)
        if kept is not None:
            return Sanitized(kept, removed)
    return Sanitized(rewrite(body, base_url, inert), removed)


def _with_style_elements(body: str, base_url: str, inert: frozenset[str]) -> str | None:
    """``rewrite`` with each inert ``<style>`` block (outside comments) put back where it stood;
    None when the result would not pass ``findings`` (a block that was not a style element to a
    browser)."""
    marker = "sanitize-style-"
    while marker in body:
        marker += "-"
    blocks: list[str] = []

    def park(match: re.Match[str]) -> str:
        if match.group(1) is None or not safe_style_element(match.group(2)):
            return match.group(0)
        blocks.append(match.group(1))
        return f"<!--{marker}{len(blocks) - 1}-->"

    parked = _STYLE_BLOCK.sub(park, body)
    out = rewrite(parked, base_url, inert)
    out = re.sub(rf"<!--{re.escape(marker)}(\d+)-->", lambda match: blocks[int(match.group(1))], out)
    return out if not findings(out, style_elements=True) else None


def rewrite(body: str, base_url: str, inert: frozenset[str] = frozenset()) -> str:
    """``body`` through nh3 under the allowlist: disallowed elements unwrapped (or dropped with
    their content, ``DROPPED_WITH_CONTENT``), disallowed attributes and styles dropped (``inert``
    names attributes to keep where ``inert_attribute`` holds), relative URLs made absolute,
    other schemes than http(s) dropped, links given ``rel="noopener noreferrer"``, comments kept
    (clean mode reads Sina's ad comment pairs)."""
    attributes = {tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items() if tag != "style"}
    attributes["a"].discard("rel")  # nh3 writes it (link_rel)
    attributes["*"] = set(GLOBAL_ATTRIBUTES) | set(inert)
    return nh3.clean(
        body,
        tags=set(ALLOWED_ELEMENTS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes=attributes,
        attribute_filter=_attribute_filter,
        strip_comments=False,
        link_rel="noopener noreferrer",
        url_schemes=set(URL_SCHEMES),
        url_relative=("rewrite_with_base", base_url),
    )


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    if name == "style" and not safe_css(value):
        return None
    listed = name in GLOBAL_ATTRIBUTES or name in ALLOWED_ATTRIBUTES.get(tag, ())
    return value if listed or inert_attribute(name, value) else None
