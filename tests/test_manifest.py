"""The manifest OUTPUT_DIR/index.jsonl: after real crawls (cron over the demo snapshot, a killed
crawl), rebuilt by ``python -m crawler.manifest`` from the files or the state, and the feed
exports (``scrapy crawl … -O``) that share its field names."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import frontmatter
import pytest

from crawler.items import Article
from crawler.sina.pages import read_page
from crawler.store.manifest import FIELDS, MANIFEST_NAME, manifest_from_state, parse_post
from crawler.store.state import SQLiteState
from crawler.values import SHANGHAI
from pipelines.format import body_mode_of, render_post
from pipelines.format.title import sanitise_title
from pipelines.post_files import complete, post_from_file
from tests.support.crash import ARTICLES, crash_crawl_command, kill_when, synthetic_site
from tests.support.crawl import ELSEWHERE, crawl_command, run_crawl
from tests.support.pages import ARTICLE_POSTS, fixture_pages
from tests.support.sites import Site

CHANGED_PAGE = "pages/news.sina.com.cn/c/2024-05-10/doc-inausehc2630922.shtml"
CHANGED_POST = "2024-05-10/城市有轨电车之困：一边争相上马，一边接连叫停.md"
EXTRA = "link,doc_id,source,channel,stocks"


@pytest.fixture()
def site(tmp_path):
    site = Site(tmp_path)
    yield site
    site.close()


def manifest(root: Path) -> list[dict]:
    return [json.loads(line) for line in (root / MANIFEST_NAME).read_text(encoding="utf-8").splitlines()]


def manifest_command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.manifest", *args], cwd=ELSEWHERE, capture_output=True,
                          text=True, timeout=120)


def assert_consistent_with_the_files(root: Path, lines: list[dict]) -> None:
    """One line per post file, sorted by path, each hash that of the file's bytes."""
    posts = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.md"))
    assert [line["path"] for line in lines] == posts
    for line in lines:
        assert list(line) == list(FIELDS)
        assert line["sha256"] == hashlib.sha256((root / line["path"]).read_bytes()).hexdigest(), line["path"]


# --- after a real crawl ----------------------------------------------------------------------


def test_crawl_manifest_and_both_rebuilds_with_the_extra_front_matter(site):
    result = site.cron("channels=china", "since=2005-01-01", EXTRA_FRONT_MATTER=EXTRA)
    assert result.returncode == 0, result.stdout + result.stderr
    root = site.output
    crawled = (root / MANIFEST_NAME).read_bytes()
    lines = manifest(root)
    assert len(lines) == 8
    assert {line["path"] for line in lines} == ARTICLE_POSTS
    assert_consistent_with_the_files(root, lines)
    assert "\\u" not in crawled.decode("utf-8") and "城市有轨电车之困" in crawled.decode("utf-8")
    for line in lines:
        post = frontmatter.loads((root / line["path"]).read_text(encoding="utf-8").replace("&#123;", "{"))
        assert line["title"] == post["title"]
        assert line["categories"] == post["categories"] == ["金融", "新浪财经", "新浪财经－国內"]
        assert (line["doc_id"], line["url"], line["channel"]) == (post["doc_id"], post["link"], "china")
        assert line["source"] == post.get("source")
        published = datetime.fromisoformat(line["published"])
        assert line["published"].endswith("+08:00") and line["path"].startswith(published.strftime("%Y-%m-%d/"))
        assert line["body_mode"] == "seed"
        assert line["first_written"] == line["last_written"] and line["first_written"].endswith("+00:00")

    (root / MANIFEST_NAME).unlink()
    from_state = manifest_command(str(root), "--state", str(site.work / "crawl.sqlite"))
    assert from_state.returncode == 0, from_state.stderr
    assert from_state.stdout == f"{root / MANIFEST_NAME}: written, 8 posts from state {site.work / 'crawl.sqlite'}\n"
    assert (root / MANIFEST_NAME).read_bytes() == crawled

    (root / MANIFEST_NAME).unlink()
    from_files = manifest_command(str(root))
    assert from_files.returncode == 0, from_files.stderr
    assert from_files.stdout == f"{root / MANIFEST_NAME}: written, 8 posts from the post files\n"
    rebuilt = manifest(root)
    same = [f for f in FIELDS if f not in ("first_written", "last_written")]
    assert [{f: line[f] for f in same} for line in rebuilt] == [{f: line[f] for f in same} for line in lines]
    for line in rebuilt:
        mtime = (root / line["path"]).stat().st_mtime
        assert datetime.fromisoformat(line["last_written"]).timestamp() == int(mtime)


