"""What a reader sees: the text of a page's body container and of a post's body, as an HTML5
parser (Lexbor, through selectolax) builds their DOM, and Markdown posts as Hexo renders them.

``shown`` is the text a browser displays of a subtree, to the precision these checks need:
text nodes outside elements that show nothing (script, style, template, iframe, noscript with
scripting on), runs of ASCII whitespace collapsed to one space as CSS does (NBSP and U+3000 are
not collapsed), and nothing else changed.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawler.sina.pages.decode import decode_page
from tests.support.hexo import HEXO, hexo_site
from tests.support.pages import FixturePage

HIDDEN = frozenset({"script", "style", "template", "iframe", "noscript", "noembed", "noframes", "title", "head"})
_SPACE = re.compile(r"[ \t\n\r\f]+")
_DOCUMENT = "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body><div id='post-body'>"
# Each saved article's body container (expected.json ``body_container``), as a CSS selector;
# None: the innermost ``td.l17``.
CONTAINERS = {
    "cwced_chanye.finance_2005-03-21_244339": None,
    "gne_finance_roll_2018-12-28_ihqfskcn2160999": "#artibody",
    "gne_news.sina_2019-11-25_iihnzahi3275702": "#article",
    "magichtml_finance_forex_2016-05-25_ifxsktkp9337164": "#artibody",
    "magichtml_mobile_finance.sina.cn_sa_2005-08-26_ikknscsi2623250": "section.art_content",
    "magichtml_news.sina_2024-05-10_inausehc2630922": "#article",
    "netgen_finance_chanjing_2012-01-13_11191698": "#artibody",
    "zebra_finance_stock_2011-08-22_145810356592.shtml": "#artibody",
}


def shown(node: LexborNode) -> str:
    """The text ``node``'s subtree shows, whitespace collapsed and stripped."""
    parts: list[str] = []

    def walk(current: LexborNode) -> None:
        child = current.child
        while child is not None:
            if child.tag == "-text":
                parts.append(child.text_content or "")
            elif child.tag and not child.tag.startswith("-") and child.tag not in HIDDEN:
                walk(child)
            child = child.next

    walk(node)
    return _SPACE.sub(" ", "".join(parts)).strip(" ")


def page_container(page: FixturePage, html: str | None = None) -> LexborNode:
    """The body container of a saved page (or of ``html``, the page's text changed), as a
    browser parses the page."""
    text = html if html is not None else decode_page(page.body(), page.headers)[0]
    document = LexborHTMLParser(text, scripting=True)
    selector = CONTAINERS[page.stem]
    if selector is not None:
        return document.css_first(selector)
    cells = document.css("td.l17")
    return next(cell for cell in cells if len(cell.css("td.l17")) == 1)  # css() includes the cell itself


def post_body(post: str) -> str:
    """The body of a post's text: after the front matter, the ``{``/``}`` references as Hexo
    leaves them (they are HTML character references, read as such)."""
    return post.split("\n---\n", 2)[2]


def html_body(body: str) -> LexborNode:
    """A post body (HTML) as a browser parses it inside the page Hexo writes."""
    return LexborHTMLParser(_DOCUMENT + body, scripting=True).css_first("#post-body")


def hexo_contents(root: Path, posts: dict[str, str]) -> dict[str, str]:
    """name -> the HTML Hexo renders of each post's text (``posts``: name -> post text), with the
    site's own renderer (hexo-renderer-marked, its defaults)."""
    site = hexo_site(root)
    for name, text in posts.items():
        (site / "source" / "_posts" / f"{name}.md").write_text(text, encoding="utf-8")
    result = subprocess.run(["node", str(HEXO / "post-contents.js"), str(site)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return {source.removeprefix("_posts/").removesuffix(".md"): html for source, html in json.loads(result.stdout).items()}
