"""``SharedScheduler``: scrapy-redis's scheduler, for the requests every process shares.

An article request (callback ``parse_article``, both spiders) goes through scrapy-redis's
duplicate filter into its priority queue in Redis. Taking one moves it, in one Redis step,
into this process's in-flight hash (``DistributedRun``), so a process killed mid-request
leaves its work for the others; a request taken (and its retries and redirects) then stays in
this process. Every other request (the roll pages) stays in a local FIFO:
only the process listing the roll can read its replies. A Redis error stops the crawl through
``DistributedRun.lost``.
"""

from __future__ import annotations

from collections import deque

from redis import RedisError
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy_redis.scheduler import Scheduler

SHARED_CALLBACK = "parse_article"
# Take the best-priority request and note it as in flight for this process, atomically.
_TAKE = """
local item = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
if not item then return false end
redis.call('ZREM', KEYS[1], item)
local key = redis.sha1hex(item)
redis.call('HSET', KEYS[2], key, item)
return {key, item}
"""


def is_shared(request: Request) -> bool:
    return getattr(request.callback, "__name__", "") == SHARED_CALLBACK


class SharedScheduler(Scheduler):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedScheduler:
        scheduler = cls.from_settings(crawler.settings)
        scheduler.stats = crawler.stats
        scheduler.crawler = crawler
        scheduler.local = deque()
        scheduler.take = scheduler.server.register_script(_TAKE)
        crawler.distributed_run.scheduler = scheduler
        return scheduler

    def __len__(self) -> int:
        return len(self.local) + self.shared_len()

    def shared_len(self) -> int:
        try:
            return len(self.queue)
        except RedisError as error:
            self.crawler.distributed_run.lost(error)
            return 0

    def has_pending_requests(self) -> bool:
        return bool(self.local) or self.shared_len() > 0

    def enqueue_request(self, request: Request) -> bool:
        # Taken by this process already (or a retry or redirect of one it took): stays here.
        if not is_shared(request) or self.crawler.distributed_run.INFLIGHT_META in request.meta:
            self.local.append(request)
            return True
        try:
            if not request.dont_filter and self.df.request_seen(request):
                self.df.log(request, self.spider)
                return False
            self.queue.push(request)
        except RedisError as error:
            self.crawler.distributed_run.lost(error)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        if self.local:
            return self.local.popleft()
        run = self.crawler.distributed_run
        try:
            taken = self.take(keys=[self.queue.key, run.inflight_key])
        except RedisError as error:
            run.lost(error)
            return None
        if not taken:
            return None
        key, data = taken
        request = self.queue._decode_request(data)
        request.meta[run.INFLIGHT_META] = key.decode() if isinstance(key, bytes) else key
        self.stats.inc_value("scheduler/dequeued/redis")
        return request