def test_rebuild_from_the_files_of_a_plain_crawl_leaves_what_they_do_not_hold_null(site):
    result = site.cron("channels=china", "since=2005-01-01")
    assert result.returncode == 0, result.stdout + result.stderr
    root = site.output
    crawled = manifest(root)
    assert all(line["doc_id"] and line["url"] and line["channel"] == "china" for line in crawled)
    (root / MANIFEST_NAME).unlink()
    result = manifest_command(str(root))
    assert result.returncode == 0
    rebuilt = manifest(root)
    for line, crawl in zip(rebuilt, crawled, strict=True):
        # .posts.jsonl still says which doc id owns each file; nothing holds the rest.
        assert (line["doc_id"], line["url"], line["source"], line["channel"]) == (crawl["doc_id"], None, None, None)
        for field in ("path", "title", "published", "categories", "sha256", "body_mode"):
            assert line[field] == crawl[field], field
    count = len(crawled)
    for field in ("url", "source", "channel"):
        assert f"  {field} unknown (null) for {count} of {count} posts: " in result.stdout, result.stdout
    assert "doc_id unknown" not in result.stdout


def test_rebuild_from_the_files_keeps_what_the_old_manifest_holds_and_leaves_day_posts_out(site):
    assert site.cron("channels=china", "since=2005-01-01").returncode == 0
    live = subprocess.run(crawl_command(["-m", "crawler.cron", "--spider", "sina_7x24", "--lock",
                                         str(site.work / "crawl.lock"), "--log-dir", str(site.work / "logs")],
                                        mirror=site.mirror, output=site.output, state=site.work / "crawl.sqlite",
                                        spider_args=["since=2024-05-10"]),
                          cwd=ELSEWHERE, capture_output=True, text=True, timeout=300)
    assert live.returncode == 0, live.stdout + live.stderr
    root = site.output
    day_post = "2024-05-10/新浪财经7x24 2024-05-10.md"
    assert (root / day_post).is_file()
    crawled = manifest(root)
    assert day_post not in [line["path"] for line in crawled]
    for post in root.rglob("*.md"):  # as a copy or a restore leaves them: same bytes, new mtimes
        os.utime(post, (1_800_000_000, 1_800_000_000))
    result = manifest_command(str(root))
    assert result.returncode == 0, result.stderr
    assert manifest(root) == crawled  # nothing lost: the old manifest fills what the files do not hold
    assert "unknown" not in result.stdout


def test_first_written_stays_and_last_written_moves_only_when_the_bytes_change(site):
    assert site.cron("channels=china", "since=2005-01-01").returncode == 0
    index = site.output / MANIFEST_NAME
    before, before_mtime = manifest(site.output), index.stat().st_mtime_ns
    time.sleep(1.1)  # the times have whole seconds

    refetch = site.cron("channels=china", "since=2005-01-01", "refetch=1")
    assert refetch.returncode == 0, refetch.stdout + refetch.stderr
    assert (site.summary()["unchanged"], site.summary()["updated"]) == (8, 0)
    assert manifest(site.output) == before
    assert index.stat().st_mtime_ns == before_mtime  # same bytes: not rewritten

    page = site.snapshot / CHANGED_PAGE
    page.write_bytes(page.read_bytes().replace("珠海唯一的有轨电车".encode(), "珠海唯一一条有轨电车".encode()))
    site.edit_roll("nausehc2630922", mtime="1715400000")
    edited = site.cron("channels=china")
    assert edited.returncode == 0, edited.stdout + edited.stderr
    assert site.summary()["updated"] == 1
    after = manifest(site.output)
    assert_consistent_with_the_files(site.output, after)
    old, new = ({line["path"]: line for line in lines} for lines in (before, after))
    assert {path for path in new if new[path] != old[path]} == {CHANGED_POST}
    changed, was = new[CHANGED_POST], old[CHANGED_POST]
    assert changed["first_written"] == was["first_written"]
    assert changed["last_written"] > was["last_written"]
    assert changed["sha256"] != was["sha256"]


