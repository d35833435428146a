"""Keeping the pages pays off: a crawl of the demo snapshot with the archive on, then
``python -m crawler.reextract`` into an empty folder, and a crawl against ``python -m
crawler.mirror --warc`` of that archive, each give the crawl's posts byte for byte. The same for
the saved test pages crawled by ``sina_article`` (the snapshot turned into WARC by the crawl)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.crawl import ELSEWHERE, run_crawl, run_summary, start_warc_mirror, stop_mirror
from tests.support.pages import ARTICLE_POSTS, fixture_pages
from tests.support.sites import Site

DEMO_CRAWL = ("channels=china,roll,stock", "since=2005-01-01")  # what python -m crawler.demo runs
DEMO_LIVE = ("since=2024-05-10",)
# When a post was written differs from run to run; everything else of a manifest line must not.
WHEN = ("first_written", "last_written")


def posts(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.md"))}


def manifest(root: Path) -> list[dict]:
    lines = [json.loads(line) for line in (root / "index.jsonl").read_text(encoding="utf-8").splitlines()]
    return [{k: v for k, v in line.items() if k not in WHEN} for line in lines]


def reextract(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.reextract", *args], cwd=ELSEWHERE, capture_output=True,
                          text=True, timeout=300)


def test_the_demo_crawl_comes_back_from_its_archive_by_reextraction_and_by_replay(tmp_path):
    site = Site(tmp_path)
    archive = tmp_path / "archive"
    try:
        crawl = run_crawl("sina_finance", site.output, site.mirror, *DEMO_CRAWL, ARCHIVE_DIR=str(archive))
        assert crawl.returncode == 0, crawl.stderr[-3000:]
        live = run_crawl("sina_7x24", site.output, site.mirror, *DEMO_LIVE, ARCHIVE_DIR=str(archive))
        assert live.returncode == 0, live.stderr[-3000:]
    finally:
        site.close()
    crawled = posts(site.output)
    assert len(crawled) == 9  # 8 articles and the day post of the demo's 24 7x24 items
    live_index = (site.output / "7x24.jsonl").read_bytes()
    assert live_index.count(b"\n") == 24
    # The demo's roll lists every article under china (155/1686); the first channel of the table.
    assert {line["channel"] for line in manifest(site.output)} == {"china"}

    again = tmp_path / "reextracted"
    state = tmp_path / "reextract-state" / "crawl.sqlite"
    first = reextract(str(archive), "-s", f"OUTPUT_DIR={again}", "-s", f"STATE_PATH={state}")
    assert first.returncode == 0, first.stderr[-3000:]
    assert first.stdout.splitlines()[-1] == ("new 8, updated 0, unchanged 0, not an article 0, other sites skipped 0, "
                                             "not pages skipped 0, dropped 0; 7x24 items new 24, updated 0, "
                                             "unchanged 0")
    assert posts(again) == crawled
    assert manifest(again) == manifest(site.output)
    assert (again / "7x24.jsonl").read_bytes() == live_index
    assert run_summary(again)["spider"] == "sina_archive_7x24"  # the second of its two runs

    mtimes = {p: p.stat().st_mtime_ns for p in again.rglob("*.md")}
    second = reextract(str(archive), "-s", f"OUTPUT_DIR={again}", "-s", f"STATE_PATH={state}")
    assert second.stdout.splitlines()[-1].startswith("new 0, updated 0, unchanged 8, ")
    assert second.stdout.splitlines()[-1].endswith("; 7x24 items new 0, updated 0, unchanged 24")
    assert {p: p.stat().st_mtime_ns for p in again.rglob("*.md")} == mtimes
    markdown = reextract(str(archive), "-s", f"OUTPUT_DIR={again}", "-s", f"STATE_PATH={state}",
                         "-s", "BODY_MODE=markdown")
    assert markdown.stdout.splitlines()[-1].startswith("new 0, updated 8, unchanged 0, ")
    assert all("<div>" not in text.decode() for name, text in posts(again).items() if "7x24" not in name)

    process, mirror = start_warc_mirror(archive)
    replayed = tmp_path / "replayed"
    try:
        replay = run_crawl("sina_finance", replayed, mirror, *DEMO_CRAWL)
        assert replay.returncode == 0, replay.stderr[-3000:]
        replay_live = run_crawl("sina_7x24", replayed, mirror, *DEMO_LIVE)
        assert replay_live.returncode == 0, replay_live.stderr[-3000:]
    finally:
        stop_mirror(process)
    assert posts(replayed) == crawled
    assert manifest(replayed) == manifest(site.output)
    assert (replayed / "7x24.jsonl").read_bytes() == live_index


def test_the_saved_test_pages_turned_into_warc_by_a_crawl_are_crawled_again_and_reextracted(tmp_path, mirror):
    url_file = tmp_path / "urls.txt"
    url_file.write_text("\n".join(page.url for page in fixture_pages()) + "\n", encoding="utf-8")
    archive = tmp_path / "archive"
    crawl = run_crawl("sina_article", tmp_path / "crawled", mirror, f"url_file={url_file}", ARCHIVE_DIR=str(archive))
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    golden = {name: page.expected_post() for page in fixture_pages() if page.is_article
              for name in ARTICLE_POSTS if name.startswith(page.expected()["published_at"][:10])}
    assert posts(tmp_path / "crawled") == golden

    process, warc_mirror = start_warc_mirror(archive)
    try:
        replay = run_crawl("sina_article", tmp_path / "replayed", warc_mirror, f"url_file={url_file}")
        assert replay.returncode == 0, replay.stderr[-3000:]
    finally:
        stop_mirror(process)
    assert posts(tmp_path / "replayed") == golden
    stats = run_summary(tmp_path / "replayed")["stats"]
    assert stats["article/not_article/portal_page"] == 2 and stats["article/not_article/data_page"] == 1

    result = reextract(str(archive), "-s", f"OUTPUT_DIR={tmp_path / 'reextracted'}",
                       "-s", f"STATE_PATH={tmp_path / 'reextract-state.sqlite'}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines()[-1] == ("new 8, updated 0, unchanged 0, not an article 3, "
                                              "other sites skipped 0, not pages skipped 0, dropped 0; "
                                              "7x24 items new 0, updated 0, unchanged 0")
    assert not (tmp_path / "reextracted" / "7x24.jsonl").exists()  # no 7x24 reply in that archive
    assert posts(tmp_path / "reextracted") == golden
