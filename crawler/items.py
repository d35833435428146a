"""The item schema: one Sina article, as the page parsers read it and the pipelines shape it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# How a post's body is written: seed, the reference system's body as one HTML block (Markdown
# renderers leave it alone); seed-exact, the reference system's body byte for byte; clean, the
# article only (no promos, ads, QR blocks, editor line), as one HTML block; markdown, the clean
# body as Markdown.
BODY_MODES = ("seed", "seed-exact", "clean", "markdown")


@dataclass
class RollEntry:
    """One article as Sina's roll API lists it (times are aware, Asia/Shanghai)."""

    doc_id: str  # without the "comos:" prefix
    url: str  # upgraded to https
    title: str
    ctime: datetime
    mtime: datetime
    intime: datetime
    intro: str = ""
    media_name: str = ""
    keywords: list[str] = field(default_factory=list)
    channel: str = ""


@dataclass
class Article:
    """One article page.

    Every datetime is timezone-aware (Asia/Shanghai when read from a page).
    ``body_html`` is the inner HTML of the article container, as found on the page;
    the post renderer applies the seed-format body rules to it.
    """

    url: str
    doc_id: str
    title: str
    published_at: datetime | None
    body_html: str
    source: str | None = None
    author: str | None = None
    editor: str | None = None
    keywords: list[str] = field(default_factory=list)
    channel: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    # The stocks the article is about (crawler.sina.symbols forms), in order of first mention:
    # the body's stock links and spans, the news_keyword_pub comment, the 个股资讯 lists that led to it.
    stocks: list[str] = field(default_factory=list)
    description: str | None = None
    template: str = ""
    # Front-matter categories; filled from the channel configuration (None = the seed channel's).
    categories: list[str] | None = None
    # The roll API's mtime when a channel crawl listed the article: the state compares it with
    # the next listing to tell an edited article.
    api_mtime: datetime | None = None
    # The channel (of the channel table) whose listing gave the categories.
    roll_channel: str | None = None
    # The channel's body mode (one of BODY_MODES), when its table entry sets one.
    body_mode: str | None = None
    # Set by the exporter: where the post was written.
    output_path: str | None = None
    # Set by the exporter: the post's line of OUTPUT_DIR/index.jsonl (crawler.manifest.FIELDS),
    # what the JSON feed exports (-O items.jsonl / .json) write for the item.
    manifest: dict[str, Any] | None = None

    def apply_listing(self, entry: RollEntry, categories: list[str]) -> None:
        """Take the roll API's values where the reference system did: its doc id, ``intime`` as
        the post date and its title; its media name, keywords and intro only fill gaps."""
        self.doc_id = entry.doc_id
        self.published_at = entry.intime
        self.title = entry.title or self.title
        self.source = self.source or entry.media_name or None
        self.keywords = self.keywords or list(entry.keywords)
        self.description = self.description or entry.intro or None
        self.categories = list(categories)
        self.api_mtime = entry.mtime
        self.roll_channel = entry.channel or None


@dataclass(frozen=True)
class NotArticle:
    """A page that is not an article: the parsers' typed refusal, never an exception."""

    url: str
    reason: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.reason}: {self.detail}" if self.detail else self.reason


@dataclass
class LiveItem:
    """One 7x24 live-feed item (``sina_7x24``), with what its day post needs of its feed."""

    feed: str  # the feed's name in the feed table
    item_id: int
    created: datetime  # aware, Beijing
    html: str  # the item's rich_text, an HTML fragment
    tags: list[str] = field(default_factory=list)  # tag names as the reply gave them
    tag_ids: list[int] = field(default_factory=list)
    docurl: str = ""  # the linked article, if any
    # ext.stocks: {"market": "cn", "symbol": "sh600519", "key": "贵州茅台"} (crawler.sina.zhibo.stock_entries)
    stocks: list[dict[str, str]] = field(default_factory=list)
    post_name: str = ""  # the day post is <post_name> <YYYY-MM-DD>.md
    categories: list[str] = field(default_factory=list)
