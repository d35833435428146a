"""WarcArchiveMiddleware: with ``ARCHIVE_DIR`` set, every response any spider receives (listing
replies, article pages, robots.txt, error answers) goes into the WARC archive of
crawler.store.warc, under the real URL; unset, it disables itself. An archive that cannot be
written is an ERROR (``archive/unavailable``, ``archive/write_failed``), never a failed fetch.

It sits next to the downloader (after HttpCompression, cookies and the mirror's handler), so it
records the request headers as sent and the body as received, still compressed when it came so.
"""

from __future__ import annotations

import json
import logging
import socket
import sqlite3
from datetime import UTC, datetime
from http.client import responses
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.defer import deferred_to_future
from twisted.internet.threads import deferToThread

from crawler.store.warc import Exchange, WarcWriter

logger = logging.getLogger(__name__)
STARTED = "archive_started"


def crawler_version() -> str:
    try:
        return version("sina-finance-crawler")
    except PackageNotFoundError:
        return "unknown"


def without_password(value: object) -> object:
    """``redis://user:secret@host/0`` -> ``redis://user:***@host/0``; other values as they are."""
    if not isinstance(value, str) or "://" not in value or "@" not in value:
        return value
    parts = urlsplit(value)
    if parts.password is None:
        return value
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@", 1)))


def chosen_settings(settings: BaseSettings) -> dict[str, object]:
    """The settings the project or the command line set (Scrapy's own defaults left out),
    passwords in URLs hidden."""
    chosen = {}
    for name in sorted(settings.attributes):
        if (settings.getpriority(name) or 0) > 0:
            value = settings[name]
            chosen[name] = value.copy_to_dict() if isinstance(value, BaseSettings) else without_password(value)
    return chosen


def warcinfo(crawler: Crawler) -> dict[str, str]:
    spider = crawler.spidercls.name if crawler.spidercls else ""
    return {
        "software": f"sina-finance-crawler/{crawler_version()} (Scrapy, warcio)",
        "format": "WARC File Format 1.1",
        "conformsTo": "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "hostname": socket.gethostname(),
        "isPartOf": spider,
        "http-header-user-agent": crawler.settings.get("USER_AGENT", ""),
        "robots": "obey" if crawler.settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        "crawler-settings": json.dumps(chosen_settings(crawler.settings), ensure_ascii=False, sort_keys=True,
                                       default=str),
    }


def header_pairs(headers: object) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1"))
            for name, values in headers.items() for value in values]  # type: ignore[attr-defined]


class WarcArchiveMiddleware:
    def __init__(self, crawler: Crawler, folder: Path) -> None:
        self.crawler = crawler
        self.folder = folder
        self.max_bytes = crawler.settings.getint("ARCHIVE_MAX_BYTES", 1_000_000_000)
        self.writer: WarcWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcArchiveMiddleware:
        folder = crawler.settings.get("ARCHIVE_DIR", "")
        if not folder:
            raise NotConfigured  # silently: the archive is off
        middleware = cls(crawler, Path(folder))
        crawler.signals.connect(middleware.open, signal=signals.spider_opened)
        crawler.signals.connect(middleware.close, signal=signals.engine_stopped)
        return middleware

    def open(self) -> None:
        try:
            self.writer = WarcWriter(self.folder, self.max_bytes, warcinfo(self.crawler))
        except (OSError, sqlite3.Error) as error:
            # The posts matter more than their archive: the crawl goes on, loudly, without one.
            self.crawler.stats.inc_value("archive/unavailable")
            logger.error("Archive unavailable, this crawl keeps no pages: %s: %s", self.folder, error)
            return
        for path in self.writer.repaired:
            logger.warning("Archive file of a killed crawl closed: %s", path)
        logger.info("Archiving every response under %s", self.folder)

    def process_request(self, request: Request) -> None:
        request.meta[STARTED] = datetime.now(UTC)

    async def process_response(self, request: Request, response: Response) -> Response:
        if self.writer is None:
            return response
        exchange = Exchange(
            url=request.url,
            started=request.meta.get(STARTED) or datetime.now(UTC),
            status=response.status,
            reason=responses.get(response.status, ""),
            response_headers=header_pairs(response.headers),
            body=response.body,
            method=request.method,
            request_headers=header_pairs(request.headers),
            request_body=request.body,
        )
        # In a thread: the reactor reads other pages meanwhile; the response goes on once it is kept.
        try:
            kind = await deferred_to_future(deferToThread(self.writer.write, exchange))
        except (OSError, sqlite3.Error) as error:
            self.crawler.stats.inc_value("archive/write_failed")
            logger.error("Could not archive %s: %s", request.url, error)
            return response
        self.crawler.stats.inc_value(f"archive/{kind}")
        self.crawler.stats.inc_value("archive/bytes", len(response.body))
        return response

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
