"""The manifest ``OUTPUT_DIR/index.jsonl``: one JSON line per post for tools.

A line holds ``FIELDS``: the doc id, the path (relative to OUTPUT_DIR, POSIX), the article URL,
the title as the front matter holds it (the sanitised title), the publish time (ISO 8601,
+08:00), source, the channel that listed it, categories, the stock symbols it is about
(``stocks``, crawler.sina.symbols forms; ``[]`` when none, null when unknown: a post written
before the crawler read stocks, or rebuilt from a file without the ``stocks`` key), body mode, the sha256 of the file's
bytes, and when the post was first written and when its bytes last changed (ISO 8601, UTC).
Lines are sorted by path; UTF-8, no ``\\u`` escapes.

The crawl derives it from the state (the one owner of doc id -> path) at its end, next to
``.posts.jsonl``, and rewrites it only when its bytes change. What a post file says of itself
(for a rebuild from the files, and for records older than the manifest) is read in
``pipelines.post_files``, which knows the post format; ``python -m crawler.manifest`` rebuilds it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from crawler.store.atomic import write_atomic

MANIFEST_NAME = "index.jsonl"
FIELDS = ("doc_id", "path", "url", "title", "published", "source", "channel", "categories", "stocks", "body_mode",
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
    stocks: tuple[str, ...] | None = None


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
        "stocks": list(record.stocks) if record.stocks is not None else None,
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


Completer = Callable[[PostRecord, Path], PostRecord]


def as_recorded(record: PostRecord, _root: Path) -> PostRecord:
    return record


def manifest_from_state(records: Iterable[PostRecord], root: Path, complete: Completer = as_recorded) -> bytes:
    """``manifest_lines`` of the state's records; ``complete`` fills in what a record from before the
    manifest (a migrated first-layout state) lacks, from its file (``pipelines.post_files.complete``)."""
    return manifest_lines((complete(record, Path(root)) for record in records), root)


def manifest_chunks(records: Callable[[], Iterable[PostRecord]], root: Path,
                    complete: Completer = as_recorded) -> Iterator[bytes]:
    """``manifest_from_state`` a thousand lines at a time, for a state of any size: ``records()``
    gives the records sorted by recorded path and doc id, which is the manifest's order whenever
    the paths under ``root`` are recorded in one form (checked in a first pass); otherwise (paths
    recorded both relative and absolute) the lines are sorted in memory as ``manifest_lines`` does."""
    root = Path(root)
    if not _in_manifest_order(records(), root):
        yield manifest_from_state(records(), root, complete)
        return
    batch: list[bytes] = []
    for record in records():
        entry = manifest_entry(complete(record, root), root)
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
