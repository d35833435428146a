"""What ``python -m crawler.doctor`` does: fetch roll page 1 and the newest article of each channel,
and page 1 of each 7x24 feed, through Scrapy with the project's settings, and check each reply
against what the code reads (``crawler.sina.drift``)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from scrapy.settings import Settings
from twisted.python.failure import Failure

from crawler.sina.channels import Channel
from crawler.sina.drift import check_article, check_feed, check_roll
from crawler.sina.roll import roll_url
from crawler.sina.zhibo import Feed, feed_url


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

    def __init__(self, channels: list[Channel], feeds: list[Feed], findings: dict[str, list[str]],
                 roll_host: str = "feed.mix.sina.com.cn", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.channels, self.feeds, self.findings, self.roll_host = channels, feeds, findings, roll_host
        self.now = time.time()

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
        found, newest = check_roll(response.status, response.body, self.now)
        self.findings[name] += [f"roll: {finding}" for finding in found]
        if newest:
            yield scrapy.Request(newest, callback=self.article, errback=self.failed, dont_filter=True,
                                 cb_kwargs={"name": name, "what": f"article {newest}"})

    def article(self, response: Response, name: str, what: str) -> None:
        headers = {key.decode(): value[0].decode("latin-1") for key, value in response.headers.items() if value}
        found = check_article(response.url, response.status, response.body, headers)
        self.findings[name] += [f"{what}: {finding}" for finding in found]

    def feed_reply(self, response: Response, name: str, what: str) -> None:
        found = check_feed(response.status, response.body, self.now)
        self.findings[name] += [f"{what}: {finding}" for finding in found]

    def failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        if request is None:
            return
        kwargs = request.cb_kwargs
        self.findings[kwargs["name"]].append(f"{kwargs['what']}: request failed: {failure.getErrorMessage()}")


def run_checks(settings: Settings, channels: list[Channel], feeds: list[Feed]) -> dict[str, list[str]]:
    """What drifted, per channel and feed name (an empty list: nothing)."""
    findings: dict[str, list[str]] = {item.name: [] for item in [*channels, *feeds]}
    process = CrawlerProcess(settings)
    process.crawl(DoctorSpider, channels=channels, feeds=feeds, findings=findings,
                  roll_host=settings.get("ROLL_API_HOST") or "feed.mix.sina.com.cn")
    process.start()
    return findings


def report_rows(channels: list[Channel], feeds: list[Feed], findings: dict[str, list[str]]) -> list[list[str]]:
    rows = [["channel", "status", "what drifted"]]
    for item in [*channels, *feeds]:
        source = f"roll {item.pageid}/{item.lid}" if isinstance(item, Channel) else f"zhibo {item.zhibo_id}"
        found = findings[item.name]
        rows.append([f"{item.name} ({source})", "DRIFT" if found else "ok", "; ".join(found) or "-"])
    return rows
