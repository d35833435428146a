"""``scrapy crawl sina_archive_7x24 -a warc=ARCHIVE[,ARCHIVE…]``: 7x24 day posts from the feed
replies of a WARC archive, no fetching (``python -m crawler.reextract`` runs it after
``sina_archive``).

Each 200 reply of ``/api/zhibo/feed`` names its feed of ZHIBO_FEEDS_FILE by ``zhibo_id`` and
``tag_id``; every item of it is yielded as the newest reply holding it shows it, through the same
pipeline as ``sina_7x24`` (``pipelines.live``). Replies of feeds not in the table are counted
(``archive/skipped/feed_reply_of_no_feed``). The feeds' marks are left alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import scrapy

from crawler.items import LiveItem
from crawler.plumbing.arguments import ARCHIVE_ARGUMENTS, archive_paths
from crawler.sina.zhibo import FEED_PATH, ZHIBO_HOST, FeedError, LiveEntry, load_feeds, parse_feed
from crawler.store.warc_read import Archive


class SinaArchive7x24Spider(scrapy.Spider):
    name = "sina_archive_7x24"
    arguments = ARCHIVE_ARGUMENTS
    custom_settings = {"ITEM_PIPELINES": {"pipelines.live.LivePostPipeline": 800}}

    def __init__(self, warc: str | list[str] = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.paths = archive_paths(warc)

    async def start(self) -> AsyncIterator[LiveItem]:
        stats = self.crawler.stats
        feeds = load_feeds(self.settings.get("ZHIBO_FEEDS_FILE") or None)
        by_query = {(feed.zhibo_id, feed.tag_id): feed for feed in feeds.values()}
        archive = Archive(self.paths)
        newest: dict[tuple[str, int], tuple[datetime, int, LiveEntry]] = {}
        for capture in archive.captures:
            parts = urlsplit(capture.url)
            if capture.status != 200 or (parts.hostname or "").lower() != ZHIBO_HOST or parts.path != FEED_PATH:
                continue
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            try:
                feed = by_query.get((int(query.get("zhibo_id") or 152), int(query.get("tag_id") or 0)))
            except ValueError:
                feed = None
            reply = archive.read(capture) if feed is not None else None
            if feed is None or reply is None:
                stats.inc_value("archive/skipped/feed_reply_of_no_feed")
                continue
            try:
                page = parse_feed(reply.body)
            except FeedError:
                stats.inc_value("archive/skipped/feed_reply_unusable")
                continue
            stats.inc_value("archive/feed_replies")
            for entry in page.entries:
                key = (feed.name, entry.item_id)
                if key not in newest or (capture.moment, capture.order) > newest[key][:2]:
                    newest[key] = (capture.moment, capture.order, entry)
        for (name, _), (_, _, entry) in sorted(newest.items()):
            feed = feeds[name]
            yield LiveItem(feed=name, item_id=entry.item_id, created=entry.created, html=entry.html,
                           tags=list(entry.tags), tag_ids=list(entry.tag_ids), docurl=entry.docurl,
                           stocks=list(entry.stocks), post_name=feed.post_name, categories=list(feed.categories))
