"""The one owner of incremental state: which doc ids are written, where, with what content,
API mtime and channel, and how far each channel's listing is covered.

``crawl_state(crawler)`` opens the store named by ``STATE_CLASS`` once per crawl (the spider
and the exporter share that one object) and closes it when the engine stops. ``StateStore``
is the interface; ``SQLiteState`` (``STATE_PATH``, default ``.state/crawl.sqlite``) the
default, ``crawler.store.redis_state.RedisState`` the store of a distributed crawl (``REDIS_URL``).
A doc id is recorded only once its post file is in place, so a crash never marks unwritten
work done. The doc id -> post path map lives here only, with what the manifest needs
of each post (title, publish time, source, categories, body mode, first and last write); the
files beside the posts (``OUTPUT_DIR/.posts.jsonl``, ``OUTPUT_DIR/index.jsonl``) are derived
from it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.misc import build_from_crawler, load_object

from crawler.store.coverage import Coverage, Gap
from crawler.store.manifest import PostRecord

SCHEMA_VERSION = 2
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
    status TEXT NOT NULL,
    channel TEXT,
    title TEXT,
    published TEXT,
    source TEXT,
    categories TEXT,
    body_mode TEXT,
    last_written TEXT,
    stocks TEXT
);
CREATE INDEX IF NOT EXISTS articles_output_path ON articles (output_path);
CREATE TABLE IF NOT EXISTS channel_marks (
    channel TEXT PRIMARY KEY,
    high_water INTEGER,
    updated TEXT NOT NULL,
    floor INTEGER
);
CREATE TABLE IF NOT EXISTS adopted (
    output_path TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    day TEXT NOT NULL,
    adopted_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS channel_gaps (
    channel TEXT NOT NULL,
    cursor INTEGER NOT NULL,
    floor INTEGER NOT NULL,
    PRIMARY KEY (channel, cursor)
);
"""
# The 7x24 live feed (sina_7x24): every item written into a day post, and each feed's
# high-water mark (the newest item id listed and written). Added to any schema-2 state as is.
_LIVE_SCHEMA = """
CREATE TABLE IF NOT EXISTS live_items (
    feed TEXT NOT NULL,
    item_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    created TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (feed, item_id)
);
CREATE INDEX IF NOT EXISTS live_items_day ON live_items (feed, day);
CREATE TABLE IF NOT EXISTS live_marks (feed TEXT PRIMARY KEY, item_id INTEGER NOT NULL, updated TEXT NOT NULL);
"""
# Version 1 -> 2: which channel listed each article; where a channel's coverage starts; gaps;
# what the manifest (OUTPUT_DIR/index.jsonl) needs of each post. A first-layout row gets its
# title, date, categories and body mode from its file when the manifest is derived, until the
# crawl writes it again; its last write is taken to be its last record.
_MANIFEST_COLUMNS = ("title", "published", "source", "categories", "body_mode", "last_written")
_MIGRATE_1_TO_2 = """
ALTER TABLE articles ADD COLUMN channel TEXT;
ALTER TABLE channel_marks ADD COLUMN floor INTEGER;
""" + "".join(f"ALTER TABLE articles ADD COLUMN {column} TEXT;\n" for column in _MANIFEST_COLUMNS) + """
UPDATE articles SET last_written=last_seen;
UPDATE meta SET value='2' WHERE key='schema_version';
"""
_POST_COLUMNS = ("doc_id, output_path, url, title, published, source, channel, categories, body_mode, "
                 "content_hash, first_seen, last_written, stocks")
# Added to any schema-2 state as is (NULL: no symbol known).
_STOCKS_COLUMN = "stocks"
# A post another system wrote, taken over by this crawler: it keeps its file and bytes until its
# article changes (a newer API mtime) or a refetch is asked for.
ADOPTED = "adopted"
# A reset forgets what was fetched but not where each article's file is (nor the hash of its
# bytes), so a refetched article goes back to its own file.
FORGOTTEN = "forgotten"
# STATE_CLASS values from before crawler/ was split into rooms: still accepted (docs/architecture.md).
MOVED_STORES = {"crawler.state.SQLiteState": "crawler.store.state.SQLiteState",
                "crawler.redis_state.RedisState": "crawler.store.redis_state.RedisState"}


class StateError(RuntimeError):
    """The state cannot be used as it is; the message says why and what to do."""


@dataclass(frozen=True)
class KnownArticle:
    doc_id: str
    output_path: str
    content_hash: str
    mtime: int | None
    status: str
    channel: str | None = None


