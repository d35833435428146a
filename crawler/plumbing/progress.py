"""Progress extension: one refreshed line on a terminal (pages scanned, articles written).

Silent when stderr is not a terminal (cron, CI, pipes), or with ``PROGRESS_ENABLED=False``.
When the log also goes to that terminal, the progress line is cleared before each log record
is printed, so the two never share a line; the next refresh draws it again below.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

INTERVAL_SECONDS = 1.0


class Progress:
    def __init__(self, crawler: Crawler, stream: TextIO) -> None:
        self.stats = crawler.stats
        self.stream = stream
        self.loop = task.LoopingCall(self.show)
        self.shown = False  # the progress line is on the screen, unterminated
        self.handlers: list[logging.Handler] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        if not crawler.settings.getbool("PROGRESS_ENABLED", True) or not sys.stderr.isatty():
            raise NotConfigured  # silently: cron and pipes get no progress line
        extension = cls(crawler, sys.stderr)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def line(self) -> str:
        get = self.stats.get_value
        if get("zhibo/pages"):  # sina_7x24
            return (f"feed pages {get('zhibo/pages', 0)} | items {get('live/written', 0)} new "
                    f"{get('live/updated', 0)} updated {get('live/unchanged', 0)} unchanged | "
                    f"errors {get('log_count/ERROR', 0)}")
        return (f"roll pages {get('roll/pages', 0)} | queued {get('roll/to_fetch/new', 0)} new "
                f"{get('roll/to_fetch/changed', 0)} changed | written {get('export/written', 0)} "
                f"updated {get('export/updated', 0)} unchanged {get('export/unchanged', 0)} | "
                f"errors {get('log_count/ERROR', 0)}")

    def show(self) -> None:
        self.stream.write("\r\033[K" + self.line())
        self.stream.flush()
        self.shown = True

    def filter(self, record: logging.LogRecord) -> bool:
        """Handler filter on the terminal's log handler: clear the progress line first."""
        if self.shown:
            self.stream.write("\r\033[K")
            self.shown = False
        return True

    def spider_opened(self) -> None:
        # Scrapy installs its final log handler just before the spider opens.
        self.handlers = [h for h in logging.root.handlers if getattr(h, "stream", None) is self.stream]
        for handler in self.handlers:
            handler.addFilter(self)
        self.loop.start(INTERVAL_SECONDS, now=True)

    def spider_closed(self) -> None:
        if self.loop.running:
            self.loop.stop()
        self.show()
        self.stream.write("\n")
        self.stream.flush()
        self.shown = False
        for handler in self.handlers:
            handler.removeFilter(self)
