"""The post renderer: Article -> the exact text of a seed-format Hexo post (output-format.md).

Pure functions only: no I/O, no settings, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from email.utils import formatdate

from crawler.items import Article
from pipelines.format.seed_body import seed_body
from pipelines.format.title import quote_title, sanitise_title

SEED_CATEGORIES = ("金融", "新浪财经", "新浪财经－国內")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_IMG_SRC = re.compile(r"""<img\b[^>]*?\ssrc=(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def rfc822_gmt(article: Article) -> str:
    if article.published_at is None:
        raise ValueError(f"{article.url}: no publish time to render")
    return formatdate(article.published_at.timestamp(), usegmt=True)


def first_image(body: str) -> str:
    """``src`` of the first ``<img>`` outside HTML comments, or '' when there is none."""
    match = _IMG_SRC.search(_COMMENT.sub("", body))
    if not match:
        return ""
    return next(group for group in match.groups() if group is not None)


def escape_braces(text: str) -> str:
    return text.replace("{", "&#123;").replace("}", "&#125;")


def render_post(article: Article) -> str:
    categories: Sequence[str] = article.categories or SEED_CATEGORIES
    body = seed_body(article.body_html, article.url)
    image = first_image(body)
    lines = [
        "",
        "---",
        f"title: {quote_title(sanitise_title(article.title))}",
        "categories: ",
        *(f" - {category}" for category in categories),
        f"headimg: '{image}'",
        f"author: {categories[1]}",
        "comments: false",
        f"date: {rfc822_gmt(article)}",
        f"thumbnail: '{image}'",
        "---",
        "",
        "<div>   ",
    ]
    return escape_braces("\n".join(lines) + "\n" + body + "  \n</div>\n" + " " * 12)