def test_a_killed_crawl_leaves_a_state_whose_manifest_matches_the_files_and_a_rerun_lists_all(tmp_path):
    site = Site(tmp_path)
    try:
        synthetic_site(site)
        present = kill_when(site, 20)
        assert present < ARTICLES
        # Before any rerun: the state's manifest lists exactly the posts it recorded, each as it is on disk.
        rebuilt = manifest_command(str(site.output), "--state", str(site.work / "crawl.sqlite"))
        assert rebuilt.returncode == 0, rebuilt.stderr
        partial = manifest(site.output)
        assert 0 < len(partial) <= present
        for line in partial:
            assert line["sha256"] == hashlib.sha256((site.output / line["path"]).read_bytes()).hexdigest()
        final = subprocess.run(crash_crawl_command(site), cwd=ELSEWHERE, capture_output=True, text=True, timeout=300)
        assert final.returncode == 0, final.stderr[-2000:]
    finally:
        site.close()
    lines = manifest(site.output)
    assert len(lines) == ARTICLES
    assert_consistent_with_the_files(site.output, lines)
    assert {line["doc_id"] for line in lines} == {f"crashtest{n:05d}" for n in range(ARTICLES)}


# --- feed exports ----------------------------------------------------------------------------


def test_feed_exports_have_the_manifest_fields_and_values_in_readable_utf8(tmp_path, mirror):
    url_file = tmp_path / "urls.txt"
    url_file.write_text("\n".join(page.url for page in fixture_pages()) + "\n", encoding="utf-8")
    output = tmp_path / "output"
    lines_feed, array_feed = tmp_path / "items.jsonl", tmp_path / "items.json"
    result = run_crawl("sina_article", output, mirror, f"url_file={url_file}",
                       options=("-O", str(lines_feed), "-O", str(array_feed)))
    assert result.returncode == 0, result.stderr[-3000:]
    expected = manifest(output)
    assert len(expected) == 8
    text = lines_feed.read_text(encoding="utf-8")
    assert "\\u" not in text and "中铁总辟谣称消息不实" in text
    items = [json.loads(line) for line in text.splitlines()]
    assert all(list(item) == list(FIELDS) for item in items)
    assert sorted(items, key=lambda item: item["path"]) == expected
    array = array_feed.read_text(encoding="utf-8")
    assert "\\u" not in array
    assert sorted(json.loads(array), key=lambda item: item["path"]) == expected


# --- the command and its parts ----------------------------------------------------------------


def post_of(title: str, body_mode: str = "seed", **overrides) -> bytes:
    article = Article(url="https://finance.sina.com.cn/roll/2024-03-01/doc-inaaaaaa0000001.shtml",
                      doc_id="naaaaaa0000001", title=title, published_at=datetime(2024, 3, 1, 9, 30, 5, tzinfo=SHANGHAI),
                      body_html="\n<p>正文 {x}</p>\n<p class=\"article-editor\">责任编辑：甲</p>\n", **overrides)
    return render_post(article, body_mode).encode("utf-8")


@pytest.mark.parametrize("title", ["普通标题", "He said \"yes\" & 'no'", "大括号{x}与#号: 冒号", "- 列表? [a] *b*",
                                   "'单引号开头", "!tag %25 @at `tick`", "反斜杠\\与\t制表符"])
