"""Every setting of crawler/settings.py, checked before anything runs: one table, name -> check.

A check takes the value as the settings hold it (a string from ``-s``, or the default's type) and
returns None when it is fine, or what is accepted. ``check_settings`` raises ``SettingError`` with
one line naming the first bad setting, its value and what is accepted; the project's ``scrapy
crawl`` and ``python -m crawler.cron`` turn it into a usage error (exit 2) before any lock, file or
request. Settings that are Scrapy's wiring (component tables, the reactor) are left to Scrapy and
listed in ``WIRING``.
"""

from __future__ import annotations

import codecs
import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object

from crawler.items import BODY_MODES
from crawler.sina.channels import ChannelError, load_channels
from crawler.sina.zhibo import load_feeds

# Front-matter keys a post may carry after the seed's (pipelines.format.post.EXTRA_KEYS; the
# plumbing room may not import the renderer, tests/test_setting_checks.py keeps the two equal).
EXTRA_KEYS = ("link", "doc_id", "source", "keywords", "updated", "description", "editor", "channel", "stocks")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
Check = Callable[[Any], str | None]


class SettingError(ValueError):
    """A setting has a value the crawl cannot use; the message names it and what is accepted."""


def number(low: float, *, whole: bool = False, high: float | None = None, above: bool = False) -> Check:
    """A number (a whole one with ``whole``) of at least ``low`` (above it with ``above``), at most ``high``."""
    kind = "a whole number" if whole else "a number"
    bounds = f"{'above' if above else 'at least'} {low:g}" + (f" and at most {high:g}" if high is not None else "")

    def check(value: Any) -> str | None:
        try:
            parsed = float(str(value).strip()) if not whole else int(str(value).strip())
        except ValueError:
            return f"expected {kind} {bounds}"
        if parsed < low or (above and parsed == low) or (high is not None and parsed > high):
            return f"expected {kind} {bounds}"
        return None

    return check


def processes(value: Any) -> str | None:
    """PARSE_PROCESSES, in the words crawler.plumbing.workers uses."""
    if number(0, whole=True)(value) is None:
        return None
    return "expected 0 (read pages on the reactor thread) or a number of worker processes"


def flag(value: Any) -> str | None:
    if isinstance(value, bool) or str(value).strip().lower() in _TRUE + _FALSE:
        return None
    return "expected True/False (or 1/0, yes/no)"


def text(value: Any) -> str | None:
    return None if str(value).strip() else "expected a non-empty text"


def one_of(*choices: str) -> Check:
    return lambda value: None if str(value) in choices else f"expected one of {', '.join(choices)}"


def keys(value: Any) -> str | None:
    names = value if isinstance(value, list | tuple) else str(value).split(",")
    unknown = [str(name).strip() for name in names if str(name).strip() and str(name).strip() not in EXTRA_KEYS]
    return f"expected a comma list of {', '.join(EXTRA_KEYS)} (or empty)" if unknown else None


def writable(value: Any, *, optional: bool = False) -> str | None:
    """A path whose nearest existing folder (the path itself, when a folder) can be written."""
    if not str(value).strip():
        return None if optional else "expected a path"
    path = Path(str(value)).expanduser().absolute()
    existing = next((p for p in (path, *path.parents) if p.exists()), Path("/"))
    if existing == path and not path.is_dir() and not os.access(path, os.W_OK):
        return "expected a path that can be written (it is a file that cannot)"
    if existing != path and not existing.is_dir():
        return f"expected a path that can be written ({existing} is a file, not a folder)"
    folder = existing if existing.is_dir() else existing.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"expected a path that can be written ({folder} is not writable)"
    return None


def folder(value: Any) -> str | None:
    """A folder (or one that can be made)."""
    path = Path(str(value)).expanduser().absolute()
    if path.exists() and not path.is_dir():
        return "expected a folder (it is a file)"
    return writable(value)


def optional_folder(value: Any) -> str | None:
    """Empty (off), or a folder (or one that can be made): ARCHIVE_DIR."""
    return None if not str(value).strip() else folder(value)


def file_in_folder(value: Any) -> str | None:
    """A file path whose folder can be made and written (the state's SQLite file)."""
    path = Path(str(value)).expanduser().absolute()
    if path.is_dir():
        return "expected a file path (it is a folder)"
    return writable(value)


def url(*schemes: str, empty: bool = True) -> Check:
    accepted = " or ".join(f"{scheme}://host[:port]" for scheme in schemes) + (" or empty" if empty else "")

    def check(value: Any) -> str | None:
        raw = str(value).strip()
        if not raw and empty:
            return None
        parts = urlsplit(raw)
        try:
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError:
            return f"expected a URL {accepted} (the port is not a number)"
        if parts.scheme not in schemes or not (parts.hostname or parts.scheme == "unix"):
            return f"expected a URL {accepted}"
        return None

    return check


def channel_file(value: Any) -> str | None:
    try:
        load_channels(str(value) or None)
    except ChannelError as error:
        return f"expected a readable channel table ({error})"
    return None


def feed_file(value: Any) -> str | None:
    try:
        load_feeds(str(value) or None)
    except ValueError as error:
        return f"expected a readable 7x24 feed table ({error})"
    return None


def a_class(value: Any) -> str | None:
    try:
        loaded = load_object(str(value))
    except (ImportError, NameError, ValueError, AttributeError) as error:
        return f"expected an importable class path ({error})"
    return None if isinstance(loaded, type) else "expected a class"


