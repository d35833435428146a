"""What ``python -m crawler.doctor`` does: fetch roll page 1 and the newest article of each channel,
and page 1 of each 7x24 feed, through Scrapy with the project's settings, and check each reply
against what the code reads (``crawler.sina.drift``).

Each finding is one of three kinds (crawler.plumbing.reach): *unreachable* (no reply, or a 5xx
after the retry), *drifted* (a reply of the wrong shape) or *stale* (a reply in shape whose newest
item is older than STALE_CHANNEL_HOURS); a channel that could not be reached is not checked further."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from scrapy.settings import Settings
from twisted.python.failure import Failure

from crawler.plumbing.reach import EXIT_DRIFTED, EXIT_OK, EXIT_STALE, EXIT_UNREACHABLE, unreachable_reason
from crawler.sina.channels import Channel
from crawler.sina.drift import check_article, check_feed, check_roll, newest_item_time
from crawler.sina.roll import roll_url
from crawler.sina.zhibo import Feed, feed_url
from crawler.values import SHANGHAI

UNREACHABLE, DRIFTED, STALE = "unreachable", "drifted", "stale"
WORDS = {UNREACHABLE: "UNREACHABLE", DRIFTED: "DRIFT", STALE: "STALE"}  # the table's status, worst first
CODES = {UNREACHABLE: EXIT_UNREACHABLE, DRIFTED: EXIT_DRIFTED, STALE: EXIT_STALE}
Findings = dict[str, list[tuple[str, str]]]


class DoctorSpider(scrapy.Spider):
    """Fetches what the doctor checks and notes each finding under its channel."""

    name = "doctor"
    custom_settings = {
        "EXTENSIONS": {"crawler.store.lock.CrawlLock": None, "crawler.plumbing.run_summary.RunSummary": None,
                       "crawler.plumbing.progress.Progress": None},
        "ITEM_PIPELINES": {},
        "HTTPERROR_ALLOW_ALL": True,  # a 403 page is a finding, not a silent drop
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408],
        "RETRY_TIMES": 1,
    }

    def __init__(self, channels: list[Channel], feeds: list[Feed], findings: Findings,
                 roll_host: str = "feed.mix.sina.com.cn", stale_hours: float = 48.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.channels, self.feeds, self.findings, self.roll_host = channels, feeds, findings, roll_host
        self.stale_hours = stale_hours
        self.now = time.time()

    def replied(self, response: Response, name: str, what: str) -> bool:
        """False (and an unreachable finding) for a 5xx reply, which says nothing of Sina's shape."""
        if response.status < 500:
            return True
        self.findings[name].append((UNREACHABLE, f"{what}: HTTP {response.status} after retries"))
        return False

    def check_age(self, body: bytes, name: str, what: str) -> None:
        newest = newest_item_time(body, self.now)
        if newest is not None and (self.now - newest) / 3600 > self.stale_hours:
            shown = datetime.fromtimestamp(newest, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
            self.findings[name].append((STALE, f"{what}: newest item {shown} is {(self.now - newest) / 3600:.1f} h "
                                               f"old (STALE_CHANNEL_HOURS={self.stale_hours:g})"))

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for channel in self.channels:
            yield scrapy.Request(roll_url(channel.pageid, channel.lid, 1, host=self.roll_host),
                                 headers={"Referer": channel.referer}, callback=self.roll_reply,
                                 errback=self.failed, cb_kwargs={"name": channel.name, "what": "roll"},
                                 dont_filter=True)
        for feed in self.feeds:
            yield scrapy.Request(feed_url(feed, 1), headers={"Referer": "https://finance.sina.com.cn/7x24/"},
                                 callback=self.feed_reply, errback=self.failed,
                                 cb_kwargs={"name": feed.name, "what": "7x24 feed"}, dont_filter=True)

    def roll_reply(self, response: Response, name: str, what: str) -> Iterator[scrapy.Request]:
        if not self.replied(response, name, what):
            return
        found, newest = check_roll(response.status, response.body, self.now)
        self.findings[name] += [(DRIFTED, f"roll: {finding}") for finding in found]
        if not found:
            self.check_age(response.body, name, what)
        if newest:
            yield scrapy.Request(newest, callback=self.article, errback=self.failed, dont_filter=True,
                                 cb_kwargs={"name": name, "what": f"article {newest}"})

    def article(self, response: Response, name: str, what: str) -> None:
        if not self.replied(response, name, what):
            return
        headers = {key.decode(): value[0].decode("latin-1") for key, value in response.headers.items() if value}
        found = check_article(response.url, response.status, response.body, headers)
        self.findings[name] += [(DRIFTED, f"{what}: {finding}") for finding in found]

    def feed_reply(self, response: Response, name: str, what: str) -> None:
        if not self.replied(response, name, what):
            return
        found = check_feed(response.status, response.body, self.now)
        self.findings[name] += [(DRIFTED, f"{what}: {finding}") for finding in found]
        if not found:
            self.check_age(response.body, name, what)

    def failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        if request is None:
            return
        kwargs = request.cb_kwargs
        kind = UNREACHABLE if unreachable_reason(failure) else DRIFTED
        self.findings[kwargs["name"]].append((kind, f"{kwargs['what']}: request failed: {failure.getErrorMessage()}"))


def run_checks(settings: Settings, channels: list[Channel], feeds: list[Feed]) -> Findings:
    """What was found, per channel and feed name: (kind, text) pairs (an empty list: nothing)."""
    findings: Findings = {item.name: [] for item in [*channels, *feeds]}
    process = CrawlerProcess(settings)
    process.crawl(DoctorSpider, channels=channels, feeds=feeds, findings=findings,
                  roll_host=settings.get("ROLL_API_HOST") or "feed.mix.sina.com.cn",
                  stale_hours=settings.getfloat("STALE_CHANNEL_HOURS", 48.0))
    process.start()
    return findings


def worst(found: list[tuple[str, str]]) -> str | None:
    """The worst kind among a channel's findings (unreachable, drifted, stale), or None."""
    return next((kind for kind in WORDS if any(k == kind for k, _ in found)), None)


def report_rows(channels: list[Channel], feeds: list[Feed], findings: Findings) -> list[list[str]]:
    rows = [["channel", "status", "what was found"]]
    for item in [*channels, *feeds]:
        source = f"roll {item.pageid}/{item.lid}" if isinstance(item, Channel) else f"zhibo {item.zhibo_id}"
        found = findings[item.name]
        kind = worst(found)
        rows.append([f"{item.name} ({source})", WORDS[kind] if kind else "ok", "; ".join(t for _, t in found) or "-"])
    return rows


def tally(findings: Findings) -> tuple[str, int]:
    """The closing line (``4 checked: 1 ok, 1 unreachable, 1 drifted, 1 stale``) and the exit code
    of the worst finding."""
    kinds = [worst(found) for found in findings.values()]
    counts = ", ".join(f"{kinds.count(kind)} {kind}" for kind in WORDS)
    code = next((CODES[kind] for kind in WORDS if kind in kinds), EXIT_OK)
    return f"{len(kinds)} checked: {kinds.count(None)} ok, {counts}", code
