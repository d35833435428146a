"""Worker processes for the CPU-heavy steps of a crawl (reading pages, rendering posts).

``PARSE_PROCESSES`` (default 0) sizes one pool per crawl; with 0, ``workers(crawler).run(fn,
*args)`` simply calls ``fn`` on the reactor thread. With N > 0 the call is sent to one of N
processes (forked when the spider opens, shut down when the engine stops) and awaited, so that
parsing one page overlaps fetching and writing others on the other cores. ``fn`` and its
arguments must pickle. If a worker dies, the pool is replaced (counted as
``workers/pool_restarted``) and that call runs here, so no page is lost to it.
``workers/tasks`` counts the calls sent to the pool.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)
T = TypeVar("T")


def parse_processes(settings: BaseSettings) -> int:
    """``PARSE_PROCESSES``; ValueError, with a line for the user, when it is not 0 or more."""
    value = settings.get("PARSE_PROCESSES", 0)
    try:
        processes = int(value)
    except (TypeError, ValueError):
        processes = -1
    if processes < 0:
        raise ValueError(f"-s PARSE_PROCESSES={value!r}: expected 0 (read pages on the reactor thread) "
                         "or a number of worker processes")
    return processes


def _warm() -> None:
    """Import the readers in a worker before the first page arrives."""
    import crawler.sina.pages  # noqa: F401


def _context() -> multiprocessing.context.BaseContext:
    """fork where there is one: the workers start at once with the modules already loaded. The
    pool starts when the spider opens, before the crawl starts threads whose locks a fork could
    copy mid-use; the workers only run pure functions of their arguments."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


class Workers:
    def __init__(self, processes: int, crawler: Crawler) -> None:
        self.processes = processes
        self.crawler = crawler
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        if self.processes > 0 and self._pool is None:
            # What is alive now (Scrapy, the readers, the settings) lives as long as the crawl:
            # kept out of the collector's scans, in here and in the forked workers, whose copies
            # of those pages then stay shared instead of being written by a collection.
            gc.freeze()
            self._pool = ProcessPoolExecutor(self.processes, mp_context=_context())
            for _ in range(self.processes):
                self._pool.submit(_warm)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        if self.processes <= 0:
            return fn(*args)
        self.start()
        assert self._pool is not None
        self.crawler.stats.inc_value("workers/tasks")
        try:
            return await asyncio.wrap_future(self._pool.submit(fn, *args))
        except BrokenProcessPool:
            self.crawler.stats.inc_value("workers/pool_restarted")
            logger.error("A worker process died; starting new ones and running %s here", fn.__name__)
            self.close()
            return fn(*args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


_WORKERS: WeakKeyDictionary[Crawler, Workers] = WeakKeyDictionary()


def workers(crawler: Crawler) -> Workers:
    """The crawl's one pool, sized by ``PARSE_PROCESSES``."""
    found = _WORKERS.get(crawler)
    if found is None:
        found = _WORKERS[crawler] = Workers(parse_processes(crawler.settings), crawler)
        crawler.signals.connect(found.start, signal=signals.spider_opened, weak=False)
        crawler.signals.connect(found.close, signal=signals.engine_stopped, weak=False)
    return found
