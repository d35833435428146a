"""Re-extraction: the ``sina_archive`` spider run in this process over WARC archives, with the
project's settings, pipelines, exporter, state and locks, and what it did as counts."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from crawler.store.lock import hold_crawl_locks


@dataclass
class Counts:
    new: int
    updated: int
    unchanged: int
    not_article: int
    other_site: int
    not_a_page: int
    dropped: int
    finish_reason: str

    def line(self) -> str:
        return (f"new {self.new}, updated {self.updated}, unchanged {self.unchanged}, "
                f"not an article {self.not_article}, other sites skipped {self.other_site}, "
                f"not pages skipped {self.not_a_page}, dropped {self.dropped}")


def counts_of(stats: Mapping[str, object], finish_reason: str) -> Counts:
    def total(prefix: str) -> int:
        return sum(int(value) for name, value in stats.items() if name.startswith(prefix))  # type: ignore[call-overload]

    return Counts(new=total("export/written"), updated=total("export/updated"), unchanged=total("export/unchanged"),
                  not_article=total("article/not_article/"), other_site=total("archive/skipped/other_site"),
                  not_a_page=total("archive/skipped/not_a_page"), dropped=total("article/dropped/"),
                  finish_reason=finish_reason)


def reextract(archives: list[Path], overrides: Mapping[str, str], command: list[str] | None = None) -> Counts:
    """Write the posts of ``archives``; raises LockHeld/LockFailed when another crawl holds the locks."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    settings.setdict(dict(overrides), priority="cmdline")
    hold_crawl_locks(settings, command)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("sina_archive")
    process.crawl(crawler, warc=[str(path) for path in archives])
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return counts_of(stats, str(stats.get("finish_reason", "")))
