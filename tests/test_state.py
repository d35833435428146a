"""The crawl state: SQLiteState on a real file, and crawl_state(crawler) over get_crawler crawlers."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scrapy import signals
from scrapy.utils.test import get_crawler

from crawler.store.coverage import Coverage, Gap
from crawler.store.manifest import PostRecord
from crawler.store.state import KnownArticle, SQLiteState, StateError, crawl_state


def stop(crawler) -> None:
    crawler.signals.send_catch_log(signal=signals.engine_stopped)


def test_record_answers_known_path_of_owner_of_and_paths(tmp_path):
    state = SQLiteState(tmp_path / "s.sqlite")
    state.record("docb", "https://x/b", "/out/2024-03-01/b.md", "hb", 200, "written")
    state.record("doca", "https://x/a", "/out/2024-03-02/a.md", "ha", None, "written")
    state.record("doca", "https://x/a", "/out/2024-03-02/a.md", "ha2", 300, "written")
    assert state.known() == {
        "doca": KnownArticle("doca", "/out/2024-03-02/a.md", "ha2", 300, "written"),
        "docb": KnownArticle("docb", "/out/2024-03-01/b.md", "hb", 200, "written"),
    }
    assert (state.path_of("doca"), state.path_of("nope")) == ("/out/2024-03-02/a.md", None)
    assert (state.owner_of("/out/2024-03-01/b.md"), state.owner_of("/out/c.md")) == ("docb", None)
    assert list(state.paths()) == [("/out/2024-03-01/b.md", "docb"), ("/out/2024-03-02/a.md", "doca")]
    state.close()


def test_posts_keep_what_the_manifest_needs_and_last_written_moves_only_with_the_hash(tmp_path, monkeypatch):
    clock = iter(["2024-03-01T00:00:01+00:00", "2024-03-01T00:00:02+00:00", "2024-03-01T00:00:03+00:00",
                  "2024-03-01T00:00:04+00:00"])
    monkeypatch.setattr("crawler.store.state._now", lambda: next(clock))
    state = SQLiteState(tmp_path / "s.sqlite")
    fields = {"title": "甲_乙", "published": "2024-03-01T09:30:00+08:00", "source": "新京报",
              "categories": ["金融", "新浪财经", "宏观"], "body_mode": "clean"}
    state.record("doca", "https://x/a", "/out/2024-03-02/a.md", "ha", 300, "written", "china", **fields)
    state.record("doca", "https://x/a", "/out/2024-03-02/a.md", "ha", 300, "written", "stock", **fields)  # same bytes
    first = PostRecord(path="/out/2024-03-02/a.md", doc_id="doca", url="https://x/a", title="甲_乙",
                       published="2024-03-01T09:30:00+08:00", source="新京报", channel="china",
                       categories=("金融", "新浪财经", "宏观"), body_mode="clean", sha256="ha",
                       first_written="2024-03-01T00:00:01+00:00", last_written="2024-03-01T00:00:01+00:00")
    assert state.post("doca") == first
    state.record("doca", "https://x/a", "/out/2024-03-02/a.md", "ha2", 300, "written", **{**fields, "source": None})
    assert state.post("doca") == replace(first, sha256="ha2", source=None, last_written="2024-03-01T00:00:03+00:00")
    state.record("docb", "https://x/b", "/out/2024-03-01/b.md", "hb", None, "written")  # a positional caller
    assert [post.doc_id for post in state.posts()] == ["docb", "doca"]
    assert state.post("docb") == PostRecord(path="/out/2024-03-01/b.md", doc_id="docb", url="https://x/b",
                                            sha256="hb", first_written="2024-03-01T00:00:04+00:00",
                                            last_written="2024-03-01T00:00:04+00:00")
    assert state.post("nope") is None
    state.reset()  # forgets the fetch, not the file: the manifest still lists it with its hash
    assert [(post.doc_id, post.sha256, post.title) for post in state.posts()] == [("docb", "hb", None),
                                                                                   ("doca", "ha2", "甲_乙")]
    state.close()


def test_high_water_never_moves_back(tmp_path):
    state = SQLiteState(tmp_path / "s.sqlite")
    assert state.high_water("china") is None
    state.set_high_water("china", 1000)
    state.set_high_water("china", 900)
    assert state.high_water("china") == 1000
    state.set_high_water("china", 1100)
    state.set_high_water("stock", 5)
    assert (state.high_water("china"), state.high_water("stock")) == (1100, 5)
    state.close()


def test_reset_forgets_articles_and_marks_but_keeps_paths(tmp_path):
    state = SQLiteState(tmp_path / "s.sqlite")
    state.record("doca", "https://x/a", "/out/a.md", "ha", 300, "written")
    state.set_high_water("china", 1000)
    state.reset()
    assert state.known() == {}
    assert state.high_water("china") is None
    assert state.path_of("doca") == "/out/a.md"
    assert state.owner_of("/out/a.md") == "doca"
    assert list(state.paths()) == [("/out/a.md", "doca")]
    state.close()


def test_state_survives_reopening(tmp_path):
    state = SQLiteState(tmp_path / "s.sqlite")
    state.record("doca", "https://x/a", "/out/a.md", "ha", 300, "written")
    state.set_high_water("china", 1000)
    state.close()
    again = SQLiteState(tmp_path / "s.sqlite")
    assert again.known() == {"doca": KnownArticle("doca", "/out/a.md", "ha", 300, "written")}
    assert again.high_water("china") == 1000
    again.close()


def test_crawl_state_is_one_object_per_crawler(tmp_path):
    first = get_crawler(settings_dict={"STATE_PATH": str(tmp_path / "1.sqlite")})
    second = get_crawler(settings_dict={"STATE_PATH": str(tmp_path / "2.sqlite")})
    state = crawl_state(first)
    assert isinstance(state, SQLiteState)
    assert state.path == tmp_path / "1.sqlite"
    assert crawl_state(first) is state
    other = crawl_state(second)
    assert other is not state
    assert other.path == tmp_path / "2.sqlite"
    stop(first)
    stop(second)


def test_crawl_state_closes_the_store_when_the_engine_stops(tmp_path):
    crawler = get_crawler(settings_dict={"STATE_PATH": str(tmp_path / "s.sqlite")})
    state = crawl_state(crawler)
    state.record("doca", "https://x/a", "/out/a.md", "ha", 300, "written")
    stop(crawler)
    with pytest.raises(sqlite3.ProgrammingError):
        state.known()
    with pytest.raises(sqlite3.ProgrammingError):
        state.db.execute("SELECT 1")


class MemoryState:
    """The StateStore interface in a dict: what a Redis-backed store would have to answer."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.articles: dict[str, KnownArticle] = {}
        self.marks: dict[str, int] = {}
        self.closed = False

    @classmethod
    def from_crawler(cls, crawler) -> MemoryState:
        return cls(crawler)

    def known(self) -> dict[str, KnownArticle]:
        return dict(self.articles)

    def path_of(self, doc_id: str) -> str | None:
        article = self.articles.get(doc_id)
        return article.output_path if article else None

    def owner_of(self, output_path: str) -> str | None:
        return next((a.doc_id for a in self.articles.values() if a.output_path == output_path), None)

    def paths(self) -> Iterator[tuple[str, str]]:
        yield from sorted((a.output_path, a.doc_id) for a in self.articles.values())

    def record(self, doc_id, url, output_path, content_hash, mtime, status) -> None:
        self.articles[doc_id] = KnownArticle(doc_id, output_path, content_hash, mtime, status)

    def high_water(self, channel: str) -> int | None:
        return self.marks.get(channel)

    def set_high_water(self, channel: str, ctime: int) -> None:
        self.marks[channel] = max(self.marks.get(channel, ctime), ctime)

    def reset(self) -> None:
        self.articles.clear()
        self.marks.clear()

    def close(self) -> None:
        self.closed = True


