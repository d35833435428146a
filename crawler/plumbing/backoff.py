"""BackoffRetryMiddleware: Scrapy's retry, waiting before each retry of an HTTP status.

The wait is ``RETRY_BACKOFF_BASE * 2**(attempt-1)`` seconds, or the server's ``Retry-After``
(seconds or an HTTP date) when it sends one, capped at ``RETRY_BACKOFF_MAX``. Sina answers
bursts with 403/429; retrying at once only deepens a ban.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.settings import BaseSettings


def retry_after_seconds(value: bytes | None, now: datetime | None = None) -> float | None:
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    def backoff(self, retry: Request, response: Response) -> float:
        attempt = retry.meta.get("retry_times", 1)
        server_says = retry_after_seconds(response.headers.get("Retry-After"))
        wait = server_says if server_says is not None else self.base * 2 ** (attempt - 1)
        return min(wait, self.cap)

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        result = super().process_response(request, response)
        if isinstance(result, Request):
            wait = self.backoff(result, response)
            self.crawler.stats.inc_value("retry/backoff_seconds", wait)
            await asyncio.sleep(wait)
        return result
