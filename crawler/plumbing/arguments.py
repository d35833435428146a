"""Spider arguments (``-a name=value``): what each spider accepts, and one check that turns a
bad value into one clear message.

Framework-free. ``FINANCE_ARGUMENTS`` and ``ARTICLE_ARGUMENTS`` declare each spider's names
(name -> parser, help); ``Arguments.check`` parses every given value or raises
``ArgumentError`` naming the argument, the bad value and what is accepted. The project's
``scrapy crawl`` (crawler.plumbing.commands.crawl) runs the check before Scrapy starts, so a mistake
exits 2 with one line; the spiders parse with the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.sina.channels import ChannelError, load_channels
from crawler.sina.symbols import symbol_problem
from crawler.sina.zhibo import load_feeds, pick_feeds
from crawler.values import parse_beijing_time

Settings = Mapping[str, Any]
SINA_DOMAINS = ("sina.com.cn", "sina.cn")
_BOUND = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class ArgumentError(ValueError):
    """A spider argument is unknown, malformed or contradicts another; the message says which."""


@dataclass(frozen=True)
class Argument:
    """One ``-a`` name: ``parse(value, settings)`` returns the value or raises ValueError(what is accepted)."""

    parse: Callable[[str, Settings], Any]
    help: str
    default: Any = None


@dataclass(frozen=True)
class Arguments:
    """A spider's arguments, and a rule across them (``combine``) run once each parsed."""

    spider: str
    names: Mapping[str, Argument]
    combine: Callable[[dict[str, Any], Mapping[str, str]], None] | None = None

    def check(self, raw: Mapping[str, Any], settings: Settings | None = None) -> dict[str, Any]:
        """Every declared name -> its parsed value (the default when absent or empty)."""
        # Names with a leading underscore belong to the runner (Scrapyd's _job), not the user.
        unknown = sorted(name for name in set(raw) - set(self.names) if not name.startswith("_"))
        if unknown:
            given = ", ".join(f"{name}={raw[name]!r}" for name in unknown)
            raise ArgumentError(f"unknown argument -a {given}; {self.spider} takes: {', '.join(self.names)}")
        values = {}
        for name, argument in self.names.items():
            value = str(raw.get(name) or "").strip()
            try:
                values[name] = argument.parse(value, settings or {}) if value else argument.default
            except ValueError as error:
                raise ArgumentError(f"bad -a {name}={raw[name]!r}: {error}") from None
        if self.combine is not None:
            self.combine(values, raw)
        return values | {name: value for name, value in raw.items() if name.startswith("_")}


def parse_bound(value: str, *, end_of_day: bool = False) -> datetime:
    """``2021-10-01`` (a Beijing day; as ``until`` the whole day) or ``2021-10-01T08:30[:00]``."""
    moment = parse_beijing_time(value) if _BOUND.fullmatch(value) else None
    if moment is None:
        raise ValueError("expected a date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM[:SS] (Beijing)")
    if end_of_day and len(value) == 10:
        moment += timedelta(days=1, seconds=-1)
    return moment


def parse_flag(value: str, settings: Settings | None = None) -> bool:
    if value.lower() not in _TRUE + _FALSE:
        raise ValueError("expected 1/0, true/false or yes/no")
    return value.lower() in _TRUE


def parse_positive(value: str, settings: Settings | None = None) -> int:
    if not value.isdigit() or int(value) < 1:
        raise ValueError("expected a positive whole number")
    return int(value)


def parse_channels(value: str, settings: Settings) -> str:
    """``all`` or a comma list of channel names of CHANNELS_FILE, returned as ``a,b``."""
    try:
        known = load_channels(settings.get("CHANNELS_FILE") or None)
    except ChannelError as error:
        raise ValueError(str(error)) from None
    if value == "all":
        return value
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if not names or unknown:
        what = f"unknown channel(s) {', '.join(unknown)}" if unknown else "no channel name"
        raise ValueError(f"{what}; expected 'all' or a comma list of: {', '.join(known)}")
    return ",".join(dict.fromkeys(names))


def _window(values: dict[str, Any], raw: Mapping[str, str]) -> None:
    if values["since"] and values["until"] and values["until"] < values["since"]:
        raise ArgumentError(f"bad -a until={raw['until']!r}: it is before since={raw['since']!r}")


FINANCE_ARGUMENTS = Arguments("sina_finance", {
    "channels": Argument(parse_channels, "'all' or a comma list of channel names (default: the default ones)", ""),
    "since": Argument(lambda v, s: parse_bound(v), "window start: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]"),
    "until": Argument(lambda v, s: parse_bound(v, end_of_day=True), "window end (a date includes its day)"),
    "refetch": Argument(parse_flag, "1: fetch known articles of the window again", False),
    "reset_state": Argument(parse_flag, "1: forget the state first", False),
    "max_pages": Argument(parse_positive, "roll pages per channel (setting ROLL_MAX_PAGES)"),
}, combine=_window)


