"""QuietConsoleAddon: what a person at a console needs to see of a crawl.

Only when the log goes to the console (no ``LOG_FILE``; cron always sets one, and a log file
keeps every record): Scrapy's start-up INFO (version banner, enabled components, overridden
settings) and its end-of-run stats dump are lowered to DEBUG, so they show only with
``LOG_LEVEL=DEBUG`` (the run summary line holds the same counters), and a robots.txt download
failure is one ERROR line without its traceback. Channel lines, warnings and errors stay.

Installed before Scrapy logs anything: add-ons' ``update_pre_crawler_settings`` runs before
Scrapy configures logging.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings
from scrapy.utils.log import get_scrapy_root_handler

# Loggers whose INFO records are start-up or shutdown noise on a console.
STARTUP_LOGGERS = ("scrapy.utils.log", "scrapy.crawler", "scrapy.middleware", "scrapy.addons",
                   "scrapy.extensions.telnet", "scrapy.statscollectors")
ROBOTS_LOGGER = "scrapy.downloadermiddlewares.robotstxt"


def on_console() -> bool:
    """Scrapy's log handler writes to a stream (stderr), not to a file."""
    handler = get_scrapy_root_handler()
    return isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler)


class LowerInfo(logging.Filter):
    """INFO and below become DEBUG, under the console's LOG_LEVEL (INFO by default)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if on_console() and record.levelno <= logging.INFO:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


class RobotsOneLine(logging.Filter):
    """A failed robots.txt download as one line that names the host and the error, without the
    traceback (Scrapy's record names the request that needed robots.txt, and an empty error)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not on_console() or not record.exc_info:
            return True
        error = record.exc_info[1]
        request = record.args.get("request") if isinstance(record.args, dict) else None
        host = urlsplit(request.url).netloc if request is not None else "?"
        reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        record.msg = "robots.txt of %(host)s could not be downloaded (%(reason)s); its requests go ahead"
        record.args = {"host": host, "reason": reason}
        record.exc_info, record.exc_text = None, None
        return True


FILTERS: list[tuple[str, logging.Filter]] = [*((name, LowerInfo()) for name in STARTUP_LOGGERS),
                                             (ROBOTS_LOGGER, RobotsOneLine())]


def install() -> None:
    for name, log_filter in FILTERS:
        logger = logging.getLogger(name)
        if log_filter not in logger.filters:
            logger.addFilter(log_filter)


class QuietConsoleAddon:
    @classmethod
    def update_pre_crawler_settings(cls, settings: BaseSettings) -> None:
        if settings.getbool("LOG_ENABLED", True) and not settings.get("LOG_FILE"):
            install()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> QuietConsoleAddon:
        raise NotConfigured  # silently: its work was done before the crawler existed
