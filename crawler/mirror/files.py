"""Snapshot files the mirror re-reads when they change (roll.jsonl, faults.yaml)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")


def file_version(path: Path) -> tuple[int, int] | None:
    """(mtime, size) of a file, None when absent."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_mtime_ns, stat.st_size


class ReloadingFile(Generic[T]):
    """A file parsed again whenever it changes, so an edited snapshot is served as edited;
    an absent file reads as ``empty()``."""

    def __init__(self, path: Path, parse: Callable[[Path], T], empty: Callable[[], T]) -> None:
        self.path = path
        self.parse = parse
        self.empty = empty
        self.version: tuple[int, int] | None = None
        self.current: T = empty()

    def value(self) -> T:
        version = file_version(self.path)
        if version != self.version:
            self.current = self.parse(self.path) if version is not None else self.empty()
            self.version = version
        return self.current
