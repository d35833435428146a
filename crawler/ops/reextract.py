"""Re-extraction: the ``sina_archive`` spider (articles), then ``sina_archive_7x24`` (7x24 day
posts), run in this process over WARC archives with the project's settings, pipelines, exporter,
state and locks; what they did as counts."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.utils.project import get_project_settings
from twisted.internet import defer

from crawler.store.lock import hold_crawl_locks

SPIDERS = ("sina_archive", "sina_archive_7x24")


@dataclass
class Counts:
    new: int
    updated: int
    unchanged: int
    not_article: int
    other_site: int
    not_a_page: int
    dropped: int
    live_new: int
    live_updated: int
    live_unchanged: int
    finished: bool

    def line(self) -> str:
        return (f"new {self.new}, updated {self.updated}, unchanged {self.unchanged}, "
                f"not an article {self.not_article}, other sites skipped {self.other_site}, "
                f"not pages skipped {self.not_a_page}, dropped {self.dropped}; 7x24 items new {self.live_new}, "
                f"updated {self.live_updated}, unchanged {self.live_unchanged}")


def counts_of(runs: list[Mapping[str, object]]) -> Counts:
    def total(prefix: str) -> int:
        return sum(int(value) for stats in runs for name, value in stats.items()  # type: ignore[call-overload]
                   if name.startswith(prefix))

    return Counts(new=total("export/written"), updated=total("export/updated"), unchanged=total("export/unchanged"),
                  not_article=total("article/not_article/"), other_site=total("archive/skipped/other_site"),
                  not_a_page=total("archive/skipped/not_a_page"), dropped=total("article/dropped/"),
                  live_new=total("live/written"), live_updated=total("live/updated"),
                  live_unchanged=total("live/unchanged"),
                  finished=bool(runs) and all(stats.get("finish_reason") == "finished" for stats in runs))


def reextract(archives: list[Path], overrides: Mapping[str, str], command: list[str] | None = None) -> Counts:
    """Write the posts of ``archives``; raises LockHeld/LockFailed when another crawl holds the locks."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    settings.setdict(dict(overrides), priority="cmdline")
    hold_crawl_locks(settings, command)
    process = CrawlerProcess(settings)
    crawlers: list[Crawler] = []

    @defer.inlineCallbacks
    def one_after_the_other():
        try:
            for name in SPIDERS:
                crawler = process.create_crawler(name)
                crawlers.append(crawler)
                yield process.crawl(crawler, warc=[str(path) for path in archives])
                if crawler.stats.get_value("finish_reason") != "finished":
                    break
                if not crawler.stats.get_value("archive/feed_replies_seen"):
                    break  # no 7x24 reply to read: no 7x24.jsonl either, as after a crawl without one
        finally:
            from twisted.internet import reactor

            reactor.callLater(0, reactor.stop)

    one_after_the_other()
    process.start(stop_after_crawl=False)
    return counts_of([crawler.stats.get_stats() for crawler in crawlers if crawler.stats])
