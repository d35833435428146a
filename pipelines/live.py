"""LivePostPipeline: 7x24 items (``LiveItem``) become one post per feed and Beijing day,
``OUTPUT_DIR/<YYYY-MM-DD>/<post_name> <YYYY-MM-DD>.md``, and ``OUTPUT_DIR/7x24.jsonl``.

Each new or changed item rewrites its day post atomically with every item of that day the state
holds plus this one, and only then is recorded in the state: so a post never loses an item it
showed, and a crash leaves at most an item the next run writes again. ``7x24.jsonl`` (one JSON
line per item, sorted by feed, time and id: ``feed``, ``id``, ``created`` (ISO 8601 +08:00),
``text`` (plain), ``tags``, ``tag_ids``, ``docurl``, ``stocks`` (every ``ext.stocks`` entry:
``market``, ``symbol``, ``key``), ``path`` of its post) is derived
from the state at the end of the crawl and rewritten only when it changes. Other items pass.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import lxml.html
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from crawler.items import LiveItem
from crawler.store.atomic import write_atomic
from crawler.store.state import StateStore, crawl_state
from crawler.values import SHANGHAI, clean_text
from pipelines.format.live_post import item_block, live_post_file, render_live_post

logger = logging.getLogger(__name__)
LIVE_INDEX_NAME = "7x24.jsonl"
JSONL_FIELDS = ("feed", "id", "created", "text", "tags", "tag_ids", "docurl", "stocks", "path")


def plain_text(fragment: str) -> str:
    try:
        return clean_text(lxml.html.fragment_fromstring(fragment, create_parent="div").text_content())
    except (ValueError, lxml.etree.ParserError):
        return ""


class LivePostPipeline:
    def __init__(self, output_dir: str, stats: StatsCollector, state: StateStore) -> None:
        self.root = Path(output_dir)
        self.stats = stats
        self.state = state
        self.blocks: dict[tuple[str, int, str], str] = {}  # (feed, id, rich_text) -> rendered item
        self.new_posts: set[str] = set()  # day posts this run created, and rewrote
        self.updated_posts: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LivePostPipeline:
        return cls(crawler.settings.get("OUTPUT_DIR", "output"), crawler.stats, crawl_state(crawler))

    def open_spider(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def record_of(self, item: LiveItem) -> dict:
        created = item.created.astimezone(SHANGHAI).replace(microsecond=0)
        day = f"{created:%Y-%m-%d}"
        return {"feed": item.feed, "id": item.item_id, "day": day, "created": created.isoformat(),
                "html": item.html, "text": plain_text(item.html), "tags": list(item.tags),
                "tag_ids": list(item.tag_ids), "docurl": item.docurl, "stocks": list(item.stocks),
                "path": live_post_file(item.post_name, day)}

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, LiveItem):
            return item
        record = self.record_of(item)
        known = {entry["id"]: entry for entry in self.state.live_items(item.feed, record["day"])}
        if known.get(item.item_id) == record:
            self.stats.inc_value("live/unchanged")
            return item
        outcome = "live/updated" if item.item_id in known else "live/written"
        known[item.item_id] = record
        text = render_live_post(item.post_name, record["day"], item.categories, list(known.values()), self.block)
        path = self.root / record["path"]
        data = text.encode("utf-8")
        try:
            existed = path.exists()
            if not existed or path.read_bytes() != data:
                write_atomic(path, data)
                if record["path"] not in self.new_posts:
                    (self.updated_posts if existed else self.new_posts).add(record["path"])
        except OSError as error:
            self.stats.inc_value("live/dropped/output_unwritable")
            logger.error("Cannot write %s: %s; item %s is not recorded", path, error, item.item_id)
            raise DropItem(f"output_unwritable: {path}: {error}") from None
        self.state.record_live_items(item.feed, [record])
        self.stats.inc_value(outcome)
        return item

    def block(self, record: dict) -> str:
        key = (record["feed"], int(record["id"]), record["html"])
        if key not in self.blocks:
            html, removed = item_block(record)
            for what in removed:
                self.stats.inc_value(f"live/sanitized/{what}")
            self.blocks[key] = html
        return self.blocks[key]

    def close_spider(self) -> None:
        self.stats.set_value("live/posts_new", len(self.new_posts))
        self.stats.set_value("live/posts_updated", len(self.updated_posts))
        lines = [json.dumps({name: record.get(name) for name in JSONL_FIELDS}, ensure_ascii=False) + "\n"
                 for record in self.state.live_items()]
        data = "".join(lines).encode("utf-8")
        target = self.root / LIVE_INDEX_NAME
        try:
            if not target.exists() or target.read_bytes() != data:
                write_atomic(target, data)
        except OSError as error:
            logger.error("Cannot write %s: %s", target, error)