class StateStore(Protocol):
    """What the crawl needs of its state; a Redis-backed store implements the same."""

    def known(self) -> dict[str, KnownArticle]:
        """Every doc id written and not forgotten by a reset."""

    def path_of(self, doc_id: str) -> str | None:
        """The post path recorded for a doc id (kept across resets)."""

    def owner_of(self, output_path: str) -> str | None:
        """The doc id whose post is at ``output_path``."""

    def claim(self, output_path: str, doc_id: str) -> bool:
        """Take a new post path for ``doc_id`` before its file is written; False when another doc
        id owns it (so concurrent writers never put two articles under one name)."""

    def article(self, doc_id: str) -> KnownArticle | None:
        """What is recorded of a doc id (forgotten ones too)."""

    def adopt(self, output_path: str, title: str, day: str) -> None:
        """Note a post another system wrote at ``output_path`` (sanitised title, Beijing day), so
        the article with that title and day takes it over instead of writing a second file."""

    def adopted(self, output_path: str) -> tuple[str, str] | None:
        """(title, day) of a post noted by ``adopt`` and not yet taken over."""

    def paths(self) -> Iterator[tuple[str, str]]:
        """Every (post path, doc id), sorted by path."""

    def record(self, doc_id: str, url: str, output_path: str, content_hash: str, mtime: int | None,
               status: str, channel: str | None = None, *, title: str | None = None,
               published: str | None = None, source: str | None = None,
               categories: Sequence[str] | None = None, body_mode: str | None = None,
               stocks: Sequence[str] | None = None) -> None:
        """Record a post whose file is in place: ``content_hash`` is the sha256 of its bytes (a
        new hash is a new last write); the keyword fields are what the manifest lists (the
        sanitised title, the publish time as ISO 8601 +08:00); ``channel`` keeps its first value;
        ``stocks`` are added to the symbols already recorded (new ones first)."""

    def add_stocks(self, doc_id: str, symbols: Sequence[str]) -> None:
        """Tag a recorded article with more symbols (a 个股资讯 list listed it); no-op for an unknown doc id."""

    def posts_about(self, symbol: str) -> list[PostRecord]:
        """Every recorded post tagged with ``symbol``, in no particular order."""

    def posts(self) -> Iterator[PostRecord]:
        """Every recorded post (forgotten ones too: their files stay), sorted by path."""

    def post(self, doc_id: str) -> PostRecord | None:
        """The recorded post of a doc id."""

    def high_water(self, channel: str) -> int | None: ...

    def set_high_water(self, channel: str, ctime: int) -> None:
        """Move the channel's mark forward; never back."""

    def coverage(self, channel: str) -> Coverage: ...

    def save_coverage(self, channel: str, coverage: Coverage) -> None:
        """Store the coverage (the high-water mark still never moves back)."""

    def channel_stats(self) -> dict[str, tuple[int | None, int]]:
        """channel -> (high-water mark, number of articles it listed)."""

    def reset(self) -> None:
        """Forget every fetched article and mark (paths stay)."""

    def close(self) -> None: ...

    # --- The 7x24 live feed (sina_7x24). A reset leaves these alone: an item once written into
    # a day post stays in it.

    def live_items(self, feed: str | None = None, day: str | None = None) -> list[dict]:
        """The items recorded (of one feed, of one Beijing day ``YYYY-MM-DD``), each the dict
        given to ``record_live_items``, sorted by feed, ``created`` and ``id``."""

    def record_live_items(self, feed: str, items: Sequence[dict]) -> None:
        """Record items whose day post is in place: dicts with ``id`` (int), ``day`` and
        ``created`` (ISO 8601 +08:00) and whatever else the post needs; an id seen again is replaced."""

    def live_mark(self, feed: str) -> int | None:
        """The feed's high-water mark: the newest item id listed and written."""

    def set_live_mark(self, feed: str, item_id: int) -> None:
        """Move the feed's mark forward; never back."""


_OPEN: WeakKeyDictionary[Crawler, StateStore] = WeakKeyDictionary()