def test_a_post_file_gives_back_its_sanitised_title_date_and_categories(tmp_path, title):
    path = tmp_path / "2024-03-01" / "a.md"
    path.parent.mkdir()
    path.write_bytes(post_of(title, categories=["金融", "新浪财经", "宏观{}"]))
    record = post_from_file(path, tmp_path)
    assert record.title == sanitise_title(title)
    assert record.published == "2024-03-01T09:30:05+08:00"
    assert record.categories == ("金融", "新浪财经", "宏观{}")
    assert record.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (record.doc_id, record.url, record.source, record.channel) == (None, None, None, None)


@pytest.mark.parametrize("mode", ["seed", "seed-exact", "clean", "markdown"])
def test_the_body_mode_is_read_off_every_saved_article_in_every_mode(mode):
    articles = [read_page(page.url, page.body(), page.headers) for page in fixture_pages() if page.is_article]
    assert len(articles) == 8
    for article in articles:
        _, body = parse_post(render_post(article, mode).encode("utf-8"))
        assert body_mode_of(body) == mode, article.url


def test_missing_folder_exits_2_and_a_file_that_is_not_a_post_exits_1_writing_nothing(tmp_path):
    missing = manifest_command(str(tmp_path / "nope"))
    assert missing.returncode == 2
    assert missing.stdout == "" and missing.stderr.count("\n") == 1 and "nope" in missing.stderr

    (tmp_path / "2024-03-01").mkdir()
    (tmp_path / "2024-03-01" / "a.md").write_bytes(post_of("甲"))
    (tmp_path / ".runs").mkdir()
    (tmp_path / ".runs" / "ignored.md").write_text("not a post", encoding="utf-8")
    good = manifest_command(str(tmp_path))
    assert good.returncode == 0, good.stderr
    assert [line["path"] for line in manifest(tmp_path)] == ["2024-03-01/a.md"]

    (tmp_path / MANIFEST_NAME).unlink()
    (tmp_path / "notes.md").write_text("# my notes\n", encoding="utf-8")
    bad = manifest_command(str(tmp_path))
    assert bad.returncode == 1
    assert bad.stdout == "" and bad.stderr.count("\n") == 1 and "notes.md: no front matter" in bad.stderr
    assert not (tmp_path / MANIFEST_NAME).exists()

    unreadable = manifest_command(str(tmp_path), "--state", str(tmp_path / "2024-03-01" / "a.md"))
    assert unreadable.returncode == 1 and unreadable.stderr.count("\n") == 1
    assert "cannot read the state" in unreadable.stderr


def test_a_migrated_first_layout_row_takes_what_the_state_lacks_from_its_file(tmp_path):
    root = tmp_path / "out"
    (root / "2024-03-01").mkdir(parents=True)
    post = root / "2024-03-01" / "甲.md"
    post.write_bytes(post_of("甲"))
    db = sqlite3.connect(tmp_path / "v1.sqlite")
    db.executescript(f"""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE articles (doc_id TEXT PRIMARY KEY, url TEXT NOT NULL, output_path TEXT NOT NULL,
            content_hash TEXT NOT NULL, mtime INTEGER, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
            status TEXT NOT NULL);
        CREATE TABLE channel_marks (channel TEXT PRIMARY KEY, high_water INTEGER NOT NULL, updated TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema_version', '1');
        INSERT INTO articles VALUES ('naaaaaa0000001', 'https://x/a', '{post}', '',
                                     NULL, '2020-01-01T00:00:00+00:00', '2021-01-01T00:00:00+00:00', 'written');
    """)
    db.close()
    state = SQLiteState(tmp_path / "v1.sqlite")
    (line,) = [json.loads(text) for text in manifest_from_state(state.posts(), root, complete).decode().splitlines()]
    state.close()
    assert line == {
        "doc_id": "naaaaaa0000001", "path": "2024-03-01/甲.md", "url": "https://x/a", "title": "甲",
        "published": "2024-03-01T09:30:05+08:00", "source": None, "channel": None,
        "categories": ["金融", "新浪财经", "新浪财经－国內"], "stocks": None, "body_mode": "seed",
        "sha256": hashlib.sha256(post.read_bytes()).hexdigest(),
        "first_written": "2020-01-01T00:00:00+00:00", "last_written": "2021-01-01T00:00:00+00:00",
    }
