"""The exporter: dated paths, atomic writes, idempotence, collisions, safe names."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from crawler.items import Article
from crawler.store.atomic import write_atomic
from crawler.values import SHANGHAI
from pipelines.export import PostExportPipeline
from pipelines.format import render_post
from pipelines.format.file_names import post_file_name


def article(doc_id: str = "ihqfskcn2160999", title: str = "标题", **overrides) -> Article:
    fields = {
        "url": f"https://finance.sina.com.cn/roll/2018-12-28/doc-{doc_id}.shtml",
        "doc_id": doc_id,
        "title": title,
        "published_at": datetime(2018, 12, 28, 19, 55, 10, tzinfo=SHANGHAI),
        "body_html": "<p>正文</p>\n",
    }
    fields.update(overrides)
    return Article(**fields)


def open_exporter(root: Path) -> tuple[PostExportPipeline, object]:
    crawler = get_crawler(settings_dict={"OUTPUT_DIR": str(root), "STATE_PATH": str(root.parent / f"{root.name}.sqlite")})
    crawler.stats.open_spider()
    exporter = PostExportPipeline.from_crawler(crawler)
    exporter.open_spider()
    return exporter, crawler.stats


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_post_goes_to_the_beijing_date_folder(tmp_path):
    exporter, stats = open_exporter(tmp_path)
    # 2018-12-28 00:30 Beijing is still 12-27 in UTC: the folder follows Beijing.
    item = article(published_at=datetime(2018, 12, 28, 0, 30, tzinfo=SHANGHAI))
    exporter.process_item(item)
    path = tmp_path / "2018-12-28" / "标题.md"
    assert path.read_bytes() == render_post(item).encode("utf-8")
    assert item.output_path == str(path)
    assert stats.get_value("export/written") == 1


def test_same_bytes_are_not_rewritten(tmp_path):
    exporter, stats = open_exporter(tmp_path)
    exporter.process_item(article())
    path = tmp_path / "2018-12-28" / "标题.md"
    os.utime(path, (1_000_000, 1_000_000))
    again, stats = open_exporter(tmp_path)
    again.process_item(article())
    assert path.stat().st_mtime == 1_000_000
    assert stats.get_value("export/unchanged") == 1


def test_changed_article_is_rewritten_in_place_even_if_its_title_changed(tmp_path):
    exporter, _ = open_exporter(tmp_path)
    exporter.process_item(article())
    later, stats = open_exporter(tmp_path)
    later.process_item(article(title="新标题", body_html="<p>更正</p>\n"))
    later.close_spider()
    assert files_under(tmp_path) == [".posts.jsonl", "2018-12-28/标题.md", "index.jsonl"]
    assert "更正" in (tmp_path / "2018-12-28" / "标题.md").read_text(encoding="utf-8")
    assert stats.get_value("export/updated") == 1


@pytest.mark.parametrize("other_title", ["A/B", "A:B", "A_B"])
def test_colliding_names_never_overwrite_each_other(tmp_path, other_title):
    exporter, stats = open_exporter(tmp_path)
    first = article("aaaaaaaaaaaaaa", "A_B", body_html="<p>one</p>")
    second = article("bbbbbbbbbbbbbb", other_title, body_html="<p>two</p>")
    exporter.process_item(first)
    exporter.process_item(second)
    exporter.close_spider()
    assert files_under(tmp_path) == [".posts.jsonl", "2018-12-28/A_B bbbbbbbbbbbbbb.md", "2018-12-28/A_B.md", "index.jsonl"]
    assert "one" in (tmp_path / "2018-12-28/A_B.md").read_text(encoding="utf-8")
    assert stats.get_value("export/name_collision") == 1
    # A rerun in the other order keeps each article on its own file.
    rerun, _ = open_exporter(tmp_path)
    rerun.process_item(second)
    rerun.process_item(first)
    rerun.close_spider()
    assert files_under(tmp_path) == [".posts.jsonl", "2018-12-28/A_B bbbbbbbbbbbbbb.md", "2018-12-28/A_B.md", "index.jsonl"]


def test_file_left_by_a_crash_before_the_state_update_is_claimed_not_duplicated(tmp_path):
    exporter, _ = open_exporter(tmp_path / "posts")
    exporter.process_item(article())
    exporter.state.close()
    (tmp_path / "posts.sqlite").unlink()  # the crash came before the record reached the state
    rerun, stats = open_exporter(tmp_path / "posts")
    rerun.process_item(article())
    rerun.close_spider()
    assert files_under(tmp_path / "posts") == [".posts.jsonl", "2018-12-28/标题.md", "index.jsonl"]
    assert stats.get_value("export/unchanged") == 1
    assert rerun.state.owner_of(str(tmp_path / "posts" / "2018-12-28/标题.md")) == "ihqfskcn2160999"



def test_names_fit_in_255_bytes_and_stay_inside_the_folder():
    name = post_file_name("长" * 500, "ihqfskcn2160999")
    assert len(name.encode()) <= 255 and name.endswith(".md")
    suffixed = post_file_name("长" * 500, "ihqfskcn2160999", disambiguate=True)
    assert len(suffixed.encode()) <= 255 and suffixed.endswith(" ihqfskcn2160999.md")
    assert post_file_name("../../etc/passwd", "x") == "＿_etc_passwd.md"
    assert post_file_name("...", "ihqfskcn2160999") == "ihqfskcn2160999.md"


def test_percent_and_leading_underscore_are_mapped_for_hexo():
    assert post_file_name("CPI上涨0.9%", "x") == "CPI上涨09％.md"
    assert post_file_name("“3月1日起”", "x") == "＿3月1日起_.md"


def test_failed_write_leaves_no_temp_file_and_keeps_the_old_file(tmp_path):
    target = tmp_path / "post.md"
    target.write_bytes(b"old")

    with pytest.raises(TypeError):
        write_atomic(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert files_under(tmp_path) == ["post.md"]


def test_replacing_a_folder_fails_cleanly(tmp_path):
    (tmp_path / "post.md").mkdir()
    with pytest.raises(OSError):
        write_atomic(tmp_path / "post.md", b"data")
    assert files_under(tmp_path) == []
