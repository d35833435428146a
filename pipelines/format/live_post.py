"""The 7x24 day post, pure: one feed's items of one Beijing day -> a seed-format Hexo post.

The front matter is the seed's (``post``): the title ``<post_name> <YYYY-MM-DD>``, the feed's
three categories, the second as author, the first image of the body as headimg/thumbnail, and
the day's first item's time as the date (so the date holds while later items arrive). The body,
inside the seed's ``<div>`` frame and as one HTML block, is a list ``<ol class="zhibo-list">`` of the
day's items oldest first, each an ``<li class="zhibo-item" id="zhibo-<id>">`` with its
``<time datetime="…+08:00">HH:MM:SS</time>``, its text (the reply's rich_text,
rewritten and sanitized as article bodies are), and a line with its tags, its securities (``stocks``: each once, name
and symbol, linked to Sina's quote page) and linked article when it has them. No I/O, no settings, no clock.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import datetime
from email.utils import formatdate

from pipelines.format.file_names import post_file_name
from pipelines.format.html_block import one_html_block
from pipelines.format.post import BODY_CLOSE, BODY_OPEN, escape_braces, first_image
from pipelines.format.sanitize import sanitize
from pipelines.format.seed_body import seed_rewrite
from pipelines.format.stocks import stock_links
from pipelines.format.title import quote_title, sanitise_title

LIVE_BASE_URL = "https://finance.sina.com.cn/7x24/"


def live_post_title(post_name: str, day: str) -> str:
    return f"{post_name} {day}"


def live_post_file(post_name: str, day: str) -> str:
    """``<YYYY-MM-DD>/<post_name> <YYYY-MM-DD>.md``, by the file-name rule of article posts."""
    return f"{day}/{post_file_name(live_post_title(post_name, day), '')}"


def item_text(item: dict) -> tuple[str, tuple[str, ...]]:
    """An item's rich_text as it is published (rewritten, sanitized) and what was removed."""
    rewritten = seed_rewrite(item["html"], LIVE_BASE_URL)
    clean = sanitize(rewritten.html, LIVE_BASE_URL)
    return one_html_block(clean.html).replace("\n", " "), tuple(sorted({*rewritten.removed, *clean.removed}))


def item_block(item: dict) -> tuple[str, tuple[str, ...]]:
    """One item as one line of HTML, and what the sanitizer removed from its text."""
    created = datetime.fromisoformat(item["created"])
    meta = []
    if item.get("tags"):
        meta.append("标签：" + "、".join(html.escape(tag) for tag in item["tags"]))
    if stocks := stock_links(item.get("stocks") or []):
        meta.append("股票：" + "、".join(stocks))
    if item.get("docurl", "").startswith(("http://", "https://")):
        meta.append(f'<a href="{html.escape(item["docurl"])}">原文</a>')
    line = f'<div class="zhibo-meta">{" · ".join(meta)}</div>' if meta else ""
    text, removed = item_text(item)
    return (f'<li class="zhibo-item" id="zhibo-{int(item["id"])}">'
            f'<time datetime="{created.isoformat()}">{created:%H:%M:%S}</time> {text}{line}</li>'), removed


def _block(item: dict) -> str:
    return item_block(item)[0]


def render_live_post(post_name: str, day: str, categories: Sequence[str], items: Sequence[dict],
                     block: Callable[[dict], str] = _block) -> str:
    """The day post of ``items`` (dicts of ``crawler.items.LiveItem`` values with ``created`` as
    ISO 8601); ``block`` renders one item (a caller may cache it)."""
    if not items:
        raise ValueError(f"no items for the day post {post_name} {day}")
    ordered = sorted(items, key=lambda item: (item["created"], int(item["id"])))
    # A list a theme can style: <ol class="zhibo-list">, one <li> per item with its <time>.
    body = one_html_block("\n".join(['<ol class="zhibo-list">', *(block(item) for item in ordered), "</ol>"]))
    image = first_image(body)
    first = datetime.fromisoformat(ordered[0]["created"])
    head = "\n".join([
        "",
        "---",
        f"title: {quote_title(sanitise_title(live_post_title(post_name, day)))}",
        "categories: ",
        *(f" - {category}" for category in categories),
        f"headimg: '{image}'",
        f"author: {categories[1]}",
        "comments: false",
        f"date: {formatdate(first.timestamp(), usegmt=True)}",
        f"thumbnail: '{image}'",
        "---",
        "",
    ]) + "\n"
    return escape_braces(head + BODY_OPEN + body + BODY_CLOSE)
