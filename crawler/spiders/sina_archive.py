"""``scrapy crawl sina_archive -a warc=ARCHIVE[,ARCHIVE…]``: posts from a WARC archive, no fetching
(``python -m crawler.reextract`` runs it).

Every Sina page of the archive is read from its newest 200 capture with today's readers, and its
article goes through the same pipelines, exporter and state as a crawl's. The archive's roll API
replies give each article its listing, as ``sina_finance`` would: the reply's (pageid, lid) names
the channel of CHANNELS_FILE; of the channels whose replies listed the page's URL before the page
was captured (any listing, when none came before), the one the state knows the article under, else
the first in the channel table; the entry is that channel's newest such listing. A page no reply
lists is written as ``sina_article`` writes it. Records of other sites are skipped and counted
(``archive/skipped/other_site``), as are Sina answers that are not pages (robots.txt, JSON, images:
``archive/skipped/not_a_page``). 7x24 feed replies are not turned back into day posts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import scrapy
from scrapy.http import Response

from crawler.items import Article, RollEntry
from crawler.plumbing.arguments import ARCHIVE_ARGUMENTS, archive_paths, url_problem
from crawler.plumbing.reading import read_article
from crawler.sina.channels import Channel, load_channels
from crawler.sina.roll import ROLL_HOSTS, RollError, parse_roll
from crawler.sina.zhibo import FEED_PATH, ZHIBO_HOST
from crawler.store.state import FORGOTTEN, crawl_state
from crawler.store.warc_read import Archive, Capture, url_key

ROLL_PATH = "/api/roll/get"
PAGE_TYPES = ("text/html", "application/xhtml", "text/plain")


@dataclasses.dataclass(frozen=True)
class Listing:
    moment: datetime
    channel: Channel
    entry: RollEntry


class SinaArchiveSpider(scrapy.Spider):
    name = "sina_archive"
    arguments = ARCHIVE_ARGUMENTS

    def __init__(self, warc: str | list[str] = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.paths = archive_paths(warc)

    async def start(self) -> AsyncIterator[Article]:
        stats = self.crawler.stats
        self.state = crawl_state(self.crawler)
        self.table = load_channels(self.settings.get("CHANNELS_FILE") or None)
        archive = Archive(self.paths)
        stats.set_value("archive/files", len(archive.files))
        listings = self.listings(archive)
        for key, capture in sorted(archive.newest(lambda c: c.status == 200).items()):
            if url_problem(capture.url) is not None:
                stats.inc_value("archive/skipped/other_site")
                continue
            if self.is_listing(capture) or capture.key.endswith("/robots.txt"):
                if urlsplit(capture.url).path == FEED_PATH:
                    stats.inc_value("archive/feed_replies_seen")  # for sina_archive_7x24
                continue
            reply = archive.read(capture)
            if reply is None:
                stats.inc_value("archive/skipped/revisit_without_original")
                continue
            content_type = next((v for k, v in reply.headers if k.lower() == "content-type"), "")
            if content_type and not content_type.lower().startswith(PAGE_TYPES):
                stats.inc_value("archive/skipped/not_a_page")
                continue
            stats.inc_value("archive/pages")
            response = Response(capture.url, status=200, headers=reply.headers, body=reply.body)
            article = await read_article(self, response)
            if article is None:
                continue
            listing = self.pick(listings.get(key, []), capture.moment)
            if listing is not None:
                stats.inc_value("archive/listed")
                article.apply_listing(dataclasses.replace(listing.entry, channel=listing.channel.name),
                                      list(listing.channel.categories))
                article.body_mode = listing.channel.body_mode
            yield article

    @staticmethod
    def is_listing(capture: Capture) -> bool:
        parts = urlsplit(capture.url)
        host = (parts.hostname or "").lower()
        return (host in ROLL_HOSTS and parts.path == ROLL_PATH) or (host == ZHIBO_HOST and parts.path == FEED_PATH)

    def listings(self, archive: Archive) -> dict[str, list[Listing]]:
        """Page URL key -> every roll listing of it in the archive, under a channel of the table."""
        by_pair = {(channel.pageid, channel.lid): channel for channel in self.table.values()}
        found: dict[str, list[Listing]] = {}
        for capture in archive.captures:
            parts = urlsplit(capture.url)
            if capture.status != 200 or (parts.hostname or "") not in ROLL_HOSTS or parts.path != ROLL_PATH:
                continue
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            channel = by_pair.get((int(query.get("pageid", "0") or 0), int(query.get("lid", "0") or 0)))
            reply = archive.read(capture)
            if channel is None or reply is None:
                self.crawler.stats.inc_value("archive/skipped/roll_reply_of_no_channel")
                continue
            try:
                page = parse_roll(reply.body, channel.name)
            except RollError:
                self.crawler.stats.inc_value("archive/skipped/roll_reply_unusable")
                continue
            self.crawler.stats.inc_value("archive/roll_replies")
            for entry in page.entries:
                found.setdefault(url_key(entry.url), []).append(Listing(capture.moment, channel, entry))
        return found

    def pick(self, listings: list[Listing], fetched: datetime) -> Listing | None:
        """The listing the crawl that fetched the page would have used (see the module's doc)."""
        before = [listing for listing in listings if listing.moment <= fetched] or listings
        if not before:
            return None
        order = list(self.table)
        known = self.state.article(before[0].entry.doc_id)
        home = self.table.get(known.channel) if known and known.status != FORGOTTEN and known.channel else None
        names = {listing.channel.name for listing in before}
        channel = home.name if home and home.name in names else min(names, key=order.index)
        return max((listing for listing in before if listing.channel.name == channel), key=lambda x: x.moment)
