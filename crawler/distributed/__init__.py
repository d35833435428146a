"""Distributed crawling on scrapy-redis: ``-s REDIS_URL=redis://host:port/db``.

Without ``REDIS_URL`` the ``RedisAddon`` disables itself and nothing changes (SQLite state, the
plain scheduler, one process). With it, every process started with the same command and the
same ``REDIS_URL`` shares one run:

- ``crawler.distributed.scheduler.SharedScheduler``: scrapy-redis's scheduler and duplicate
  filter hold the article requests (callback ``parse_article``) of the run in Redis; any
  process takes each one once. The roll pages stay in the process listing them.
- ``crawler.distributed.run.DistributedRun``: the run itself (members, which process lists the
  roll, heartbeats, taking back the requests of a process that died, closing after
  ``REDIS_IDLE_CLOSE`` seconds of an empty queue, the run's totals).
- ``crawler.store.redis_state.RedisState``: the incremental state (``STATE_CLASS``).

Keys live under ``REDIS_KEY_PREFIX`` (default ``sina_finance``).
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES, Settings

RUN_EXTENSION = "crawler.distributed.run.DistributedRun"
# The finish reason of a process stopped by a Redis failure (the crawl command exits 1).
FINISH_REASON = "redis_unavailable"


class RedisAddon:
    """Switches a crawl to distributed mode when ``REDIS_URL`` is set."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisAddon:
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured  # silently: a single-host crawl
        return cls()

    def update_settings(self, settings: Settings) -> None:
        prefix = settings.get("REDIS_KEY_PREFIX") or "sina_finance"
        settings.set("SCHEDULER", "crawler.distributed.scheduler.SharedScheduler", "addon")
        settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", "addon")
        settings.set("SCHEDULER_PERSIST", True, "addon")  # a process leaving never empties the shared queue
        settings.set("SCHEDULER_QUEUE_KEY", f"{prefix}:run:%(spider)s:requests", "addon")
        settings.set("SCHEDULER_DUPEFILTER_KEY", f"{prefix}:run:%(spider)s:dupefilter", "addon")
        settings.set("REDIS_PARAMS", {"socket_timeout": 10, "socket_connect_timeout": 10}, "addon")
        # The default store is set in the project's settings, above add-ons; a -s STATE_CLASS stays.
        if (settings.getpriority("STATE_CLASS") or 0) <= SETTINGS_PRIORITIES["project"]:
            settings.set("STATE_CLASS", "crawler.store.redis_state.RedisState", "project")
        settings["EXTENSIONS"][RUN_EXTENSION] = 50


def takes_the_listing(crawler: Crawler) -> bool:
    """True when this process lists the run's work (the roll, the URL list): always on a single
    host; in a distributed run, only the one process that won that role."""
    run = getattr(crawler, "distributed_run", None)
    return run is None or run.takes_the_listing()


def shares_a_queue(crawler: Crawler) -> bool:
    """True in a distributed run: requests handed to the scheduler go to the shared Redis queue."""
    return getattr(crawler, "distributed_run", None) is not None
