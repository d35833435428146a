"""``python -m crawler.doctor``: does Sina still look the way the code expects? A live canary.

For every chosen channel it fetches roll page 1 and checks the reply's schema (each field the
code reads: present, typed, plausible times), then fetches the channel's newest article and
checks that the reader found title, time, source and a body of reasonable length with a dated
template; for every chosen 7x24 feed it fetches feed page 1 and checks it likewise
(``crawler.sina.drift``). It prints one table (channel, status, what drifted) and exits 0 only when
nothing drifted (1 otherwise, 2 for a usage error). It writes nothing and takes no lock.

Requests go through Scrapy with the project's settings (User-Agent, robots.txt, politeness,
``SINA_MIRROR``), with ``-s NAME=VALUE`` overrides; a 403 or other error status is reported,
not retried (5xx and timeouts are retried once).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from scrapy.utils.project import get_project_settings
from twisted.python.failure import Failure

from crawler.channels import table
from crawler.sina.channels import Channel, ChannelError, load_channels, pick_channels
from crawler.sina.drift import check_article, check_feed, check_roll
from crawler.sina.roll import roll_url
from crawler.sina.zhibo import Feed, feed_url, load_feeds, pick_feeds

EXIT_DRIFT = 1
EXIT_USAGE = 2


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m crawler.doctor", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="exit status: 0 nothing drifted, 1 something drifted, 2 usage error")
    parser.add_argument("--channels", default="all", metavar="SPEC",
                        help="roll channels to check: 'all' or a comma list of CHANNELS_FILE names, "
                             "'none' for none (default: %(default)s)")
    parser.add_argument("--feeds", default="all", metavar="SPEC",
                        help="7x24 feeds to check: 'all' or a comma list of ZHIBO_FEEDS_FILE names, 'none' for none "
                             "(default: %(default)s)")
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="setting, as for scrapy crawl -s (repeatable), e.g. SINA_MIRROR=http://127.0.0.1:8750")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    bad = [value for value in args.settings if "=" not in value]
    if bad:
        parser.error(f"-s {bad[0]!r}: expected NAME=VALUE")
    settings = get_project_settings()
    settings.setdict(dict(value.split("=", 1) for value in args.settings), priority="cmdline")
    if not any(value.startswith("LOG_LEVEL=") for value in args.settings):
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")  # the table is the output
    try:
        channels = [] if args.channels == "none" else pick_channels(
            load_channels(settings.get("CHANNELS_FILE") or None), "" if args.channels == "default" else args.channels)
        feeds = [] if args.feeds == "none" else pick_feeds(load_feeds(settings.get("ZHIBO_FEEDS_FILE") or None),
                                                          args.feeds)
    except (ChannelError, ValueError) as error:
        parser.error(str(error))
    findings: dict[str, list[str]] = {item.name: [] for item in [*channels, *feeds]}
    process = CrawlerProcess(settings)
    process.crawl(DoctorSpider, channels=channels, feeds=feeds, findings=findings,
                  roll_host=settings.get("ROLL_API_HOST") or "feed.mix.sina.com.cn")
    process.start()
    rows = [["channel", "status", "what drifted"]]
    for item in [*channels, *feeds]:
        source = f"roll {item.pageid}/{item.lid}" if isinstance(item, Channel) else f"zhibo {item.zhibo_id}"
        found = findings[item.name]
        rows.append([f"{item.name} ({source})", "DRIFT" if found else "ok", "; ".join(found) or "-"])
    drifted = sum(1 for found in findings.values() if found)
    print(table(rows))
    print(f"{len(findings)} checked: {len(findings) - drifted} ok, {drifted} drifted", flush=True)
    return EXIT_DRIFT if drifted else 0


if __name__ == "__main__":
    sys.exit(main())
