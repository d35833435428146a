"""State database and output folder faults: clear errors, nothing reset, earlier files intact."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest

from tests.support.sites import Site


@pytest.fixture()
def site(tmp_path):
    site = Site(tmp_path)
    yield site
    site.close()


def first_run(site: Site) -> dict[str, bytes]:
    result = site.cron("channels=china", "since=2005-01-01")
    assert result.returncode == 0, result.stdout + result.stderr
    return {name: path.read_bytes() for name, path in site.posts().items()}


def test_locked_state_database_is_a_clear_error(site):
    before = first_run(site)
    holder = sqlite3.connect(site.work / "crawl.sqlite", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = site.cron("channels=china")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 1
    assert "is locked by another process" in result.stderr
    assert {n: p.read_bytes() for n, p in site.posts().items()} == before


def test_corrupt_state_database_is_reported_and_left_alone(site):
    first_run(site)
    state = site.work / "crawl.sqlite"
    for sidecar in ("crawl.sqlite-wal", "crawl.sqlite-shm"):
        (site.work / sidecar).unlink(missing_ok=True)
    state.write_bytes(b"\x00garbage" * 512)
    result = site.cron("channels=china")
    assert result.returncode == 1
    assert "is unusable (file is not a database)" in result.stderr
    assert state.read_bytes() == b"\x00garbage" * 512


def test_state_from_another_schema_version_is_refused_not_reset(site):
    first_run(site)
    db = sqlite3.connect(site.work / "crawl.sqlite")
    db.execute("UPDATE meta SET value='0' WHERE key='schema_version'")
    db.commit()
    db.close()
    result = site.cron("channels=china")
    assert result.returncode == 1
    assert "schema version 0, this crawler needs 2" in result.stderr
    db = sqlite3.connect(site.work / "crawl.sqlite")
    assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 8
    db.close()


def test_unwritable_output_folder_stops_the_run_and_keeps_earlier_files(site):
    before = first_run(site)
    target = site.output / "2024-05-10"
    for post in target.iterdir():
        post.unlink()
    target.rmdir()
    target.write_text("a file where the date folder should be", encoding="utf-8")
    result = site.cron("channels=china", "since=2005-01-01", "refetch=1")
    assert result.returncode == 1
    assert "finish reason is 'output_unwritable'" in result.stdout
    assert "Cannot write" in site.crawl_log()
    after = {n: p.read_bytes() for n, p in site.posts().items()}
    assert after == {n: b for n, b in before.items() if not n.startswith("2024-05-10/")}
    assert not list(site.output.rglob("*.tmp"))


def test_full_disk_fails_the_run_with_a_clear_message_and_keeps_earlier_files(site):
    site.output.parent.mkdir(parents=True, exist_ok=True)
    site.output.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(site.output)], check=True)
    try:
        before = first_run(site)
        filler = site.output / "filler.bin"
        with filler.open("wb", buffering=0) as handle:  # fill the disk to the last block
            try:
                while True:
                    handle.write(b"\0" * 4096)
            except OSError as error:
                assert error.errno == 28
        page = site.snapshot / "pages/news.sina.com.cn/c/2024-05-10/doc-inausehc2630922.shtml"
        page.write_bytes(page.read_bytes().replace("珠海唯一的有轨电车".encode(), "珠海唯一一条有轨电车".encode()))
        site.edit_roll("nausehc2630922", mtime="1715400000")
        result = site.cron("channels=china")
        assert result.returncode == 1
        assert "finish reason is 'output_unwritable'" in result.stdout
        assert "No space left on device" in site.crawl_log()
        after = {n: p.read_bytes() for n, p in site.posts().items()}
        assert after == before
        assert not list(site.output.rglob("*.tmp"))
    finally:
        subprocess.run(["umount", str(site.output)], check=True)
