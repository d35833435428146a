"""``scrapy crawl``, checked before Scrapy starts.

A usage mistake (unknown spider, unknown or bad ``-a`` argument, a bad setting: every one is
checked, crawler.plumbing.setting_checks) exits 2 with Scrapy's usage
line and one error line, before anything is logged or written. Then the crawl lock
(crawler.store.lock) is taken for OUTPUT_DIR and STATE_PATH: when another crawl holds it, the
command exits 75 with one line naming the holder (1 when the lock file cannot be created).
The lock is held until the process exits. With ``REDIS_URL`` (a distributed crawl) the Redis
server is asked first: unreachable, the command exits 1 with one line; a run stopped by a Redis
failure (finish reason ``redis_unavailable``) exits 1 too. After the crawl, a run whose summary is
not ok exits by the rule cron uses (crawler.plumbing.reach.outcome): 69 unreachable, 65 drifted, 1
otherwise.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands import ScrapyHelpFormatter
from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from crawler.distributed import FINISH_REASON
from crawler.plumbing.arguments import DECLARED, ArgumentError
from crawler.plumbing.reach import outcome
from crawler.plumbing.run_summary import RunSummary
from crawler.plumbing.setting_checks import SettingError, check_settings
from crawler.plumbing.workers import parse_processes
from crawler.store.lock import EXIT_LOCKED, LockFailed, LockHeld, hold_crawl_locks


class OneLineUsage(ScrapyHelpFormatter):
    """Scrapy's help layout, but a usage error shows the usage as one line, not a titled block."""

    def format_part_strings(self, part_strings: list[str]) -> list[str]:
        if len(part_strings) == 1 and part_strings[0].startswith("usage: "):
            return part_strings
        return super().format_part_strings(part_strings)


class Command(ScrapyCrawl):
    def syntax(self) -> str:
        return "[options] <spider> [-a NAME=VALUE …]"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.prog = "scrapy crawl"  # the error line reads "scrapy crawl: error: …", also under python -m
        parser.formatter_class = OneLineUsage

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if len(args) != 1:
            return  # Scrapy's own run() says what is wrong
        assert self.settings is not None
        try:  # every setting, before any lock, file or request
            check_settings(self.settings)
        except SettingError as error:
            raise UsageError(str(error), print_help=False) from None
        loader = get_spider_loader(self.settings)
        try:
            spidercls = loader.load(args[0])
        except KeyError:
            raise UsageError(f"unknown spider {args[0]!r}; known: {', '.join(sorted(loader.list()))}",
                             print_help=False) from None
        spec = getattr(spidercls, "arguments", None) or DECLARED.get(spidercls.name)
        if spec is not None:
            try:
                spec.check(opts.spargs, self.settings)
            except ArgumentError as error:
                raise UsageError(str(error), print_help=False) from None
        if self.settings.get("REDIS_URL"):
            self.check_redis(self.settings.get("REDIS_URL"))
        try:
            parse_processes(self.settings)
        except ValueError as error:
            raise UsageError(str(error), print_help=False) from None
        try:
            # Scrapy's cmdline took "crawl" out of sys.argv; the holder line names the whole command.
            hold_crawl_locks(self.settings, ["scrapy", "crawl", *sys.argv[1:]])
        except (LockHeld, LockFailed) as error:
            print(f"scrapy crawl: not starting: {error.args[-1]}", file=sys.stderr)
            sys.exit(EXIT_LOCKED if isinstance(error, LockHeld) else 1)

    @staticmethod
    def check_redis(url: str) -> None:
        from redis import RedisError  # only a distributed crawl needs the client

        from crawler.store.redis_state import connect, shown

        try:
            connect(url).ping()
        except (RedisError, ValueError) as error:
            print(f"scrapy crawl: not starting: Redis at {shown(url)} unreachable: {error}", file=sys.stderr)
            sys.exit(1)

    def _create_crawler(self, spname: str) -> Crawler:
        self.crawler = super()._create_crawler(spname)
        return self.crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        crawler = getattr(self, "crawler", None)
        if crawler is None:
            return
        if crawler.stats and crawler.stats.get_value("finish_reason") == FINISH_REASON:
            self.exitcode = 1
        # A run whose summary is not ok exits non-zero, by the same rule as python -m crawler.cron.
        summaries = [ext.summary for ext in crawler.extensions.middlewares if isinstance(ext, RunSummary)]
        if summaries and summaries[0] is not None:
            self.exitcode = self.exitcode or outcome(summaries[0])
