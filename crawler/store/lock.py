"""The crawl lock: one writer at a time per state and per output folder.

Every crawl holds an exclusive, non-blocking ``flock`` on ``<STATE_PATH>.lock`` and on
``OUTPUT_DIR/.lock`` from start-up until it ends; each file names its holder (pid, start,
command). A second crawl on the same state or the same output refuses with ``LockHeld``
naming the holder (``scrapy crawl`` exits ``EXIT_LOCKED`` = 75 with that one line); a lock
file that cannot be created at all is ``LockFailed`` (exit 1, one line). The locks
are per process: the crawl command takes them before Scrapy starts and the ``CrawlLock``
extension then finds them held; a crawl started another way takes them in the extension.
``python -m crawler.cron`` locks its own file (``--lock``), a different one, so its child
crawl is not refused.

A distributed crawl (``REDIS_URL`` set; ``crawler.distributed``) keeps its state in Redis, so it
takes no state lock, and holds ``OUTPUT_DIR/.lock`` shared: any number of its processes write
one output folder together, while a single-host crawl there is refused (and refuses them).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shlex
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from crawler.store.atomic import done_writing, sweep_orphans, writing

logger = logging.getLogger(__name__)
EXIT_LOCKED = 75  # EX_TEMPFAIL, as the cron lock: try again later

_HELD: dict[str, int] = {}  # real path of a lock file -> the open descriptor holding its flock


class LockHeld(RuntimeError):
    """Another process holds a crawl lock; the message names it."""


class LockFailed(OSError):
    """A lock file cannot be created at all (unwritable or missing folder); the message says which."""


def lock_paths(settings: Mapping[str, Any]) -> list[Path]:
    """``<STATE_PATH>.lock`` and ``OUTPUT_DIR/.lock`` (only the latter for a distributed crawl)."""
    output = Path(settings.get("OUTPUT_DIR") or "output") / ".lock"
    if settings.get("REDIS_URL"):
        return [output]
    state = Path(settings.get("STATE_PATH") or ".state/crawl.sqlite")
    return [state.with_name(state.name + ".lock"), output]


def this_process(command: list[str] | None = None) -> str:
    """The holder line written into a lock file: pid, start time (UTC) and command (default: sys.argv)."""
    argv = list(sys.argv if command is None else command)
    if argv and Path(argv[0]).name == "__main__.py":
        argv[0] = Path(argv[0]).parent.name  # python -m scrapy -> scrapy
    elif argv:
        argv[0] = Path(argv[0]).name
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps({"pid": os.getpid(), "started": started, "command": shlex.join(argv)}, ensure_ascii=False)


def _holder(text: str) -> str:
    try:
        holder = json.loads(text)
        return f"pid {holder['pid']}, started {holder['started']}, command: {holder['command']}"
    except (ValueError, KeyError, TypeError):
        return text.strip() or "an unknown process"


def hold(path: Path, description: str, *, shared: bool = False) -> bool:
    """Take the lock on ``path`` for this process (``shared``: beside other shared holders);
    False if it already holds it."""
    key = os.path.realpath(path)
    if key in _HELD:
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError as error:
        raise LockFailed(error.errno, f"cannot create the lock file {path}: {error.strerror}") from None
    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder(os.pread(fd, 4096, 0).decode("utf-8", "replace"))
        os.close(fd)
        raise LockHeld(f"another crawl holds {path} ({holder})") from None
    with contextlib.suppress(OSError):  # the holder line is a courtesy: a full disk still locks
        os.ftruncate(fd, 0)
        os.pwrite(fd, (description + "\n").encode("utf-8"), 0)
    _HELD[key] = fd
    return True


def release(path: Path) -> None:
    fd = _HELD.pop(os.path.realpath(path), None)
    if fd is not None:
        os.close(fd)  # closing the last descriptor drops the flock


def hold_crawl_locks(settings: Mapping[str, Any], command: list[str] | None = None) -> list[Path]:
    """Take every lock of a crawl with these settings or none (LockHeld, LockFailed); returns those newly taken."""
    taken: list[Path] = []
    description = this_process(command)
    try:
        for path in lock_paths(settings):
            if hold(path, description, shared=bool(settings.get("REDIS_URL"))):
                taken.append(path)
    except (LockHeld, LockFailed):
        for path in taken:
            release(path)
        raise
    return taken


class CrawlLock:
    """Extension: holds the crawl's locks from start-up until the engine stops."""

    def __init__(self, crawler: Crawler) -> None:
        self.taken = hold_crawl_locks(crawler.settings)
        # Holding the output folder: temp files a killed earlier crawl left there go now.
        output = Path(crawler.settings.get("OUTPUT_DIR") or "output")
        if removed := sweep_orphans(output):
            logger.info("Removed %d temp file(s) a killed earlier crawl left in %s", removed, output)
        self.mark = writing(output)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlLock:
        extension = cls(crawler)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_stopped(self) -> None:
        done_writing(self.mark)
        for path in self.taken:
            release(path)
