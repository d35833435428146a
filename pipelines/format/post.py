"""The post renderer: Article -> the exact text of a seed-format Hexo post (output-format.md),
with its body in one of the BODY_MODES, sanitized (``sanitize``), and optional extra
front-matter keys after the seed's.

Pure functions only: no I/O, no settings, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import formatdate

import yaml

from crawler.items import BODY_MODES, Article
from crawler.values import SHANGHAI
from pipelines.format.clean_body import clean_body
from pipelines.format.html_block import one_html_block
from pipelines.format.markdown_body import markdown_body
from pipelines.format.sanitize import sanitize
from pipelines.format.seed_body import seed_rewrite
from pipelines.format.title import quote_title, sanitise_title

SEED_CATEGORIES = ("金融", "新浪财经", "新浪财经－国內")
BODY_OPEN, BODY_CLOSE = "<div>   \n", "  \n</div>\n" + " " * 12
EXTRA_KEYS = ("link", "doc_id", "source", "keywords", "updated", "description", "editor", "channel", "stocks")
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


def post_title(article: Article) -> str:
    """The title as the front matter holds it (before quoting)."""
    return sanitise_title(article.title)


def post_categories(article: Article) -> list[str]:
    """The front matter's categories: the article's, else the seed channel's."""
    return list(article.categories or SEED_CATEGORIES)


def extra_front_matter(article: Article, keys: Sequence[str]) -> list[str]:
    """YAML lines for the chosen EXTRA_KEYS that have a value, in the order asked for."""
    values = {
        "link": article.url,
        "doc_id": article.doc_id,
        "source": article.source,
        "keywords": list(article.keywords) or None,
        "updated": article.api_mtime.astimezone(SHANGHAI).isoformat() if article.api_mtime else None,
        "description": article.description,
        "editor": article.editor,
        "channel": article.roll_channel,
        "stocks": list(article.stocks),
    }
    lines = []
    for key in keys:
        if key not in values:
            raise ValueError(f"unknown extra front matter key {key!r}; known: {', '.join(EXTRA_KEYS)}")
        if key == "stocks":  # a flow list on one line, [] too: none found is not unknown
            lines.append(f"stocks: [{', '.join(values[key])}]")
        elif values[key]:
            dumped = yaml.safe_dump({key: values[key]}, allow_unicode=True, width=10**9, sort_keys=False)
            lines += dumped.rstrip("\n").split("\n")
    return lines


@dataclass(frozen=True)
class RenderedPost:
    text: str
    sanitized: tuple[str, ...]  # what the sanitizer removed from the body (``sanitize.findings``)


def render_post(article: Article, body_mode: str = "seed", extra_keys: Sequence[str] = ()) -> str:
    """The post's text: seed front matter (plus ``extra_keys``) and the body in ``body_mode``."""
    return render(article, body_mode, extra_keys).text


def render(article: Article, body_mode: str = "seed", extra_keys: Sequence[str] = ()) -> RenderedPost:
    """``render_post`` with what the sanitizer removed from the body."""
    if body_mode not in BODY_MODES:
        raise ValueError(f"unknown body mode {body_mode!r}; known: {', '.join(BODY_MODES)}")
    categories = post_categories(article)
    # Seed bodies keep Sina's inert <style> blocks, as the reference posts do.
    rewritten = seed_rewrite(article.body_html, article.url, exact=body_mode == "seed-exact")
    seed = sanitize(rewritten.html, article.url, style_elements=True)
    html, removed = seed.html, {*rewritten.removed, *seed.removed}
    if body_mode in ("clean", "markdown"):
        clean = sanitize(clean_body(html), article.url)
        html = clean.html
        removed.update(clean.removed)
    # The picture of the body being written: the seed's rule in the seed modes; in clean and
    # Markdown the article's own first image (a promo or QR code the body dropped is not it).
    image = first_image(html)
    if body_mode in ("seed", "clean"):
        html = one_html_block(html)
    lines = [
        "",
        "---",
        f"title: {quote_title(post_title(article))}",
        "categories: ",
        *(f" - {category}" for category in categories),
        f"headimg: '{image}'",
        f"author: {categories[1]}",
        "comments: false",
        f"date: {rfc822_gmt(article)}",
        f"thumbnail: '{image}'",
        *extra_front_matter(article, extra_keys),
        "---",
        "",
    ]
    head = "\n".join(lines) + "\n"
    body = markdown_body(html) if body_mode == "markdown" else BODY_OPEN + html + BODY_CLOSE
    return RenderedPost(escape_braces(head + body), tuple(sorted(removed)))


def body_mode_of(body: str) -> str:
    """The mode a post body (the text after the front matter) was written in: ``markdown``
    without the ``<div>`` frame; ``seed-exact`` with blank or indented lines; ``seed`` when clean
    mode would still remove something; else ``clean`` (the same bytes either way)."""
    if not (body.startswith(BODY_OPEN) and body.endswith(BODY_CLOSE)):
        return "markdown"
    inner = body[len(BODY_OPEN) : -len(BODY_CLOSE)]
    if inner != inner.strip(" \t\r\n") or re.search(r"\n[ \t]*\n|\n[ \t]", inner):
        return "seed-exact"
    return "clean" if one_html_block(clean_body(inner)) == inner else "seed"
