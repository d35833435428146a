"""Incremental crawl state in SQLite (``STATE_PATH``, default ``.state/crawl.sqlite``).

Per doc id: url, output path, content hash, API mtime, first/last seen, status. Per channel:
the high-water mark (newest roll ``ctime`` of the last run that finished cleanly). A doc id
is recorded only once its post file is in place, so a crash never marks unwritten work done.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    doc_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    output_path TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    mtime INTEGER,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS channel_marks (
    channel TEXT PRIMARY KEY,
    high_water INTEGER NOT NULL,
    updated TEXT NOT NULL
);
"""


class StateError(RuntimeError):
    """The state database cannot be used as it is; the message says why and what to do."""


@dataclass(frozen=True)
class KnownArticle:
    doc_id: str
    output_path: str
    content_hash: str
    mtime: int | None
    status: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class CrawlState:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self._check_schema()
            # Fail now, not at the first article, when another process holds the write lock.
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("ROLLBACK")
        except sqlite3.OperationalError as error:
            if "locked" not in str(error):
                raise StateError(f"state database {self.path} cannot be opened: {error}") from None
            raise StateError(
                f"state database {self.path} is locked by another process "
                "(another crawl, or a tool holding it open); nothing was changed"
            ) from None
        except sqlite3.DatabaseError as error:
            raise StateError(
                f"state database {self.path} is unusable ({error}); it was left as it is: "
                "move it aside to start afresh (every article then counts as new)"
            ) from None

    def _check_schema(self) -> None:
        tables = {row[0] for row in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if tables and "meta" not in tables:
            raise sqlite3.DatabaseError("not a crawl state database (no meta table)")
        self.db.executescript(_SCHEMA)
        row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            self.db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) != SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"schema version {row[0]}, this crawler needs {SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.close()

    def reset(self) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("DELETE FROM articles")
            self.db.execute("DELETE FROM channel_marks")

    def known(self) -> dict[str, KnownArticle]:
        rows = self.db.execute("SELECT doc_id, output_path, content_hash, mtime, status FROM articles")
        return {row[0]: KnownArticle(*row) for row in rows}

    def get(self, doc_id: str) -> KnownArticle | None:
        row = self.db.execute(
            "SELECT doc_id, output_path, content_hash, mtime, status FROM articles WHERE doc_id=?", (doc_id,)
        ).fetchone()
        return KnownArticle(*row) if row else None

    def record(self, doc_id: str, url: str, output_path: str, content_hash: str, mtime: int | None,
               status: str) -> None:
        now = _now()
        self.db.execute(
            """INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(doc_id) DO UPDATE SET url=excluded.url, output_path=excluded.output_path,
               content_hash=excluded.content_hash, mtime=excluded.mtime, last_seen=excluded.last_seen,
               status=excluded.status""",
            (doc_id, url, output_path, content_hash, mtime, now, now, status),
        )

    def high_water(self, channel: str) -> int | None:
        row = self.db.execute("SELECT high_water FROM channel_marks WHERE channel=?", (channel,)).fetchone()
        return row[0] if row else None

    def set_high_water(self, channel: str, ctime: int) -> None:
        self.db.execute(
            """INSERT INTO channel_marks VALUES (?, ?, ?) ON CONFLICT(channel) DO UPDATE SET
               high_water=MAX(high_water, excluded.high_water), updated=excluded.updated""",
            (channel, ctime, _now()),
        )
