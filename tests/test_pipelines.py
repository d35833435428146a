"""Each item pipeline as Scrapy builds it (build_from_crawler over a get_crawler crawler), real files."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.items import Article, RollEntry
from crawler.store.manifest import FIELDS, MANIFEST_NAME
from crawler.store.state import crawl_state
from crawler.values import SHANGHAI
from pipelines.clean import CleanArticlePipeline
from pipelines.dedupe import DedupeArticlePipeline
from pipelines.export import PostExportPipeline
from pipelines.validate import ValidateArticlePipeline

PUBLISHED = datetime(2024, 3, 1, 9, 30, tzinfo=SHANGHAI)
API_MTIME = datetime(2024, 3, 1, 10, 0, tzinfo=SHANGHAI)  # 2024-03-01T02:00:00Z
API_MTIME_EPOCH = 1709258400


def article(doc_id: str = "inaaaaaa0000001", title: str = "标题", **overrides) -> Article:
    fields = {
        "url": f"https://finance.sina.com.cn/china/2024-03-01/doc-{doc_id}.shtml",
        "doc_id": doc_id,
        "title": title,
        "published_at": PUBLISHED,
        "body_html": "<p>正文</p>\n",
    }
    fields.update(overrides)
    return Article(**fields)


def crawler_for(tmp_path: Path, output: str = "out"):
    return get_crawler(settings_dict={"OUTPUT_DIR": str(tmp_path / output),
                                      "STATE_PATH": str(tmp_path / "state" / "crawl.sqlite")})


def stop(crawler) -> None:
    crawler.signals.send_catch_log(signal=signals.engine_stopped)


def index_lines(root: Path) -> list[dict]:
    return [json.loads(line) for line in (root / ".posts.jsonl").read_text(encoding="utf-8").splitlines()]


# --- clean ---------------------------------------------------------------------------------


def test_clean_removes_control_characters_and_collapses_whitespace(tmp_path):
    clean = build_from_crawler(CleanArticlePipeline, crawler_for(tmp_path))
    item = article(title="\x00 上海\u3000\u3000数字化\x1b\n转型\u2028 ", author="  张\u00a0三 ", editor="李四\x7f")
    assert clean.process_item(item) is item
    # The title keeps its runs of spaces, as the reference system kept the API's title.
    assert item.title == "上海\u3000\u3000数字化 转型"
    assert (item.author, item.editor) == ("张 三", "李四")


def test_a_title_keeps_its_runs_of_spaces(tmp_path):
    clean = build_from_crawler(CleanArticlePipeline, crawler_for(tmp_path))
    item = clean.process_item(article(title=" 央行  降准 "))
    assert item.title == "央行  降准"


def test_clean_makes_empty_optional_fields_none_and_keeps_title_a_string(tmp_path):
    clean = build_from_crawler(CleanArticlePipeline, crawler_for(tmp_path))
    item = article(title=" \x01 ", source="\u3000", author="\x00", editor="", description=" \n ")
    clean.process_item(item)
    assert item.title == ""
    assert (item.source, item.author, item.editor, item.description) == (None, None, None, None)


def test_clean_trims_keywords_and_drops_empty_ones(tmp_path):
    clean = build_from_crawler(CleanArticlePipeline, crawler_for(tmp_path))
    item = article(keywords=["  数字化 ", "", "\u3000", "上海\u00a0 浦东"])
    clean.process_item(item)
    assert item.keywords == ["数字化", "上海 浦东"]


# --- validate ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"url": ""}, "missing_url"),
        ({"doc_id": "  "}, "missing_doc_id"),
        ({"title": ""}, "missing_title"),
        ({"body_html": "\n"}, "missing_body_html"),
        ({"published_at": None}, "missing_published_at"),
        ({"published_at": datetime(2024, 3, 1, 9, 30)}, "naive_published_at"),
        ({"published_at": datetime.now(SHANGHAI) + timedelta(days=2)}, "future_published_at"),
    ],
)
def test_validate_drops_with_a_counted_reason(tmp_path, overrides, reason):
    crawler = crawler_for(tmp_path)
    validate = build_from_crawler(ValidateArticlePipeline, crawler)
    with pytest.raises(DropItem, match=reason):
        validate.process_item(article(**overrides))
    dropped = {k: v for k, v in crawler.stats.get_stats().items() if k.startswith("article/dropped/")}
    assert dropped == {f"article/dropped/{reason}": 1}


def test_validate_passes_a_complete_article_a_little_ahead_of_our_clock(tmp_path):
    crawler = crawler_for(tmp_path)
    validate = build_from_crawler(ValidateArticlePipeline, crawler)
    item = article(published_at=datetime.now(SHANGHAI) + timedelta(hours=2))
    assert validate.process_item(item) is item
    assert crawler.stats.get_stats() == {}


# --- dedupe --------------------------------------------------------------------------------


def test_dedupe_drops_and_counts_the_second_item_of_a_doc_id(tmp_path):
    crawler = crawler_for(tmp_path)
    dedupe = build_from_crawler(DedupeArticlePipeline, crawler)
    first, other = article("inaaaaaa0000001"), article("inaaaaaa0000002")
    assert dedupe.process_item(first) is first
    assert dedupe.process_item(other) is other
    with pytest.raises(DropItem, match="inaaaaaa0000001"):
        dedupe.process_item(article("inaaaaaa0000001", title="另一个标题"))
    assert crawler.stats.get_value("article/dropped/duplicate") == 1


# --- export --------------------------------------------------------------------------------


def open_exporter(tmp_path: Path, output: str = "out"):
    crawler = crawler_for(tmp_path, output)
    exporter = build_from_crawler(PostExportPipeline, crawler)
    exporter.open_spider()
    return crawler, exporter


def test_export_counts_written_updated_unchanged(tmp_path):
    crawler, exporter = open_exporter(tmp_path)
    exporter.process_item(article())
    exporter.process_item(article())
    exporter.process_item(article(body_html="<p>改过的正文</p>\n"))
    stats = crawler.stats.get_stats()
    assert {k: v for k, v in stats.items() if k.startswith("export/")} == {
        "export/written": 1, "export/unchanged": 1, "export/updated": 1}
    stop(crawler)


def test_export_records_path_hash_of_the_bytes_on_disk_and_api_mtime(tmp_path):
    crawler, exporter = open_exporter(tmp_path)
    item = exporter.process_item(article(api_mtime=API_MTIME))
    path = Path(item.output_path)
    assert path.parent == tmp_path / "out" / "2024-03-01"
    known = crawl_state(crawler).known()["inaaaaaa0000001"]
    assert known.output_path == str(path)
    assert known.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert known.mtime == API_MTIME_EPOCH
    assert known.status == "written"
    stop(crawler)


def test_posts_index_lists_each_path_once_sorted_after_two_crawls(tmp_path):
    titles = {"inaaaaaa0000003": "丙", "inaaaaaa0000001": "甲", "inaaaaaa0000002": "乙"}
    written = []
    for _ in range(2):  # two crawls over the same state and output folder
        crawler, exporter = open_exporter(tmp_path)
        written = [exporter.process_item(article(doc_id, title)).output_path for doc_id, title in titles.items()]
        exporter.close_spider()
        stop(crawler)
    root = tmp_path / "out"
    expected = sorted(Path(p).relative_to(root).as_posix() for p in written)
    lines = index_lines(root)
    assert [line["path"] for line in lines] == expected
    assert {line["doc_id"] for line in lines} == set(titles)
    assert all((root / line["path"]).is_file() for line in lines)


def test_manifest_lines_are_the_items_manifest_and_index_jsonl_is_rewritten_only_when_it_changes(tmp_path):
    crawler, exporter = open_exporter(tmp_path, output="site")
    items = [exporter.process_item(article("inaaaaaa0000002", "乙: {问}", source="新京报", roll_channel="china",
                                           categories=["金融", "新浪财经", "宏观"], api_mtime=API_MTIME)),
             exporter.process_item(article("inaaaaaa0000001", "甲", body_mode="clean"))]
    exporter.close_spider()
    stop(crawler)
    root = tmp_path / "site"
    index = root / MANIFEST_NAME
    lines = [json.loads(line) for line in index.read_text(encoding="utf-8").splitlines()]
    assert lines == sorted((item.manifest for item in items), key=lambda line: line["path"])
    second = next(line for line in lines if line["doc_id"] == "inaaaaaa0000002")
    assert list(second) == list(FIELDS)
    assert {key: value for key, value in second.items() if key not in ("first_written", "last_written")} == {
        "doc_id": "inaaaaaa0000002", "path": "2024-03-01/乙_ {问}.md",
        "url": "https://finance.sina.com.cn/china/2024-03-01/doc-inaaaaaa0000002.shtml", "title": "乙_ {问}",
        "published": "2024-03-01T09:30:00+08:00", "source": "新京报", "channel": "china",
        "categories": ["金融", "新浪财经", "宏观"], "stocks": [], "body_mode": "seed",
        "sha256": hashlib.sha256((root / second["path"]).read_bytes()).hexdigest()}
    first = next(line for line in lines if line["doc_id"] == "inaaaaaa0000001")
    assert (first["categories"], first["body_mode"], first["source"], first["channel"]) == (
        ["金融", "新浪财经", "新浪财经－国內"], "clean", None, None)
    assert first["first_written"] == first["last_written"]

    written = index.stat().st_mtime_ns
    crawler, exporter = open_exporter(tmp_path, output="site")  # the same posts again: the same bytes
    exporter.process_item(article("inaaaaaa0000001", "甲", body_mode="clean"))
    exporter.close_spider()
    stop(crawler)
    assert index.stat().st_mtime_ns == written
    index.write_bytes(b"stale\n")  # a later crawl rewrites it from the state
    crawler, exporter = open_exporter(tmp_path, output="site")
    exporter.close_spider()
    stop(crawler)
    assert [json.loads(line) for line in index.read_text(encoding="utf-8").splitlines()] == lines


def test_article_keeps_its_file_after_a_state_reset(tmp_path):
    crawler, exporter = open_exporter(tmp_path)
    first = exporter.process_item(article(title="原标题")).output_path
    crawl_state(crawler).reset()
    stop(crawler)
    crawler, exporter = open_exporter(tmp_path)
    again = exporter.process_item(article(title="新标题")).output_path
    assert again == first
    assert crawler.stats.get_value("export/updated") == 1
    assert sorted(p.name for p in (tmp_path / "out").rglob("*.md")) == [Path(first).name]
    stop(crawler)


# --- listing -------------------------------------------------------------------------------


def test_apply_listing_takes_doc_id_intime_title_and_only_fills_gaps():
    intime = datetime(2024, 3, 1, 8, 0, tzinfo=SHANGHAI)
    entry = RollEntry(doc_id="inbbbbbb0000009", url="https://finance.sina.com.cn/x/doc-inbbbbbb0000009.shtml",
                      title="列表标题", ctime=intime, mtime=API_MTIME, intime=intime, intro="列表摘要",
                      media_name="列表来源", keywords=["列表"])
    page = article(source="页面来源", keywords=["页面"], description=None)
    page.apply_listing(entry, ["金融", "新浪财经", "宏观"])
    assert (page.doc_id, page.published_at, page.title) == ("inbbbbbb0000009", intime, "列表标题")
    assert (page.source, page.keywords, page.description) == ("页面来源", ["页面"], "列表摘要")
    assert (page.categories, page.api_mtime) == (["金融", "新浪财经", "宏观"], API_MTIME)
    bare = article(source=None, keywords=[], description="页面摘要")
    bare.apply_listing(entry, ["a", "b", "c"])
    assert (bare.source, bare.keywords, bare.description) == ("列表来源", ["列表"], "页面摘要")
