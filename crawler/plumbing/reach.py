"""Three different things a channel's listing can be, told apart so an outage never reads as a
change at Sina:

- *unreachable*: the listing request got no reply (DNS, refused, reset, timeout) or a 5xx after
  its retries — nothing is known about the channel;
- *drifted*: Sina replied, but not in the shape the code reads;
- *stale*: Sina replied in shape, but the newest item is too old.

Each has its own exit code (``EXIT_CODES``), shared by ``scrapy crawl``, ``python -m crawler.cron``
and ``python -m crawler.doctor``.
"""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

EXIT_OK = 0
EXIT_FAILED = 1  # errors, paging that stopped early, a crawl that did not start
EXIT_USAGE = 2  # a bad argument or setting; nothing was written
EXIT_STALE = 3  # cron --strict and the doctor only: a channel's newest item is too old
EXIT_DRIFTED = 65  # EX_DATAERR: Sina replied in a shape the code does not read
EXIT_UNREACHABLE = 69  # EX_UNAVAILABLE: Sina could not be reached (DNS, refused, timeout, 5xx)
EXIT_LOCKED = 75  # EX_TEMPFAIL: another crawl holds the lock

NO_REPLY = (CannotResolveHostError, DownloadConnectionRefusedError, DownloadFailedError, DownloadTimeoutError,
            ResponseDataLossError, net.DNSLookupError, net.ConnectionRefusedError, net.ConnectError, net.TimeoutError,
            net.TCPTimedOutError, net.ConnectionLost, net.ConnectionDone, ResponseNeverReceived, ResponseFailed)


def unreachable_reason(failure: Failure) -> str | None:
    """Why a failed request means Sina is unreachable, or None when Sina did reply."""
    if failure.check(HttpError):
        status = failure.value.response.status
        return f"HTTP {status} after retries" if status >= 500 else None
    if failure.check(*NO_REPLY):
        return failure.getErrorMessage()
    return None


def outcome(summary: dict, *, strict: bool = False) -> int:
    """The exit code of a run from its summary: unreachable, then drifted, then any other problem,
    then (with ``strict``) stale; 0 when none."""
    if summary.get("unreachable"):
        return EXIT_UNREACHABLE
    if summary.get("drifted"):
        return EXIT_DRIFTED
    if not summary.get("ok", False):
        return EXIT_FAILED
    if strict and summary.get("stale_channels"):
        return EXIT_STALE
    return EXIT_OK
