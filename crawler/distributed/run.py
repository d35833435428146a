"""``DistributedRun``: one crawl shared by every process with the same ``REDIS_URL``.

Keys, under ``<REDIS_KEY_PREFIX>:run:<spider>``:

    :info         hash: the run's id, start, command, and which process lists (``lister``)
    :workers      set of the processes in the run (``host:pid``)
    :alive:<w>    set by each process every second, expiring after ``ALIVE_TTL`` seconds
    :inflight:<w> hash: the requests a process took and has not finished
    :listed       set once the lister has queued the whole listing
    :requests, :dupefilter   scrapy-redis's queue and duplicate filter (the scheduler)

The first process of a run (none alive) starts it afresh: it empties the queue and the
duplicate filter, and the first to ask lists the roll (or pushes the URL list). A process whose
heartbeat stopped (killed) is dropped from the run by the next one to look, and the requests it
had taken go back to the queue. A process stopped early (Ctrl-C, SIGTERM) finishes the
downloads under way, as Scrapy does, and hands back whatever it took and did not finish. A
process closes when the listing is done and the queue has stayed empty for ``REDIS_IDLE_CLOSE``
seconds, and no other process holds requests it took (or ``ALIVE_TTL`` + 1 seconds have passed,
so one killed meanwhile was noticed and its requests put back). The last process to leave ends
the run. Each process adds its counts to ``<prefix>:runs:<run id>`` (kept 90 days;
``<prefix>:runs:last`` names the latest).

A Redis error stops the process: one ERROR line, finish reason ``redis_unavailable`` (the
crawl command then exits 1); files already written are complete, and the next run lists again.
"""

from __future__ import annotations

import logging
import os
import shlex
import socket
import sys
import time
from datetime import UTC, datetime
from typing import Any

from redis import Redis, RedisError
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from crawler.distributed import FINISH_REASON
from crawler.distributed.scripts import JOIN, LEAVE, RECOVER
from crawler.store.redis_state import DEFAULT_PREFIX, connect, shown

logger = logging.getLogger(__name__)

# A process whose heartbeat stopped this long (killed, or its reactor blocked) is taken for dead.
ALIVE_TTL = 15
HEARTBEAT = 1.0
TOTALS = {"new": "export/written", "updated": "export/updated", "unchanged": "export/unchanged",
          "adopted": "export/adopted", "requests": "downloader/request_count",
          "articles_taken": "scheduler/dequeued/redis", "errors": "log_count/ERROR"}
TOTALS_TTL = 90 * 24 * 3600