def status_codes(value: Any) -> str | None:
    codes = value if isinstance(value, list | tuple) else str(value).split(",")
    try:
        parsed = [int(str(code).strip()) for code in codes if str(code).strip()]
    except ValueError:
        parsed = [0]
    return None if all(100 <= code <= 599 for code in parsed) else "expected a comma list of HTTP status codes"


def encoding(value: Any) -> str | None:
    try:
        codecs.lookup(str(value))
    except LookupError:
        return "expected a text encoding such as utf-8"
    return None


def log_level(value: Any) -> str | None:
    known = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
    if isinstance(value, int) or str(value).upper() in known or isinstance(logging.getLevelName(str(value)), int):
        return None
    return f"expected one of {', '.join(known)}"


CHECKS: Mapping[str, Check] = {
    "OUTPUT_DIR": folder,
    "BODY_MODE": one_of(*BODY_MODES),
    "EXTRA_FRONT_MATTER": keys,
    "PARSE_PROCESSES": processes,
    "CHANNELS_FILE": channel_file,
    "ROLL_API_HOST": one_of("feed.mix.sina.com.cn", "feed.sina.com.cn"),
    "ROLL_MAX_PAGES": number(1, whole=True),
    "UPDATE_LOOKBACK_HOURS": number(0),
    "ALLOW_TRUNCATED": flag,
    "STALE_CHANNEL_HOURS": number(0, above=True),
    "ZHIBO_FEEDS_FILE": feed_file,
    "ZHIBO_PAGE_SIZE": number(1, whole=True, high=100),
    "ZHIBO_MAX_PAGES": number(1, whole=True),
    "STOCK_NEWS_MAX_PAGES": number(1, whole=True),
    "STOCK_NEWS_FIRST_RUN_DAYS": number(0, above=True),
    "ARCHIVE_DIR": optional_folder,
    "ARCHIVE_MAX_BYTES": number(1, whole=True),
    "STATE_CLASS": a_class,
    "STATE_PATH": file_in_folder,
    "REDIS_URL": url("redis", "rediss", "unix"),
    "REDIS_KEY_PREFIX": text,
    "REDIS_IDLE_CLOSE": number(0, above=True),
    "RUN_SUMMARY_FILE": lambda value: writable(value, optional=True),
    "PROGRESS_ENABLED": flag,
    "SINA_MIRROR": url("http", "https"),
    "USER_AGENT": text,
    "ROBOTSTXT_OBEY": flag,
    "DOWNLOAD_DELAY": number(0),
    "DOWNLOAD_DELAY_JITTER": number(0),
    "CONCURRENT_REQUESTS": number(1, whole=True),
    "CONCURRENT_ITEMS": number(1, whole=True),
    "CONCURRENT_REQUESTS_PER_DOMAIN": number(1, whole=True),
    "AUTOTHROTTLE_ENABLED": flag,
    "AUTOTHROTTLE_START_DELAY": number(0),
    "AUTOTHROTTLE_MAX_DELAY": number(0),
    "AUTOTHROTTLE_TARGET_CONCURRENCY": number(0, above=True),
    "DOWNLOAD_TIMEOUT": number(0, above=True),
    "RETRY_ENABLED": flag,
    "RETRY_TIMES": number(0, whole=True),
    "RETRY_HTTP_CODES": status_codes,
    "RETRY_BACKOFF_BASE": number(0),
    "RETRY_BACKOFF_MAX": number(0),
    "TELNETCONSOLE_ENABLED": flag,
    "REMOTE_CONTROL_ENABLED": flag,
    "LOG_LEVEL": log_level,
    "FEED_EXPORT_ENCODING": encoding,
}
# Scrapy's wiring: component tables, module paths and the reactor, which Scrapy itself loads and
# reports; not a value a user tunes with -s.
WIRING = ("BOT_NAME", "SPIDER_MODULES", "NEWSPIDER_MODULE", "ITEM_PIPELINES", "EXTENSIONS", "ADDONS",
          "DOWNLOADER_MIDDLEWARES", "DEFAULT_REQUEST_HEADERS", "COMMANDS_MODULE", "FEED_EXPORTERS",
          "REQUEST_FINGERPRINTER_IMPLEMENTATION", "TWISTED_REACTOR")


# The live crawl's places (crawler/settings.py's defaults), which a replay must never touch.
LIVE_PLACES = {"OUTPUT_DIR": "output", "STATE_PATH": ".state/crawl.sqlite"}


def check_replay(settings: BaseSettings | Mapping[str, Any]) -> None:
    """A crawl of a saved site (``SINA_MIRROR``) writing into the live ``OUTPUT_DIR`` or reading and
    moving the live state's marks would mix demo posts into the blog and make the next live run
    backfill from the snapshot's dates: it needs both places of its own."""
    if not str(settings.get("SINA_MIRROR") or "").strip():
        return
    live = [name for name, default in LIVE_PLACES.items()
            if Path(os.path.normpath(str(settings.get(name) or default))).absolute()
            == Path(os.path.normpath(default)).absolute()]
    if live:
        raise SettingError(f"-s SINA_MIRROR={settings.get('SINA_MIRROR')} replays a saved site: give it its own "
                           + " and ".join(f"-s {name}=…" for name in LIVE_PLACES)
                           + f" (not the live {', '.join(LIVE_PLACES[name] for name in live)})")


def check_settings(settings: BaseSettings | Mapping[str, Any]) -> None:
    """Raise SettingError for the first setting whose value cannot be used."""
    for name, check in CHECKS.items():
        value = settings.get(name)
        if value is None:
            continue
        problem = check(value)
        if problem:
            shown = ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
            raise SettingError(f"bad -s {name}={shown!r}: {problem}")
    check_replay(settings)
