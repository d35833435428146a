"""The channel table, the SQLite state and the retry backoff: small parts, real files."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from crawler.plumbing.backoff import retry_after_seconds
from crawler.sina.channels import ChannelError, load_channels, pick_channels
from crawler.store.state import SQLiteState as CrawlState
from crawler.store.state import StateError


def test_shipped_channels_include_the_seed_channel_as_default():
    channels = load_channels()
    (default,) = pick_channels(channels)
    assert (default.name, default.pageid, default.lid) == ("china", 155, 1686)
    assert default.categories == ("金融", "新浪财经", "新浪财经－国內")
    pairs = {(c.pageid, c.lid) for c in channels.values()}
    expected = {(384, lid) for lid in (2519, 2671, 2672, 2673, 2674, 2675, 2676, 2487)}
    expected |= {(155, lid) for lid in (1686, 1687, 1688, 1689, 1690, 3231)}
    expected |= {(164, 1693), (186, 1746), (205, 1789)}
    assert pairs == expected
    assert all(len(c.categories) == 3 and c.referer.startswith("https://") for c in channels.values())


def test_picking_channels():
    channels = load_channels()
    assert [c.name for c in pick_channels(channels, "stock,china,stock")] == ["stock", "china"]
    assert len(pick_channels(channels, "all")) == len(channels)
    with pytest.raises(ChannelError, match="unknown channel"):
        pick_channels(channels, "nope")


def test_bad_channel_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "c.yaml"
    bad.write_text("x:\n  pageid: 1\n  categories: [a, b]\n", encoding="utf-8")
    with pytest.raises(ChannelError, match="x"):
        load_channels(bad)


def test_state_records_and_marks_survive_reopening(tmp_path):
    state = CrawlState(tmp_path / "s.sqlite")
    state.record("abc", "https://x", "/o/a.md", "h1", 100, "written")
    state.record("abc", "https://x", "/o/a.md", "h2", 200, "written")
    state.set_high_water("china", 500)
    state.set_high_water("china", 400)  # never moves back
    state.close()
    again = CrawlState(tmp_path / "s.sqlite")
    assert again.known()["abc"].content_hash == "h2" and again.known()["abc"].mtime == 200
    assert again.high_water("china") == 500
    again.reset()
    assert again.known() == {} and again.high_water("china") is None


def test_corrupt_or_foreign_state_is_a_clear_error_not_a_reset(tmp_path):
    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StateError, match="unusable"):
        CrawlState(corrupt)
    assert corrupt.read_bytes().startswith(b"this is not")
    foreign = tmp_path / "foreign.sqlite"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(StateError, match="not a crawl state"):
        CrawlState(foreign)


def test_state_from_another_schema_version_is_refused(tmp_path):
    path = tmp_path / "s.sqlite"
    CrawlState(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    db.commit()
    db.close()
    with pytest.raises(StateError, match="schema version 99"):
        CrawlState(path)


def test_retry_after_in_seconds_or_as_a_date():
    now = datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(b"7") == 7.0
    assert retry_after_seconds(b"Thu, 01 Jan 2026 00:00:30 GMT", now) == 30.0
    assert retry_after_seconds(b"garbage") is None
    assert retry_after_seconds(None) is None