class DistributedRun:
    INFLIGHT_META = "distributed_inflight"

    def __init__(self, crawler: Crawler, server: Redis, prefix: str, idle_close: float) -> None:
        self.crawler = crawler
        self.server = server
        self.url = shown(crawler.settings.get("REDIS_URL"))
        self.me = f"{socket.gethostname()}:{os.getpid()}"
        self.prefix = prefix
        self.idle_close = idle_close
        self.joined = self.lister = self.listed = False
        self.run_id = ""
        self.idle_since: float | None = None
        self.failed = self.closing = self.idled = False
        self.scheduler: Any = None  # the SharedScheduler, once the engine has opened it
        self.warned_lister = False
        self.heartbeat = task.LoopingCall(self.beat)
        self.scripts = {name: server.register_script(source)
                        for name, source in (("join", JOIN), ("recover", RECOVER), ("leave", LEAVE))}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedRun:
        settings = crawler.settings
        run = cls(crawler, connect(settings.get("REDIS_URL")), settings.get("REDIS_KEY_PREFIX") or DEFAULT_PREFIX,
                  settings.getfloat("REDIS_IDLE_CLOSE", 10))
        crawler.distributed_run = run
        crawler.signals.connect(run.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(run.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(run.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(run.busy, signal=signals.response_received)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(run.item_done, signal=signal)
        return run

    # --- keys ----------------------------------------------------------------------------------
    @property
    def base(self) -> str:
        spider = self.crawler.spider.name if self.crawler.spider else "spider"
        return f"{self.prefix}:run:{spider}"

    @property
    def inflight_key(self) -> str:
        return f"{self.base}:inflight:{self.me}"

    def keys(self) -> list[str]:
        base = self.base
        return [f"{base}:workers", f"{base}:requests", f"{base}:info", f"{base}:listed", f"{base}:dupefilter"]

    # --- joining, listing, leaving -------------------------------------------------------------
    def spider_opened(self) -> None:
        self.join()
        self.heartbeat.start(HEARTBEAT, now=False)

    def join(self) -> None:
        if self.joined or self.failed:
            return
        started = datetime.now(UTC).isoformat(timespec="seconds")
        run_id = f"{started.replace(':', '').replace('+0000', 'Z')}-{self.me}"
        command = shlex.join(sys.argv)
        try:
            found, fresh, lister, requeued = self.scripts["join"](
                keys=self.keys(), args=[self.base, self.me, run_id, started, command, ALIVE_TTL])
        except RedisError as error:
            self.lost(error)
            return
        self.joined, self.lister = True, bool(lister)
        self.run_id = found
        logger.info("Distributed run %s on %s: %s as %s%s", self.run_id, self.url, "started" if fresh else "joined",
                    self.me, " (lists the work)" if self.lister else "")
        self.report_requeued(requeued)

    def takes_the_listing(self) -> bool:
        self.join()
        return self.lister

    def spider_idle(self) -> None:
        self.idled = True  # from now on the heartbeat looks too
        if self.failed or self.closing:
            return
        if self.may_leave() is False:
            raise DontCloseSpider

    def may_leave(self) -> bool | None:
        """``ready_to_close``, or None when Redis was lost asking it (``lost`` has stopped the crawl)."""
        try:
            return self.ready_to_close()
        except RedisError as error:
            self.lost(error)
            return None

    def ready_to_close(self) -> bool:
        """Asked whenever this process is idle: True once it may leave the run."""
        if self.lister and not self.listed:
            self.server.set(f"{self.base}:listed", self.me)
            self.listed = True
            logger.info("Listing done; the queue holds %d request(s)", self.queue_length())
        if not self.server.exists(f"{self.base}:listed"):
            lister = self.server.hget(f"{self.base}:info", "lister")
            if lister and self.server.exists(f"{self.base}:alive:{lister}"):
                return self.wait()  # the listing is still under way
            if not self.warned_lister:
                self.warned_lister = True
                logger.warning("The process listing this run (%s) stopped before it was done; "
                               "the next run lists again", lister)
        self.report_requeued(self.scripts["recover"](keys=self.keys()[:2], args=[self.base]))
        if self.queue_length():
            return self.wait()
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        idle = now - self.idle_since
        if idle < self.idle_close:
            return False
        # Requests another process took may still come back: wait until it finishes them, or
        # until its heartbeat would have expired had it died (then they were put back above).
        if idle < ALIVE_TTL + 1 and self.others_in_flight():
            return False
        logger.info("The shared queue stayed empty for %.0f s: leaving the run", idle)
        return True

    def others_in_flight(self) -> bool:
        others = [member for member in self.server.smembers(f"{self.base}:workers") if member != self.me]
        return any(self.server.hlen(f"{self.base}:inflight:{member}") for member in others)

    def wait(self) -> bool:
        self.idle_since = None
        return False

    def queue_length(self) -> int:
        return int(self.server.zcard(f"{self.base}:requests"))

    def report_requeued(self, count: int) -> None:
        if count:
            self.idle_since = None
            self.crawler.stats.inc_value("distributed/requeued", count)
            logger.warning("Put back %d request(s) taken by a process that stopped answering", count)

    def busy(self) -> None:
        self.idle_since = None

    def item_done(self, response: Response | None = None, **_: Any) -> None:
        """An article's item went through the pipelines: its request is no longer in flight."""
        key = response.meta.get(self.INFLIGHT_META) if response is not None and response.request else None
        if key and not self.failed:
            try:
                self.server.hdel(self.inflight_key, key)
            except RedisError as error:
                self.lost(error)

    def beat(self) -> None:
        try:
            pipe = self.server.pipeline(transaction=False)
            pipe.set(f"{self.base}:alive:{self.me}", "1", ex=ALIVE_TTL)
            pipe.sadd(f"{self.base}:workers", self.me)
            pipe.exists(f"{self.base}:info")
            _alive, _added, info = pipe.execute()
        except RedisError as error:
            self.lost(error)
            return
        if not info:
            self.lost(RedisError("the run's keys are gone (was Redis restarted or flushed?)"))
            return
        self.take_when_idle()
        self.close_when_idle()

    def take_when_idle(self) -> None:
        """An idle engine asks its scheduler only every 5 s: hand it queued work at once."""
        engine = self.crawler.engine
        if not self.idled or self.closing or self.scheduler is None or engine is None or not engine.spider_is_idle():
            return
        request = self.scheduler.next_request()
        if request is not None:
            engine.crawl(request)

    def close_when_idle(self) -> None:
        """Between the engine's own idle checks (every 5 s), look once a second."""
        engine = self.crawler.engine
        if not self.idled or self.closing or engine is None or not engine.spider_is_idle():
            return
        if self.may_leave():
            self.closing = True
            deferred_from_coro(engine.close_spider_async(reason="finished"))

    def spider_closed(self, reason: str) -> None:
        if self.heartbeat.running:
            self.heartbeat.stop()
        if self.failed or not self.joined:
            return
        stats = self.crawler.stats.get_stats()
        try:
            totals_key = f"{self.prefix}:runs:{self.run_id}"
            pipe = self.server.pipeline(transaction=True)
            for name, stat in TOTALS.items():
                pipe.hincrby(totals_key, name, int(stats.get(stat, 0)))
            pipe.hincrby(totals_key, "processes", 1)
            pipe.expire(totals_key, TOTALS_TTL)
            pipe.set(f"{self.prefix}:runs:last", self.run_id)
            pipe.hgetall(totals_key)
            totals = pipe.execute()[-1]
            # A finished process's leftovers were answered (failed downloads, pages that were not
            # articles); one stopped early (Ctrl-C, SIGTERM) hands back what it had not done.
            requeue = "0" if reason == "finished" else "1"
            left = self.scripts["leave"](keys=self.keys(), args=[self.base, self.me, requeue])
        except RedisError as error:
            logger.error("Redis at %s: cannot record this process's totals: %s", self.url, error)
            return
        totals = {name: int(value) for name, value in totals.items()}
        logger.info("Run %s totals so far: %s; %d process(es) still in the run", self.run_id, totals, left)

    def lost(self, error: Exception) -> None:
        """Redis failed: stop this process (once), saying so."""
        if self.failed:
            return
        self.failed = True
        if self.heartbeat.running:
            self.heartbeat.stop()
        self.crawler.stats.set_value("distributed/redis_error", str(error))
        logger.error("Redis at %s failed (%s): stopping this process; the posts written so far are complete, "
                     "the next run picks up the rest", self.url, error)
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason=FINISH_REASON))
