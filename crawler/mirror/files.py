"""Snapshot files the mirror re-reads when they change (roll.jsonl, faults.yaml)."""

from __future__ import annotations

from pathlib import Path


def file_version(path: Path) -> tuple[int, int] | None:
    """(mtime, size) of a file, None when absent: tells the mirror when to re-read it."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_mtime_ns, stat.st_size