def test_crawl_state_builds_the_state_class_setting_through_from_crawler(tmp_path):
    crawler = get_crawler(settings_dict={"STATE_CLASS": f"{__name__}.MemoryState",
                                         "STATE_PATH": str(tmp_path / "unused.sqlite")})
    state = crawl_state(crawler)
    assert type(state) is MemoryState
    assert state.crawler is crawler
    assert crawl_state(crawler) is state
    assert not state.closed
    stop(crawler)
    assert state.closed
    assert not (tmp_path / "unused.sqlite").exists()


def test_a_state_class_named_by_its_path_before_the_move_into_rooms_still_opens(tmp_path):
    crawler = get_crawler(settings_dict={"STATE_CLASS": "crawler.state.SQLiteState",
                                         "STATE_PATH": str(tmp_path / "old-name.sqlite")})
    state = crawl_state(crawler)
    assert type(state) is SQLiteState
    stop(crawler)
    assert (tmp_path / "old-name.sqlite").exists()


V1_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (doc_id TEXT PRIMARY KEY, url TEXT NOT NULL, output_path TEXT NOT NULL,
    content_hash TEXT NOT NULL, mtime INTEGER, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, status TEXT NOT NULL);
CREATE TABLE channel_marks (channel TEXT PRIMARY KEY, high_water INTEGER NOT NULL, updated TEXT NOT NULL);
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO articles VALUES ('doca', 'https://x/a', 'output/2024-05-10/a.md', 'ha', 300, 't', 't', 'written');
INSERT INTO channel_marks VALUES ('china', 1715271405, 't');
"""


def test_a_first_layout_state_is_migrated_in_place_keeping_everything(tmp_path):
    path = tmp_path / "v1.sqlite"
    db = sqlite3.connect(path)
    db.executescript(V1_SCHEMA)
    db.close()
    state = SQLiteState(path)
    assert state.known() == {"doca": KnownArticle("doca", "output/2024-05-10/a.md", "ha", 300, "written", None)}
    assert state.coverage("china") == Coverage(1715271405, None, [])
    state.record("docb", "https://x/b", "output/b.md", "hb", 1, "written", channel="stock")
    state.save_coverage("china", Coverage(1715271500, 1715000000, [Gap(1714000000, 1713000000)]))
    state.close()
    again = SQLiteState(path)
    assert again.known()["docb"].channel == "stock"
    assert again.coverage("china") == Coverage(1715271500, 1715000000, [Gap(1714000000, 1713000000)])
    assert again.channel_stats() == {"china": (1715271500, 0), "stock": (None, 1)}
    again.close()
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == ("2",)
    assert db.execute("SELECT title, categories, last_written FROM articles WHERE doc_id='doca'").fetchone() == (
        None, None, "t")  # its last write is taken to be its last record
    db.close()


def test_a_schema_2_state_from_before_the_manifest_columns_gets_them(tmp_path):
    path = tmp_path / "v2.sqlite"
    db = sqlite3.connect(path)
    db.executescript(V1_SCHEMA.replace("'schema_version', '1'", "'schema_version', '2'")
                     + "ALTER TABLE articles ADD COLUMN channel TEXT; ALTER TABLE channel_marks ADD COLUMN floor INTEGER;")
    db.close()
    state = SQLiteState(path)
    assert state.post("doca") == PostRecord(path="output/2024-05-10/a.md", doc_id="doca", url="https://x/a",
                                            sha256="ha", first_written="t", last_written="t")
    state.record("doca", "https://x/a", "output/2024-05-10/a.md", "ha", 300, "written", title="甲")
    assert state.post("doca").title == "甲"
    state.close()


def test_a_state_in_a_folder_that_does_not_exist_yet_creates_the_folders(tmp_path):
    state = SQLiteState(tmp_path / "a" / "b" / "s.sqlite")
    state.close()
    assert (tmp_path / "a" / "b" / "s.sqlite").is_file()


def test_without_state_path_the_state_is_dot_state_crawl_sqlite(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    state = SQLiteState.from_crawler(get_crawler(settings_dict={}))
    state.close()
    assert state.path == Path(".state/crawl.sqlite") and (tmp_path / ".state" / "crawl.sqlite").is_file()


def test_times_are_stored_in_utc(tmp_path):
    state = SQLiteState(tmp_path / "s.sqlite")
    state.record("doca", "https://x/a", "/out/a.md", "ha", 300, "written")
    written = datetime.fromisoformat(state.post("doca").first_written)
    state.close()
    assert written.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - written) < timedelta(minutes=5)


def test_what_was_never_recorded_is_none(tmp_path):
    state = SQLiteState(tmp_path / "s.sqlite")
    assert (state.article("nope"), state.adopted("/out/nope.md")) == (None, None)
    state.close()


def test_a_new_mark_keeps_the_floor_and_the_gaps(tmp_path):
    state = SQLiteState(tmp_path / "s.sqlite")
    state.save_coverage("china", Coverage(900, 100, [Gap(800, 300)]))
    state.set_high_water("china", 950)
    assert state.coverage("china") == Coverage(950, 100, [Gap(800, 300)])
    state.close()


def test_a_state_held_by_another_writer_is_refused_after_the_busy_timeout(tmp_path):
    path = tmp_path / "s.sqlite"
    SQLiteState(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StateError) as caught:
            SQLiteState(path)
    finally:
        holder.close()
    assert str(caught.value) == (f"state database {path} is locked by another process (another crawl, or a tool "
                                 "holding it open); nothing was changed")


def test_a_sqlite_file_of_another_program_is_refused_with_the_whole_message(tmp_path):
    path = tmp_path / "other.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(StateError) as caught:
        SQLiteState(path)
    assert str(caught.value) == (f"state database {path} is unusable (not a crawl state database (no meta table)); "
                                 "it was left as it is: move it aside to start afresh (every article then counts as new)")


def test_a_state_that_cannot_be_opened_says_so(tmp_path):
    path = tmp_path / "s.sqlite"
    path.mkdir()  # a folder where the file goes
    with pytest.raises(StateError) as caught:
        SQLiteState(path)
    assert str(caught.value) == f"state database {path} cannot be opened: unable to open database file"


def posts_in(path: Path) -> list[str]:
    return [post.doc_id for post in SQLiteState.read_only_posts(path)]


def test_read_only_posts_of_a_closed_state_leave_no_file_behind(tmp_path):
    path = tmp_path / "s.sqlite"
    state = SQLiteState(path)
    state.record("doca", "https://x/a", "/out/a.md", "ha", 300, "written")
    state.close()
    assert posts_in(path) == ["doca"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.sqlite"]


def test_read_only_posts_of_an_open_state_see_its_latest_records(tmp_path):
    path = tmp_path / "s.sqlite"
    state = SQLiteState(path)
    state.record("doca", "https://x/a", "/out/a.md", "ha", 300, "written")  # in the -wal file until a checkpoint
    try:
        assert posts_in(path) == ["doca"]
    finally:
        state.close()


def test_read_only_posts_of_no_file_create_none(tmp_path):
    with pytest.raises(sqlite3.OperationalError):
        posts_in(tmp_path / "none.sqlite")
    assert list(tmp_path.iterdir()) == []


def test_a_reader_beside_a_running_crawl_cannot_write(tmp_path):
    path = tmp_path / "s.sqlite"
    state = SQLiteState(path)
    state.record("doca", "https://x/a", "/out/a.md", "ha", 300, "written")  # the crawl's -wal file is there
    reader = SQLiteState.read_only(path)
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.db.execute("DELETE FROM articles")
    finally:
        reader.close()
        state.close()
    assert posts_in(path) == ["doca"]


def test_a_state_from_before_stocks_is_read_without_them(tmp_path):
    path = tmp_path / "old.sqlite"
    state = SQLiteState(path)
    state.record("a1", "https://x/a1", "/out/a.md", "h1", 1, "written", "china", title="A", stocks=["sh600519"])
    state.db.execute("ALTER TABLE articles DROP COLUMN stocks")
    state.close()
    old = SQLiteState.read_only(path)
    try:
        assert [(p.doc_id, p.path, p.title, p.last_written is not None, p.stocks) for p in old.posts()] == [
            ("a1", "/out/a.md", "A", True, None)]
        assert (old.post("a1").title, old.post("a1").stocks) == ("A", None)
        assert old.posts_about("sh600519") == []
    finally:
        old.close()
