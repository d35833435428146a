"""The manifest ``OUTPUT_DIR/index.jsonl``: one JSON line per post for tools, and its rebuild.

A line holds ``FIELDS``: the doc id, the path (relative to OUTPUT_DIR, POSIX), the article URL,
the title as the front matter holds it (the sanitised title), the publish time (ISO 8601,
+08:00), source, the channel that listed it, categories, body mode, the sha256 of the file's
bytes, and when the post was first written and when its bytes last changed (ISO 8601, UTC).
Lines are sorted by path; UTF-8, no ``\\u`` escapes.

The crawl derives it from the state (the one owner of doc id -> path) at its end, next to
``.posts.jsonl``, and rewrites it only when its bytes change. The command rebuilds it::

    python -m crawler.manifest OUTPUT_DIR                 # from the post files alone
    python -m crawler.manifest OUTPUT_DIR --state PATH    # from a state: the bytes a crawl writes

From the files alone, every ``*.md`` under OUTPUT_DIR (dot-folders and dot-files skipped) is
read: title, date, categories and the extra front-matter keys ``doc_id``/``link``/``source``/
``channel`` when the post has them (``EXTRA_FRONT_MATTER``; else null); both times are the
file's mtime. The body mode is read off the body: not wrapped in ``<div>   `` … ``</div>`` is
``markdown``; wrapped, it is ``seed-exact`` when it has blank or indented lines (the
reference's bytes), else ``seed`` when clean mode would still remove something from it, else
``clean`` (a seed body with nothing to remove is the same bytes as its clean body).

Framework-free: no Scrapy here (the state module is imported only for ``--state``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import yaml

from crawler.atomic import write_atomic
from crawler.values import SHANGHAI

MANIFEST_NAME = "index.jsonl"
FIELDS = ("doc_id", "path", "url", "title", "published", "source", "channel", "categories", "body_mode",
          "sha256", "first_written", "last_written")
_DIV_OPEN = "<div>   \n"
_DIV_CLOSE = "  \n</div>\n" + " " * 12


@dataclass(frozen=True)
class PostRecord:
    """One post as the state records it (``path`` as the crawl wrote it), or as its file shows it."""

    path: str
    doc_id: str | None = None
    url: str | None = None
    title: str | None = None
    published: str | None = None
    source: str | None = None
    channel: str | None = None
    categories: tuple[str, ...] | None = None
    body_mode: str | None = None
    sha256: str | None = None
    first_written: str | None = None
    last_written: str | None = None


class NotAPost(ValueError):
    """A ``.md`` file that is not a post of this crawler (no front matter, no title or date)."""


def relative_path(recorded: str, root: Path) -> str | None:
    """``recorded`` relative to ``root`` as a POSIX path; None for a post kept elsewhere."""
    for path, base in ((Path(recorded), root), (Path(os.path.abspath(recorded)), Path(os.path.abspath(root)))):
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            continue
    return None


def manifest_entry(record: PostRecord, root: Path) -> dict[str, Any] | None:
    """The manifest line of a record as a dict in ``FIELDS`` order; None when it is not under ``root``."""
    path = relative_path(record.path, root)
    if path is None:
        return None
    return {
        "doc_id": record.doc_id,
        "path": path,
        "url": record.url,
        "title": record.title,
        "published": record.published,
        "source": record.source,
        "channel": record.channel,
        "categories": list(record.categories) if record.categories is not None else None,
        "body_mode": record.body_mode,
        "sha256": record.sha256,
        "first_written": record.first_written,
        "last_written": record.last_written,
    }


def manifest_lines(records: Iterable[PostRecord], root: Path) -> bytes:
    """The bytes of ``index.jsonl``: one line per record under ``root``, sorted by path."""
    entries = [entry for record in records if (entry := manifest_entry(record, Path(root))) is not None]
    entries.sort(key=lambda entry: (entry["path"], entry["doc_id"] or ""))
    return "".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in entries).encode("utf-8")


def manifest_from_state(records: Iterable[PostRecord], root: Path) -> bytes:
    """``manifest_lines`` of the state's records; a record from before the manifest (a migrated
    first-layout state) takes what it lacks (title, date, categories, body mode, hash) from its file."""
    return manifest_lines((_complete(record, Path(root)) for record in records), root)


def manifest_chunks(records: Callable[[], Iterable[PostRecord]], root: Path) -> Iterator[bytes]:
    """``manifest_from_state`` a thousand lines at a time, for a state of any size: ``records()``
    gives the records sorted by recorded path and doc id, which is the manifest's order whenever
    the paths under ``root`` are recorded in one form (checked in a first pass); otherwise (paths
    recorded both relative and absolute) the lines are sorted in memory as ``manifest_lines`` does."""
    root = Path(root)
    if not _in_manifest_order(records(), root):
        yield manifest_from_state(records(), root)
        return
    batch: list[bytes] = []
    for record in records():
        entry = manifest_entry(_complete(record, root), root)
        if entry is not None:
            batch.append((json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))
        if len(batch) >= 1000:
            yield b"".join(batch)
            batch.clear()
    if batch:
        yield b"".join(batch)


def _in_manifest_order(records: Iterable[PostRecord], root: Path) -> bool:
    last: tuple[str, str] | None = None
    for record in records:
        path = relative_path(record.path, root)
        if path is None:
            continue
        key = (path, record.doc_id or "")
        if last is not None and key < last:
            return False
        last = key
    return True


def write_manifest(root: Path, data: bytes) -> bool:
    """Write ``root/index.jsonl`` atomically when its bytes change; True when it was written."""
    path = Path(root) / MANIFEST_NAME
    if path.exists() and path.read_bytes() == data:
        return False
    write_atomic(path, data)
    return True


# --- the files alone ---------------------------------------------------------------------------


def parse_post(data: bytes) -> tuple[dict[str, Any], str]:
    """A post's front matter (``&#123;``/``&#125;`` undone, then YAML) and its body text."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotAPost(f"not UTF-8 ({error.reason} at byte {error.start})") from None
    rest = text.removeprefix("\n")
    end = rest.find("\n---\n", 3)
    if not rest.startswith("---\n") or end < 0:
        raise NotAPost("no front matter")
    head = rest[4:end].replace("&#123;", "{").replace("&#125;", "}")
    try:
        meta = yaml.safe_load(head)
    except yaml.YAMLError as error:
        raise NotAPost(f"front matter is not YAML: {' '.join(str(error).split())}") from None
    if not isinstance(meta, dict) or not meta.get("title") or not meta.get("date"):
        raise NotAPost("front matter has no title or date")
    return meta, rest[end + 5:].removeprefix("\n")


