"""The channel table (``CHANNELS_FILE``, default ``crawler/sina/channels.yaml``) and channel picking."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from crawler.items import BODY_MODES

DEFAULT_CHANNELS_FILE = Path(__file__).with_name("channels.yaml")


class ChannelError(ValueError):
    """The channel file or a channel selection is wrong; the message says how."""


@dataclass(frozen=True)
class Channel:
    name: str
    title: str
    pageid: int
    lid: int
    referer: str
    categories: tuple[str, str, str]
    default: bool = False
    body_mode: str | None = None  # overrides the BODY_MODE setting for this channel's posts
    source: str = "roll"  # roll, or stock_news: the categories of articles sina_stock_news writes first


SOURCES = ("roll", "stock_news")


def load_channels(path: str | Path | None = None, source: str = "roll") -> dict[str, Channel]:
    """The rows of the table listed by ``source`` (the roll API by default)."""
    return {name: channel for name, channel in load_table(path).items() if channel.source == source}


def stock_news_channel(path: str | Path | None = None) -> Channel:
    """The table's ``source: stock_news`` row, else the packaged table's."""
    for table in (path, None):
        found = list(load_channels(table, "stock_news").values())
        if found:
            return found[0]
    raise ChannelError("no channel with source: stock_news in the packaged channel table")


def load_table(path: str | Path | None = None) -> dict[str, Channel]:
    path = Path(path) if path else DEFAULT_CHANNELS_FILE
    try:
        raw = yaml.safe_load(read_table(path))
    except (OSError, yaml.YAMLError) as error:
        raise ChannelError(f"cannot read channel file {path}: {error}") from None
    if not isinstance(raw, dict) or not raw:
        raise ChannelError(f"{path}: expected a mapping of channel name -> settings")
    return {str(name): _channel(path, str(name), spec) for name, spec in raw.items()}


def read_table(path: Path, packaged: Path = DEFAULT_CHANNELS_FILE) -> str:
    """A YAML table's text; the ``packaged`` one is read through the package when it is not a file."""
    if path == packaged and not path.is_file():
        # The packaged table inside a zipped egg (a Scrapyd deployment): read through the package.
        return resources.files("crawler.sina").joinpath(path.name).read_text(encoding="utf-8")
    return path.read_text(encoding="utf-8")


def _channel(path: Path, name: str, spec: object) -> Channel:
    if not isinstance(spec, dict):
        raise ChannelError(f"{path}: channel {name!r} must be a mapping")
    try:
        categories = tuple(str(c) for c in spec["categories"])
        source = str(spec.get("source", "roll"))
        roll = source == "roll"
        channel = Channel(
            name=name,
            title=str(spec.get("title", name)),
            pageid=int(spec["pageid"]) if roll else 0,
            lid=int(spec["lid"]) if roll else 0,
            referer=str(spec.get("referer", "https://finance.sina.com.cn/")),
            categories=categories,  # type: ignore[arg-type]
            default=bool(spec.get("default", False)),
            body_mode=str(spec["body_mode"]) if spec.get("body_mode") else None,
            source=source,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ChannelError(f"{path}: channel {name!r} is missing or has a bad {error}") from None
    if source not in SOURCES:
        raise ChannelError(f"{path}: channel {name!r} has source {source!r}; known: {', '.join(SOURCES)}")
    if len(categories) != 3 or not all(categories):
        raise ChannelError(f"{path}: channel {name!r} needs exactly three non-empty categories")
    if channel.body_mode is not None and channel.body_mode not in BODY_MODES:
        raise ChannelError(f"{path}: channel {name!r} has body_mode {channel.body_mode!r}; "
                           f"known: {', '.join(BODY_MODES)}")
    return channel


def pick_channels(channels: dict[str, Channel], spec: str = "") -> list[Channel]:
    """``""`` -> the default ones; ``"all"`` -> every one; ``"china,stock"`` -> those, in that order."""
    if not spec:
        chosen = [c for c in channels.values() if c.default] or list(channels.values())[:1]
        return chosen
    if spec.strip() == "all":
        return list(channels.values())
    names = [n.strip() for n in spec.split(",") if n.strip()]
    unknown = [n for n in names if n not in channels]
    if unknown:
        raise ChannelError(f"unknown channel(s) {', '.join(unknown)}; known: {', '.join(channels)}")
    return [channels[n] for n in dict.fromkeys(names)]