def url_problem(url: str) -> str | None:
    """Why ``url`` is not an http(s) URL of a Sina host (``not_a_url``, ``not_http``, ``not_sina``), or None."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc or " " in url:
        return "not_a_url"
    if parts.scheme.lower() not in ("http", "https"):
        return "not_http"
    host = (parts.hostname or "").lower()
    if not any(host == domain or host.endswith("." + domain) for domain in SINA_DOMAINS):
        return "not_sina"
    return None


def parse_url_list(value: str, settings: Settings | None = None) -> list[str]:
    return [url.strip() for url in value.split(",") if url.strip()]


def read_url_file(value: str, settings: Settings | None = None) -> list[str]:
    """One URL a line; a blank line or one whose first non-space character is ``#`` is a comment."""
    try:
        lines = Path(value).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"cannot read it: {getattr(error, 'strerror', None) or error}") from None
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def _some_url(values: dict[str, Any], raw: Mapping[str, str]) -> None:
    values["urls"] = values["urls"] or []
    values["url_file"] = values["url_file"] or []
    if not values["urls"] and not values["url_file"]:
        raise ArgumentError("sina_article needs at least one URL: -a urls=URL[,URL…] or -a url_file=PATH")


ARTICLE_ARGUMENTS = Arguments("sina_article", {
    "urls": Argument(parse_url_list, "comma list of article URLs"),
    "url_file": Argument(read_url_file, "file with one URL a line ('#' lines are comments)"),
}, combine=_some_url)



def parse_feeds(value: str, settings: Settings) -> str:
    """``all`` or a comma list of feed names of ZHIBO_FEEDS_FILE, returned as ``a,b``."""
    feeds = pick_feeds(load_feeds(settings.get("ZHIBO_FEEDS_FILE") or None), value)
    return "all" if value.strip() == "all" else ",".join(feed.name for feed in feeds)


LIVE_ARGUMENTS = Arguments("sina_7x24", {
    "feeds": Argument(parse_feeds, "'all' or a comma list of feed names (default: the default ones)", ""),
    "since": Argument(lambda v, s: parse_bound(v), "window start: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]"),
    "until": Argument(lambda v, s: parse_bound(v, end_of_day=True), "window end (a date includes its day)"),
    "max_pages": Argument(parse_positive, "feed pages per feed (setting ZHIBO_MAX_PAGES)"),
}, combine=_window)

def parse_archives(value: str, settings: Settings | None = None) -> list[Path]:
    """A comma list of WARC files or folders of them, each of which must exist."""
    paths = [Path(part.strip()) for part in value.split(",") if part.strip()]
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        raise ValueError(f"no such file or folder: {', '.join(missing)}")
    return paths


def archive_paths(warc: str | list[str]) -> list[Path]:
    """The archives given to an archive spider: a list from crawler.reextract (paths may hold
    commas), a comma list from ``scrapy crawl -a warc=…`` (checked)."""
    if isinstance(warc, list):
        return [Path(path) for path in warc]
    return ARCHIVE_ARGUMENTS.check({"warc": warc})["warc"]


def _some_archive(values: dict[str, Any], raw: Mapping[str, str]) -> None:
    if not values["warc"]:
        raise ArgumentError("sina_archive needs an archive: -a warc=ARCHIVE[,ARCHIVE…] (WARC files or folders)")


ARCHIVE_ARGUMENTS = Arguments("sina_archive", {
    "warc": Argument(parse_archives, "comma list of WARC files, or folders of them"),
}, combine=_some_archive)


def parse_symbols(value: str, settings: Settings | None = None) -> list[str]:
    """A comma list of 个股资讯 symbols (``sh600519,sz000002``), each checked, duplicates dropped."""
    return check_symbols([symbol.strip() for symbol in value.split(",") if symbol.strip()])


def read_symbol_file(value: str, settings: Settings | None = None) -> list[str]:
    """One symbol a line; blank lines and ``#`` comments (whole-line or after a symbol) are skipped."""
    lines = read_url_file(value)
    return check_symbols([line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()])


def check_symbols(symbols: list[str]) -> list[str]:
    bad = [f"{symbol!r} ({problem})" for symbol in symbols if (problem := symbol_problem(symbol))]
    if bad:
        raise ValueError("not a symbol: " + "; ".join(bad))
    return list(dict.fromkeys(symbols))


def _some_symbol(values: dict[str, Any], raw: Mapping[str, str]) -> None:
    values["symbols"] = list(dict.fromkeys((values["symbols"] or []) + (values["symbol_file"] or [])))
    if not values["symbols"]:
        raise ArgumentError("sina_stock_news needs at least one symbol: -a symbols=sh600519[,sz000002…] "
                            "or -a symbol_file=PATH")
    _window(values, raw)


STOCK_NEWS_ARGUMENTS = Arguments("sina_stock_news", {
    "symbols": Argument(parse_symbols, "comma list of symbols: sh/sz/bj + 6 digits, e.g. sh600519,sz000002"),
    "symbol_file": Argument(read_symbol_file, "file with one symbol a line ('#' starts a comment)"),
    "since": Argument(lambda v, s: parse_bound(v), "window start: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]"),
    "until": Argument(lambda v, s: parse_bound(v, end_of_day=True), "window end (a date includes its day)"),
    "refetch": Argument(parse_flag, "1: fetch articles of the window again even when already written", False),
    "max_pages": Argument(parse_positive, "list pages per symbol (setting STOCK_NEWS_MAX_PAGES)"),
}, combine=_some_symbol)

# Spiders whose class does not declare ``arguments`` yet.
DECLARED = {spec.spider: spec for spec in (FINANCE_ARGUMENTS, ARTICLE_ARGUMENTS, LIVE_ARGUMENTS)}