def crawl_state(crawler: Crawler) -> StateStore:
    """The crawl's one state object: opened at the first call, closed when the engine stops."""
    state = _OPEN.get(crawler)
    if state is None:
        name = crawler.settings.get("STATE_CLASS") or "crawler.store.state.SQLiteState"
        store = load_object(MOVED_STORES.get(name, name))
        state = build_from_crawler(store, crawler)
        _OPEN[crawler] = state
        crawler.signals.connect(state.close, signal=signals.engine_stopped, weak=False)
    return state


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class CoverageMarks:
    """A channel's high-water mark as its coverage holds it: one rule for both stores (each keeps
    the coverage; ``save_coverage`` never moves the mark back)."""

    def coverage(self, channel: str) -> Coverage:
        raise NotImplementedError

    def save_coverage(self, channel: str, coverage: Coverage) -> None:
        raise NotImplementedError

    def high_water(self, channel: str) -> int | None:
        return self.coverage(channel).high_water

    def set_high_water(self, channel: str, ctime: int) -> None:
        coverage = self.coverage(channel)
        coverage.high_water = ctime
        self.save_coverage(channel, coverage)


class SQLiteState(CoverageMarks):
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            # Each record is committed at once (a killed crawl loses none), but WAL commits are not
            # fsynced one by one: a power cut may lose the last few, which only makes the next run
            # fetch and compare those articles again. The database stays consistent either way.
            self.db.execute("PRAGMA synchronous=NORMAL")
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

    @classmethod
    def read_only_posts(cls, path: str | Path) -> list[PostRecord]:
        """``posts()`` of a state file through a read-only connection: never created, migrated or
        locked (a state closed cleanly is read as immutable, leaving no -wal/-shm files behind)."""
        state = cls.read_only(path)
        try:
            return list(state.posts())
        finally:
            state.close()

    @classmethod
    def read_only(cls, path: str | Path) -> SQLiteState:
        """The state through a read-only connection (see ``read_only_posts``): for readers beside a
        running crawl, which read its WAL; the caller closes it. A file that is no state raises
        sqlite3.DatabaseError at the first query."""
        path = Path(path)
        mode = "mode=ro" if path.with_name(path.name + "-wal").exists() else "mode=ro&immutable=1"
        db = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
        state = cls.__new__(cls)  # not __init__: that creates and migrates
        state.path, state.db = path, db
        return state

    def _post_columns(self) -> str:
        """``_POST_COLUMNS``, with NULL for the stocks of a state no crawl of this version opened yet."""
        if _STOCKS_COLUMN in {row[1] for row in self.db.execute("PRAGMA table_info(articles)")}:
            return _POST_COLUMNS
        return _POST_COLUMNS.replace(", stocks", ", NULL")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SQLiteState:
        return cls(crawler.settings.get("STATE_PATH") or ".state/crawl.sqlite")

    def _check_schema(self) -> None:
        tables = {row[0] for row in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if tables and "meta" not in tables:
            raise sqlite3.DatabaseError("not a crawl state database (no meta table)")
        row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() if tables else None
        if row is not None and int(row[0]) == 1:
            self.db.executescript(f"BEGIN; {_MIGRATE_1_TO_2} COMMIT;")
            row = ("2",)
        if row is not None and int(row[0]) != SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"schema version {row[0]}, this crawler needs {SCHEMA_VERSION}")
        self.db.executescript(_SCHEMA)
        self.db.executescript(_LIVE_SCHEMA)
        self._add_manifest_columns()
        if _STOCKS_COLUMN not in {row[1] for row in self.db.execute("PRAGMA table_info(articles)")}:
            self.db.execute(f"ALTER TABLE articles ADD COLUMN {_STOCKS_COLUMN} TEXT")
        if row is None:
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    def _add_manifest_columns(self) -> None:
        # A schema-2 state written before the manifest columns existed (never released).
        have = {row[1] for row in self.db.execute("PRAGMA table_info(articles)")}
        missing = [column for column in _MANIFEST_COLUMNS if column not in have]
        if missing:
            self.db.executescript("BEGIN; " + "".join(f"ALTER TABLE articles ADD COLUMN {c} TEXT; " for c in missing)
                                  + "UPDATE articles SET last_written=last_seen WHERE last_written IS NULL; COMMIT;")

    def close(self) -> None:
        self.db.close()

    def reset(self) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("UPDATE articles SET mtime=NULL, status=?", (FORGOTTEN,))
            self.db.execute("DELETE FROM channel_marks")
            self.db.execute("DELETE FROM channel_gaps")

    def known(self) -> dict[str, KnownArticle]:
        rows = self.db.execute(
            "SELECT doc_id, output_path, content_hash, mtime, status, channel FROM articles WHERE status != ?",
            (FORGOTTEN,),
        )
        return {row[0]: KnownArticle(*row) for row in rows}

    def path_of(self, doc_id: str) -> str | None:
        row = self.db.execute("SELECT output_path FROM articles WHERE doc_id=?", (doc_id,)).fetchone()
        return row[0] if row else None

    def owner_of(self, output_path: str) -> str | None:
        row = self.db.execute("SELECT doc_id FROM articles WHERE output_path=?", (output_path,)).fetchone()
        return row[0] if row else None

    def claim(self, output_path: str, doc_id: str) -> bool:
        # One writer per SQLite state (the crawl lock): a path nobody owns is free.
        return self.owner_of(output_path) in (None, doc_id)

    def article(self, doc_id: str) -> KnownArticle | None:
        row = self.db.execute(
            "SELECT doc_id, output_path, content_hash, mtime, status, channel FROM articles WHERE doc_id=?", (doc_id,)
        ).fetchone()
        return KnownArticle(*row) if row else None

    def adopt(self, output_path: str, title: str, day: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO adopted (output_path, title, day, adopted_at) VALUES (?, ?, ?, ?)",
                        (output_path, title, day, _now()))

    def adopted(self, output_path: str) -> tuple[str, str] | None:
        row = self.db.execute("SELECT title, day FROM adopted WHERE output_path=?", (output_path,)).fetchone()
        return (row[0], row[1]) if row else None

    def paths(self) -> Iterator[tuple[str, str]]:
        yield from self.db.execute("SELECT output_path, doc_id FROM articles ORDER BY output_path, doc_id")

    def record(self, doc_id: str, url: str, output_path: str, content_hash: str, mtime: int | None,
               status: str, channel: str | None = None, *, title: str | None = None,
               published: str | None = None, source: str | None = None,
               categories: Sequence[str] | None = None, body_mode: str | None = None,
               stocks: Sequence[str] | None = None) -> None:
        # A caller that passes no manifest fields (no title) leaves them as they were.
        now = _now()
        tagged = self._stocks(doc_id, stocks)
        listed = json.dumps(list(categories), ensure_ascii=False) if categories is not None else None
        self.db.execute(
            """INSERT INTO articles (doc_id, url, output_path, content_hash, mtime, first_seen, last_seen, status,
                                     channel, title, published, source, categories, body_mode, last_written,
                                     stocks)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(doc_id) DO UPDATE SET url=excluded.url, output_path=excluded.output_path,
               last_written=CASE WHEN articles.content_hash=excluded.content_hash
                                      AND articles.output_path=excluded.output_path
                                 THEN COALESCE(articles.last_written, excluded.last_written)
                                 ELSE excluded.last_written END,
               content_hash=excluded.content_hash, mtime=excluded.mtime, last_seen=excluded.last_seen,
               status=excluded.status, channel=COALESCE(articles.channel, excluded.channel),
               title=COALESCE(excluded.title, articles.title),
               published=COALESCE(excluded.published, articles.published),
               source=CASE WHEN excluded.title IS NULL THEN articles.source ELSE excluded.source END,
               categories=COALESCE(excluded.categories, articles.categories),
               body_mode=COALESCE(excluded.body_mode, articles.body_mode),
               stocks=COALESCE(excluded.stocks, articles.stocks)""",
            (doc_id, url, output_path, content_hash, mtime, now, now, status, channel, title, published, source,
             listed, body_mode, now, tagged),
        )
        self.db.execute("DELETE FROM adopted WHERE output_path=?", (output_path,))

    def _stocks(self, doc_id: str, stocks: Sequence[str] | None) -> str | None:
        """The JSON list of symbols to store: ``stocks`` and then those already recorded."""
        row = self.db.execute("SELECT stocks FROM articles WHERE doc_id=?", (doc_id,)).fetchone()
        old = json.loads(row[0]) if row and row[0] else []
        if stocks is None and not old:
            return None
        return json.dumps(list(dict.fromkeys([*(stocks or []), *old])))

    def add_stocks(self, doc_id: str, symbols: Sequence[str]) -> None:
        row = self.db.execute("SELECT stocks FROM articles WHERE doc_id=?", (doc_id,)).fetchone()
        if row is None:
            return
        old = json.loads(row[0]) if row[0] else []
        merged = list(dict.fromkeys([*old, *symbols]))
        if merged != old:
            self.db.execute("UPDATE articles SET stocks=? WHERE doc_id=?", (json.dumps(merged), doc_id))

    def posts_about(self, symbol: str) -> list[PostRecord]:
        if _STOCKS_COLUMN not in self._post_columns():
            return []  # a state no crawl of this version has opened yet (read-only here)
        rows = self.db.execute(f"SELECT {_POST_COLUMNS} FROM articles WHERE stocks LIKE ?",
                               (f'%"{symbol}"%',))
        return [record for record in map(_post_record, rows) if symbol in (record.stocks or ())]

    def posts(self) -> Iterator[PostRecord]:
        rows = self.db.execute(f"SELECT {self._post_columns()} FROM articles ORDER BY output_path, doc_id")
        yield from map(_post_record, rows)  # row by row: a state of any size

    def post(self, doc_id: str) -> PostRecord | None:
        row = self.db.execute(f"SELECT {self._post_columns()} FROM articles WHERE doc_id=?", (doc_id,)).fetchone()
        return _post_record(row) if row else None

    def coverage(self, channel: str) -> Coverage:
        row = self.db.execute("SELECT high_water, floor FROM channel_marks WHERE channel=?", (channel,)).fetchone()
        gaps = self.db.execute("SELECT cursor, floor FROM channel_gaps WHERE channel=? ORDER BY cursor DESC",
                               (channel,))
        return Coverage(*(row or (None, None)), gaps=[Gap(*gap) for gap in gaps])

    def save_coverage(self, channel: str, coverage: Coverage) -> None:
        with self.db:
            self.db.execute("BEGIN")
            if coverage.high_water is not None:
                self.db.execute(
                    """INSERT INTO channel_marks VALUES (?, ?, ?, ?) ON CONFLICT(channel) DO UPDATE SET
                       high_water=MAX(high_water, excluded.high_water), updated=excluded.updated,
                       floor=excluded.floor""",
                    (channel, coverage.high_water, _now(), coverage.floor),
                )
            self.db.execute("DELETE FROM channel_gaps WHERE channel=?", (channel,))
            self.db.executemany("INSERT OR REPLACE INTO channel_gaps VALUES (?, ?, ?)",
                                [(channel, gap.cursor, gap.floor) for gap in coverage.gaps])

    def channel_stats(self) -> dict[str, tuple[int | None, int]]:
        marks = dict(self.db.execute("SELECT channel, high_water FROM channel_marks"))
        counts = dict(self.db.execute(
            "SELECT channel, COUNT(*) FROM articles WHERE channel IS NOT NULL GROUP BY channel"))
        return {channel: (marks.get(channel), counts.get(channel, 0)) for channel in sorted(marks | counts)}

    # --- The 7x24 live feed (sina_7x24) ---

    def live_items(self, feed: str | None = None, day: str | None = None) -> list[dict]:
        query, params = "SELECT data FROM live_items", []
        where = [(clause, value) for clause, value in (("feed=?", feed), ("day=?", day)) if value is not None]
        if where:
            query += " WHERE " + " AND ".join(clause for clause, _ in where)
            params = [value for _, value in where]
        rows = self.db.execute(query + " ORDER BY feed, created, item_id", params)
        return [json.loads(row[0]) for row in rows]

    def record_live_items(self, feed: str, items: Sequence[dict]) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT OR REPLACE INTO live_items VALUES (?, ?, ?, ?, ?)",
                [(feed, int(item["id"]), item["day"], item["created"],
                  json.dumps({"feed": feed, **item}, ensure_ascii=False, sort_keys=True)) for item in items])

    def live_mark(self, feed: str) -> int | None:
        row = self.db.execute("SELECT item_id FROM live_marks WHERE feed=?", (feed,)).fetchone()
        return row[0] if row else None

    def set_live_mark(self, feed: str, item_id: int) -> None:
        self.db.execute("""INSERT INTO live_marks VALUES (?, ?, ?) ON CONFLICT(feed) DO UPDATE SET
                           item_id=MAX(item_id, excluded.item_id), updated=excluded.updated""",
                        (feed, item_id, _now()))


def _post_record(row: tuple) -> PostRecord:
    doc_id, path, url, title, published, source, channel, categories, body_mode, sha256, first, last, stocks = row
    return PostRecord(path=path, doc_id=doc_id, url=url, title=title, published=published, source=source,
                      channel=channel, categories=tuple(json.loads(categories)) if categories else None,
                      body_mode=body_mode, sha256=sha256 or None, first_written=first, last_written=last,
                      stocks=tuple(json.loads(stocks)) if stocks is not None else None)
