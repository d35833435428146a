"""Scrapy add-ons of the project (listed in ``ADDONS``).

SinaMirrorAddon: with ``SINA_MIRROR`` set, every request for a Sina host is fetched from that
mirror (``crawler.mirror``) by a download handler, so every middleware, item and file still
sees the real URL. Unset (every live run), it disables itself and the crawl never imports the
mirror package.
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings

MIRROR_HANDLER = "crawler.mirror.handler.SinaMirrorDownloadHandler"


class SinaMirrorAddon:
    def __init__(self, mirror: str) -> None:
        self.mirror = mirror

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SinaMirrorAddon:
        mirror = crawler.settings.get("SINA_MIRROR", "")
        if not mirror:
            raise NotConfigured  # silently: a live crawl
        return cls(mirror)

    def update_settings(self, settings: Settings) -> None:
        for scheme in ("http", "https"):
            settings["DOWNLOAD_HANDLERS"][scheme] = MIRROR_HANDLER
