"""Rebuilding ``OUTPUT_DIR/index.jsonl`` from the post files or from a state, as a crawl would
(``python -m crawler.manifest``)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from crawler.store.manifest import NotAPost, PostRecord, manifest_from_state, write_manifest
from crawler.store.state import SQLiteState
from pipelines.post_files import complete, rebuild_from_files


def records_from_state(state_path: Path) -> list[PostRecord]:
    """Every post a state file records, read without creating, migrating or locking it."""
    try:
        return SQLiteState.read_only_posts(state_path)
    except sqlite3.Error as error:
        hint = " (an older state: a crawl on it migrates it)" if "no such column" in str(error) else ""
        raise NotAPost(f"cannot read the state {state_path}: {error}{hint}") from None


def rebuild(root: Path, state: Path | None = None) -> tuple[bytes, str, bool, dict[str, list[str]]]:
    """The manifest's bytes, where they came from, whether ``root/index.jsonl`` was written, and
    (from the files) per field the posts whose value could not be recovered. Raises ``NotAPost``
    or ``OSError`` with the reason when it cannot be rebuilt."""
    unknown: dict[str, list[str]] = {}
    if state is not None:
        if not state.is_file():
            raise NotAPost(f"no state file at {state}")
        data = manifest_from_state(records_from_state(state), root, complete)
        source = f"state {state}"
    else:
        data, _, unknown = rebuild_from_files(root)
        source = "the post files"
    return data, source, write_manifest(root, data), unknown
