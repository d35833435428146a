"""Re-rendering posts in another body mode (``python -m crawler.export``): seed posts read back
into Articles and rendered again, writing only the files whose bytes change."""

from __future__ import annotations

import sys
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import yaml

from crawler.items import Article
from crawler.store.atomic import write_atomic
from crawler.values import SHANGHAI
from pipelines.format import EXTRA_KEYS, render_post

OPENING = "\n---\n\n<div>   \n"
CLOSING = "  \n</div>\n" + " " * 12
# Extra front-matter keys -> the Article fields they were written from.
FIELD_OF_KEY = {"link": "url", "doc_id": "doc_id", "source": "source", "keywords": "keywords",
                "description": "description", "editor": "editor", "channel": "roll_channel", "stocks": "stocks"}


class NotSeedPost(ValueError):
    """A file that is not a post with an HTML body in the seed layout."""


def unbrace(text: str) -> str:
    return text.replace("&#123;", "{").replace("&#125;", "}")


def read_post(text: str) -> tuple[Article, list[str]]:
    """The Article a seed (or clean) post was written from, and its extra front-matter keys."""
    if not text.startswith("\n---\n") or OPENING not in text or not text.endswith(CLOSING):
        raise NotSeedPost("not a post with an HTML body (a Markdown post cannot be re-rendered)")
    head, body = text[len("\n---\n"):].split(OPENING, 1)
    meta = yaml.safe_load(unbrace(head))
    extra = [key for key in meta if key in EXTRA_KEYS]
    article = Article(
        url=meta.get("link") or "https://finance.sina.com.cn/",
        doc_id=str(meta.get("doc_id") or ""),
        title=str(meta["title"]),
        published_at=parsedate_to_datetime(meta["date"]).astimezone(SHANGHAI),
        body_html=unbrace(body[: -len(CLOSING)]),
        categories=[str(c) for c in meta["categories"]],
    )
    for key in extra:
        if key in FIELD_OF_KEY:
            setattr(article, FIELD_OF_KEY[key], meta[key])
    if "updated" in meta:
        article.api_mtime = datetime.fromisoformat(str(meta["updated"]))
    return article, extra


def export_posts(source: Path, folder: Path, mode: str) -> dict[str, int]:
    """Re-render every post under ``source`` into ``folder``; counts of written, unchanged and refused
    (each refusal is one line on stderr)."""
    counts = {"written": 0, "unchanged": 0, "refused": 0}
    for path in sorted(source.rglob("*.md")):
        relative = path.relative_to(source)
        if any(part.startswith(".") for part in relative.parts):
            continue
        try:
            article, extra = read_post(path.read_text(encoding="utf-8"))
        except (NotSeedPost, KeyError, TypeError, ValueError, yaml.YAMLError) as error:
            counts["refused"] += 1
            print(f"crawler.export: skipped {relative}: {error}", file=sys.stderr)
            continue
        data = render_post(article, mode, extra).encode("utf-8")
        target = folder / relative
        if target.exists() and target.read_bytes() == data:
            counts["unchanged"] += 1
            continue
        write_atomic(target, data)
        counts["written"] += 1
    return counts
