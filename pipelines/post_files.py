"""What a post file says of itself: its title, date, categories, extra front-matter keys and body
mode, read back for a manifest rebuilt from the files and for records older than the manifest.

From the files alone, every ``*.md`` under OUTPUT_DIR (dot-folders and dot-files skipped) is read:
title, date, categories and the extra front-matter keys ``doc_id``/``link``/``source``/``channel``/``stocks``
when the post has them (``EXTRA_FRONT_MATTER``; else null); both times are the file's mtime. The
body mode is read off the body (``pipelines.format.body_mode_of``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from crawler.sina.zhibo import Feed, load_feeds
from crawler.store.manifest import MANIFEST_NAME, NotAPost, PostRecord, manifest_lines, parse_post
from crawler.values import SHANGHAI
from pipelines.format import body_mode_of


def post_from_file(path: Path, root: Path) -> PostRecord:
    """What a post file alone says of itself (see the module docstring)."""
    data = path.read_bytes()
    meta, body = parse_post(data)
    written = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")
    categories = meta.get("categories")
    if categories is not None:
        categories = tuple(str(c) for c in categories) if isinstance(categories, list) else (str(categories),)
    return PostRecord(
        path=str(path), doc_id=_text(meta.get("doc_id")), url=_text(meta.get("link")), title=str(meta["title"]),
        published=_published(meta["date"]), source=_text(meta.get("source")), channel=_text(meta.get("channel")),
        categories=categories, stocks=_stocks(meta.get("stocks")),
        body_mode=body_mode_of(body), sha256=hashlib.sha256(data).hexdigest(),
        first_written=written, last_written=written,
    )


def post_files(root: Path) -> list[Path]:
    """Every ``*.md`` under ``root`` outside dot-folders, dot-files excluded, sorted."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(folder, name) for name in files if name.endswith(".md") and not name.startswith(".")]
    return sorted(found)


# What a rebuild from the files takes, for a post, from the old manifest or .posts.jsonl when its
# front matter does not hold it; what none of them holds stays null and is reported.
RECOVERED = ("doc_id", "url", "source", "channel", "stocks", "first_written")


def _lines(path: Path) -> dict[str, dict[str, Any]]:
    """A JSON-lines file by its ``path`` field ({} when absent or unreadable lines)."""
    found: dict[str, dict[str, Any]] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return found
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            found[entry["path"]] = entry
    return found


def is_day_post(record: PostRecord, feeds: list[Feed]) -> bool:
    """A 7x24 day post (``<post_name> <YYYY-MM-DD>`` under a feed's categories): not an article."""
    return any(record.categories == tuple(feed.categories) and record.title is not None
               and re.fullmatch(re.escape(feed.post_name) + r" \d{4}-\d{2}-\d{2}", record.title) for feed in feeds)


def manifest_from_files(root: Path, feeds: list[Feed] | None = None) -> tuple[bytes, int]:
    """The manifest from the post files alone, and how many posts it lists."""
    data, count, _ = rebuild_from_files(root, feeds)
    return data, count


def rebuild_from_files(root: Path, feeds: list[Feed] | None = None) -> tuple[bytes, int, dict[str, list[str]]]:
    """The article manifest from the post files, filled from the old ``index.jsonl`` and
    ``.posts.jsonl`` where the front matter is silent; 7x24 day posts are left out. Also returns,
    per field of ``RECOVERED``, the posts (relative paths) whose value could not be recovered."""
    feeds = list(load_feeds(None).values()) if feeds is None else feeds
    old, owners = _lines(root / MANIFEST_NAME), _lines(root / ".posts.jsonl")
    records, unknown = [], {field: [] for field in RECOVERED}
    for path in post_files(root):
        try:
            record = post_from_file(path, root)
        except NotAPost as error:
            raise NotAPost(f"{path}: {error}") from None
        if is_day_post(record, feeds):
            continue
        relative = path.relative_to(root).as_posix()
        before = old.get(relative, {}) | {k: v for k, v in owners.get(relative, {}).items() if v is not None}
        filled = {field: getattr(record, field) if field != "first_written" else None for field in RECOVERED}
        filled = {field: value if value is not None else before.get(field) for field, value in filled.items()}
        if isinstance(filled["stocks"], list):  # the old manifest's JSON list
            filled["stocks"] = tuple(str(symbol) for symbol in filled["stocks"])
        for field, value in filled.items():
            if value is None:
                unknown[field].append(relative)
        # The bytes the old manifest hashed are still there: they were last written when it said.
        last = before.get("last_written") if before.get("sha256") == record.sha256 else None
        records.append(replace(record, **{k: v for k, v in filled.items() if k != "first_written"},
                               first_written=filled["first_written"] or record.first_written,
                               last_written=last or record.last_written))
    # first_written falls back to the file's mtime, which a post always has: not unknown.
    unknown["first_written"] = []
    return manifest_lines(records, root), len(records), {k: v for k, v in unknown.items() if v}


def complete(record: PostRecord, root: Path) -> PostRecord:
    """A state record from before the manifest, with what it lacks taken from its file."""
    if record.title is not None and record.sha256:
        return record
    try:
        found = post_from_file(Path(record.path), root)
    except (OSError, NotAPost):
        return record
    return replace(record, title=record.title or found.title, published=record.published or found.published,
                   categories=record.categories if record.categories is not None else found.categories,
                   body_mode=record.body_mode or found.body_mode, sha256=record.sha256 or found.sha256,
                   stocks=record.stocks if record.stocks is not None else found.stocks)


def _stocks(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, list):
        return tuple(str(code) for code in value)
    return (str(value),) if value else ()


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _published(value: Any) -> str:
    """The front matter's ``date`` (RFC-822 GMT, as the renderer writes it) as ISO 8601 +08:00."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
    else:
        try:
            moment = parsedate_to_datetime(str(value))
        except (TypeError, ValueError):
            raise NotAPost(f"date {value!r} is not an RFC-822 date") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(SHANGHAI).isoformat()