def body_mode_of(body: str) -> str:
    """The body mode a post body was written in, by the rule of this module's docstring."""
    # The post format's own knowledge: a command module may read it (tests/test_layers.py).
    from pipelines.format import body_mode_of as read_mode

    return read_mode(body)


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
        categories=categories, body_mode=body_mode_of(body), sha256=hashlib.sha256(data).hexdigest(),
        first_written=written, last_written=written,
    )


def post_files(root: Path) -> list[Path]:
    """Every ``*.md`` under ``root`` outside dot-folders, dot-files excluded, sorted."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(folder, name) for name in files if name.endswith(".md") and not name.startswith(".")]
    return sorted(found)


def manifest_from_files(root: Path) -> tuple[bytes, int]:
    """The manifest from the post files alone, and how many posts it lists."""
    records = []
    for path in post_files(root):
        try:
            records.append(post_from_file(path, root))
        except NotAPost as error:
            raise NotAPost(f"{path}: {error}") from None
    return manifest_lines(records, root), len(records)


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


def _complete(record: PostRecord, root: Path) -> PostRecord:
    if record.title is not None and record.sha256:
        return record
    try:
        found = post_from_file(Path(record.path), root)
    except (OSError, NotAPost):
        return record
    return replace(record, title=record.title or found.title, published=record.published or found.published,
                   categories=record.categories if record.categories is not None else found.categories,
                   body_mode=record.body_mode or found.body_mode, sha256=record.sha256 or found.sha256)


# --- the command ---------------------------------------------------------------------------------


def records_from_state(state_path: Path) -> list[PostRecord]:
    """Every post a state file records, read without creating, migrating or locking it."""
    from crawler.state import SQLiteState  # here: only --state needs the module that imports Scrapy

    try:
        return SQLiteState.read_only_posts(state_path)
    except sqlite3.Error as error:
        hint = " (an older state: a crawl on it migrates it)" if "no such column" in str(error) else ""
        raise NotAPost(f"cannot read the state {state_path}: {error}{hint}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.manifest",
                                     description="Rebuild OUTPUT_DIR/index.jsonl from the post files or a state.")
    parser.add_argument("output", type=Path, metavar="OUTPUT_DIR", help="the posts' root folder")
    parser.add_argument("--state", type=Path, default=None, metavar="PATH",
                        help="the crawl state (STATE_PATH) to derive it from, as a crawl does")
    args = parser.parse_args(argv)
    root: Path = args.output
    if not root.is_dir():
        print(f"python -m crawler.manifest: no such folder: {root}", file=sys.stderr)
        return 2
    try:
        if args.state is not None:
            if not args.state.is_file():
                raise NotAPost(f"no state file at {args.state}")
            records = records_from_state(args.state)
            data = manifest_from_state(records, root)
            source = f"state {args.state}"
        else:
            data, _ = manifest_from_files(root)
            source = "the post files"
        written = write_manifest(root, data)
    except (OSError, NotAPost) as error:
        print(f"python -m crawler.manifest: {error}", file=sys.stderr)
        return 1
    count = data.count(b"\n")
    print(f"{root / MANIFEST_NAME}: {'written' if written else 'unchanged'}, {count} posts from {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
