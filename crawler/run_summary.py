"""RunSummary extension: one JSON summary per run, the basis of the cron exit code.

Written to ``RUN_SUMMARY_FILE`` when set, and always to
``OUTPUT_DIR/.runs/<start time>.json`` and ``OUTPUT_DIR/.runs/last.json``.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.atomic import write_atomic

logger = logging.getLogger(__name__)


def summarize(stats: dict[str, Any], reason: str, channels: list[str]) -> dict[str, Any]:
    """The run's outcome from Scrapy's stats: pure, so the cron command and tests share it."""

    def prefixed(prefix: str) -> dict[str, int]:
        return {k.removeprefix(prefix): v for k, v in sorted(stats.items()) if k.startswith(prefix)}

    dropped = prefixed("article/dropped/")
    dropped.update({f"not_article/{k}": v for k, v in prefixed("article/not_article/").items()})
    dropped.update({f"fetch_failed/{k}": v for k, v in prefixed("article/fetch_failed/").items()})
    for stat, label in (("offsite/filtered", "offsite_redirect"), ("roll/bad_entry", "roll_bad_entry")):
        if stats.get(stat):
            dropped[label] = stats[stat]
    roll_errors = prefixed("roll/error/")
    roll_error_details = prefixed("roll/error_detail/")
    problems = []
    if reason != "finished":
        problems.append(f"finish reason is {reason!r}")
    if stats.get("log_count/ERROR", 0):
        problems.append(f"{stats['log_count/ERROR']} error(s) logged")
    if channels and not stats.get("roll/pages", 0):
        details = "; ".join(f"{channel}: {detail}" for channel, detail in roll_error_details.items())
        problems.append("the roll API returned nothing usable" + (f" ({details})" if details else ""))
    return {
        "started": _iso(stats.get("start_time")),
        "finished": _iso(stats.get("finish_time")) or datetime.now(UTC).isoformat(timespec="seconds"),
        "finish_reason": reason,
        "channels": channels,
        "new": stats.get("export/written", 0),
        "updated": stats.get("export/updated", 0),
        "unchanged": stats.get("export/unchanged", 0),
        "dropped": dropped,
        "errors": stats.get("log_count/ERROR", 0),
        "roll_errors": roll_errors,
        "roll_error_details": roll_error_details,
        "requests": stats.get("downloader/request_count", 0),
        "article_requests": stats.get("roll/to_fetch/new", 0) + stats.get("roll/to_fetch/changed", 0),
        "roll_pages": stats.get("roll/pages", 0),
        "retries": stats.get("retry/count", 0),
        "ok": not problems,
        "problems": problems,
        # Every counter of the run (Scrapy's and ours), for tools that need more than the above.
        "stats": {k: v for k, v in sorted(stats.items()) if isinstance(v, int | float) and not isinstance(v, bool)},
    }


def _iso(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") if isinstance(value, datetime) else None


class RunSummary:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.explicit = settings.get("RUN_SUMMARY_FILE") or None
        self.runs_dir = Path(settings.get("OUTPUT_DIR", "output")) / ".runs"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunSummary:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = dict(self.crawler.stats.get_stats())
        stats.setdefault("finish_time", datetime.now(UTC))
        channels = [c.name for c in getattr(spider, "channels", [])]
        summary = summarize(stats, reason, channels)
        data = (json.dumps(summary, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        started = (summary["started"] or summary["finished"]).replace(":", "").replace("+0000", "Z")
        targets = [self.runs_dir / f"{started}.json", self.runs_dir / "last.json"]
        if self.explicit:
            targets.insert(0, Path(self.explicit))
        for target in targets:
            try:
                write_atomic(target, data)
            except OSError as error:  # e.g. the full disk that ended the run
                logger.error("Cannot write run summary %s: %s", target, error)
        logger.info("Run summary: %s", json.dumps(summary, ensure_ascii=False))
