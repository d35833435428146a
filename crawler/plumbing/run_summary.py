"""RunSummary extension: one JSON summary per run, the basis of the cron exit code.

Written to ``RUN_SUMMARY_FILE`` when set, and always to
``OUTPUT_DIR/.runs/<start time>.json`` (``<start time>-<host>-<pid>.json`` for each process of a
distributed crawl) and ``OUTPUT_DIR/.runs/last.json``. ``summarize()``
turns Scrapy's stats into that summary; the extension adds what stats do not hold: the
spider's name, whether the spider ever opened, the article requests it scheduled and the
``ALLOW_TRUNCATED`` setting.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler

from crawler.plumbing.summary_lines import human_summary
from crawler.store.atomic import write_atomic
from crawler.values import SHANGHAI

logger = logging.getLogger(__name__)


def summarize(stats: dict[str, Any], reason: str, channels: list[str], *, spider: str = "",
              opened: bool = True, scheduled_articles: int | None = None,
              allow_truncated: bool = False, stale_hours: float = 48.0,
              fetched_articles: int | None = None) -> dict[str, Any]:
    """The run's outcome from Scrapy's stats: pure, so the cron command and tests share it.

    ``opened`` False: the spider never opened (a pipeline or the state failed at start), so the
    only problem reported is that, not the finish reason or an empty roll. ``scheduled_articles``:
    the article requests the run scheduled, used when no ``article/requested`` stat exists and
    the spider lists no channel (``sina_article``). ``fetched_articles``: the article requests that
    reached the downloader; when given, it is the count reported (a stopped run queued more).
    """

    def prefixed(prefix: str) -> dict[str, int]:
        return {k.removeprefix(prefix): v for k, v in sorted(stats.items()) if k.startswith(prefix)}

    dropped = prefixed("article/dropped/")
    dropped.update({f"not_article/{k}": v for k, v in prefixed("article/not_article/").items()})
    dropped.update({f"fetch_failed/{k}": v for k, v in prefixed("article/fetch_failed/").items()})
    for stat, label in (("offsite/filtered", "offsite_redirect"), ("roll/bad_entry", "roll_bad_entry"),
                        ("zhibo/bad_item", "feed_bad_item")):
        if stats.get(stat):
            dropped[label] = stats[stat]
    roll_errors = prefixed("roll/error/") | {f"zhibo/{k}": v for k, v in prefixed("zhibo/error/").items()}
    roll_error_details = prefixed("roll/error_detail/") | prefixed("zhibo/error_detail/")
    truncated = {channel: str(why) for channel, why in
                 (prefixed("roll/truncated_detail/") | prefixed("zhibo/truncated_detail/")
                  | prefixed("stock_news/truncated_detail/")).items()}
    health = channel_health(stats, channels)
    # Unreachable (no reply) and drifted (a reply of the wrong shape) say nothing of an item's age.
    unreachable = {channel: str(why) for channel, why in prefixed("health/unreachable/").items()}
    drifted = {channel: str(why) for channel, why in prefixed("health/drifted/").items()}
    stale = stale_channels({channel: seen for channel, seen in health.items()
                            if channel not in unreachable and channel not in drifted}, stale_hours)
    # The cause first: an outage or a change at Sina, then what followed from it.
    problems = [f"unreachable: {channel}: {why}" for channel, why in unreachable.items()]
    problems += [f"drifted: {channel}: {why}" for channel, why in drifted.items()]
    if reason != "finished":
        problems.append(f"finish reason is {reason!r}")
    if stats.get("log_count/ERROR", 0):
        problems.append(f"{stats['log_count/ERROR']} error(s) logged")
    if channels and not stats.get("roll/pages", 0) and not stats.get("zhibo/pages", 0):
        details = "; ".join(f"{channel}: {detail}" for channel, detail in roll_error_details.items())
        problems.append("the roll API returned nothing usable" + (f" ({details})" if details else ""))
    problems += [f"{symbol}: {why}" for symbol, why in prefixed("stock_news/failed/").items()]
    if not allow_truncated:
        problems += [f"paging stopped early: {channel}: {why}; the next run continues there"
                     for channel, why in truncated.items()]
    if not opened:
        problems = ["the crawl did not start (the cause is the last error of the log)"]
    return {
        "spider": spider,
        "crawl_started": opened,
        "started": _iso(stats.get("start_time")),
        "finished": _iso(stats.get("finish_time")) or datetime.now(UTC).isoformat(timespec="seconds"),
        "finish_reason": reason,
        "channels": channels,
        # Posts: articles, and the 7x24 day posts created or rewritten (live/posts_*).
        "new": stats.get("export/written", 0) + stats.get("live/posts_new", 0),
        "updated": stats.get("export/updated", 0) + stats.get("live/posts_updated", 0),
        "unchanged": stats.get("export/unchanged", 0),
        "adopted": stats.get("export/adopted", 0),
        # sina_7x24: items written into day posts (new), changed (updated) and seen again (unchanged).
        "live_items": {"new": stats.get("live/written", 0), "updated": stats.get("live/updated", 0),
                       "unchanged": stats.get("live/unchanged", 0)},
        "dropped": dropped,
        "sanitized": prefixed("article/sanitized/"),
        "errors": stats.get("log_count/ERROR", 0),
        "roll_errors": roll_errors,
        "roll_error_details": roll_error_details,
        "requests": stats.get("downloader/request_count", 0),
        "article_requests": (fetched_articles if fetched_articles is not None
                             else _article_requests(stats, channels, scheduled_articles)),
        "roll_pages": stats.get("roll/pages", 0),
        "feed_pages": stats.get("zhibo/pages", 0),
        # sina_stock_news: 个股资讯 list pages read, and per symbol what its list gave.
        "list_pages": stats.get("stock_news/pages", 0),
        "symbols": {symbol: str(note) for symbol, note in prefixed("stock_news/note/").items()},
        "truncated": truncated,
        "channel_health": health,
        "stale_channels": stale,
        "unreachable": unreachable,
        "drifted": drifted,
        "retries": stats.get("retry/count", 0),
        "ok": not problems,
        "problems": problems,
        # Every counter of the run (Scrapy's and ours), for tools that need more than the above.
        "stats": {k: v for k, v in sorted(stats.items()) if isinstance(v, int | float) and not isinstance(v, bool)},
    }


def channel_health(stats: dict[str, Any], channels: list[str]) -> dict[str, dict[str, Any]]:
    """Per channel: the newest item listed (ISO, Beijing), its age in hours at the run's finish
    and the items listed, from the ``health/newest/<channel>`` and ``health/listed/<channel>`` stats."""
    finished = stats.get("finish_time")
    end = finished.timestamp() if isinstance(finished, datetime) else datetime.now(UTC).timestamp()
    health = {}
    for channel in channels:
        newest = stats.get(f"health/newest/{channel}")
        health[channel] = {
            "newest": datetime.fromtimestamp(newest, SHANGHAI).isoformat() if newest else None,
            "age_hours": round((end - newest) / 3600, 1) if newest else None,
            "listed": stats.get(f"health/listed/{channel}", 0),
        }
    return health


def stale_channels(health: dict[str, dict[str, Any]], stale_hours: float) -> dict[str, str]:
    """The channels whose newest item is older than ``stale_hours`` (or that listed nothing), and why."""
    stale = {}
    for channel, seen in health.items():
        if seen["newest"] is None:
            stale[channel] = "no item listed"
        elif seen["age_hours"] > stale_hours:
            stale[channel] = (f"newest item {seen['newest'][:19].replace('T', ' ')} is {seen['age_hours']:g} h old "
                              f"(STALE_CHANNEL_HOURS={stale_hours:g})")
    return stale


def _article_requests(stats: dict[str, Any], channels: list[str], scheduled: int | None) -> int:
    """``article/requested`` when the spider counts it; else, for a spider that lists channels,
    the articles it queued from the roll; else the article requests the run scheduled."""
    if "article/requested" in stats:
        return stats["article/requested"]
    queued = stats.get("roll/to_fetch/new", 0) + stats.get("roll/to_fetch/changed", 0)
    return queued if channels or scheduled is None else scheduled


def _iso(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") if isinstance(value, datetime) else None


class RunSummary:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.explicit = settings.get("RUN_SUMMARY_FILE") or None
        self.runs_dir = Path(settings.get("OUTPUT_DIR", "output")) / ".runs"
        self.allow_truncated = settings.getbool("ALLOW_TRUNCATED", False)
        self.stale_hours = settings.getfloat("STALE_CHANNEL_HOURS", 48.0)
        self.opened = False
        self.scheduled_articles = 0
        self.fetched_articles = 0
        self.summary: dict[str, Any] | None = None  # the last one written, for the crawl command's exit code
        self.worker = f"{socket.gethostname()}-{os.getpid()}" if settings.get("REDIS_URL") else ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunSummary:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(extension.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(extension.request_reached_downloader, signal=signals.request_reached_downloader)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        self.opened = True

    @staticmethod
    def is_article_request(request: Request) -> bool:
        """A first request for an article page: its callback is ``parse_article`` (both spiders)
        and it is neither a retry nor a redirect of an earlier request."""
        callback = getattr(request.callback, "__name__", "")
        return callback == "parse_article" and not {"retry_times", "redirect_times"} & set(request.meta)

    def request_scheduled(self, request: Request) -> None:
        self.scheduled_articles += self.is_article_request(request)

    def request_dropped(self, request: Request) -> None:  # refused by the duplicate filter
        self.scheduled_articles -= self.is_article_request(request)

    def request_reached_downloader(self, request: Request) -> None:
        self.fetched_articles += self.is_article_request(request)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = dict(self.crawler.stats.get_stats())
        stats.setdefault("finish_time", datetime.now(UTC))
        channels = [c.name for c in getattr(spider, "channels", [])]
        # CoreStats sets start_time when the spider opens: either sign means it did.
        opened = self.opened or stats.get("start_time") is not None
        summary = summarize(stats, reason, channels, spider=spider.name, opened=opened,
                            scheduled_articles=self.scheduled_articles, allow_truncated=self.allow_truncated,
                            stale_hours=self.stale_hours, fetched_articles=self.fetched_articles)
        self.summary = summary
        for channel, why in summary["stale_channels"].items():
            logger.warning("Channel %s looks stale: %s; Sina may have moved it (python -m crawler.doctor checks)",
                           channel, why)
        data = (json.dumps(summary, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        started = (summary["started"] or summary["finished"]).replace(":", "").replace("+0000", "Z")
        if self.worker:  # processes of a distributed crawl may share the folder and the second
            started += f"-{self.worker}"
        targets = [self.runs_dir / f"{started}.json", self.runs_dir / "last.json"]
        if self.explicit:
            targets.insert(0, Path(self.explicit))
        for target in targets:
            try:
                write_atomic(target, data)
            except OSError as error:  # e.g. the full disk that ended the run
                logger.error("Cannot write run summary %s: %s", target, error)
        if self.crawler.settings.get("LOG_FILE"):  # the log file keeps the whole summary
            logger.info("Run summary: %s", json.dumps(summary, ensure_ascii=False))
        else:  # the console gets the readable lines and where the whole summary is
            logger.info("Run summary:\n%s", human_summary(summary, full=targets[-2]))
