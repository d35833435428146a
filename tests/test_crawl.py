"""End to end: a real ``scrapy crawl sina_article`` subprocess against the loopback mirror."""

from __future__ import annotations

from pathlib import Path

import frontmatter

from tests.support.crawl import run_crawl, run_summary
from tests.support.pages import ARTICLE_POSTS, fixture_pages


def posts_under(root: Path) -> dict[str, Path]:
    return {str(p.relative_to(root)): p for p in root.rglob("*.md")}


def test_crawl_writes_exactly_one_post_per_article_page_and_reruns_converge(tmp_path, mirror):
    url_file = tmp_path / "urls.txt"
    url_file.write_text("\n".join(page.url for page in fixture_pages()) + "\n", encoding="utf-8")
    output = tmp_path / "output"

    first = run_crawl("sina_article", output, mirror, f"url_file={url_file}")
    assert first.returncode == 0, first.stderr[-3000:]
    summary = run_summary(output)
    stats = summary["stats"]
    assert summary["finish_reason"] == "finished"
    assert stats["export/written"] == 8
    assert stats["article/not_article/portal_page"] == 2
    assert stats["article/not_article/data_page"] == 1
    assert "log_count/ERROR" not in stats

    written = posts_under(output)
    assert set(written) == ARTICLE_POSTS
    for page in fixture_pages():
        if not page.is_article:
            continue
        # The post's date folder is the hand-read Beijing publish date; one article per date.
        name = next(n for n in written if n.startswith(page.expected()["published_at"][:10]))
        assert written[name].read_bytes() == page.expected_post(), name
        assert frontmatter.load(written[name]).metadata["comments"] is False
    assert not list(output.rglob("*.tmp"))

    mtimes = {name: path.stat().st_mtime_ns for name, path in written.items()}
    second = run_crawl("sina_article", output, mirror, f"url_file={url_file}")
    assert second.returncode == 0
    again = run_summary(output)["stats"]
    assert again["export/unchanged"] == 8
    assert "export/written" not in again and "export/updated" not in again
    assert {n: p.stat().st_mtime_ns for n, p in posts_under(output).items()} == mtimes


def test_urls_argument_and_missing_page_is_counted_not_fatal(tmp_path, mirror):
    output = tmp_path / "output"
    urls = ",".join([
        "https://finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml",
        "https://finance.sina.com.cn/roll/2018-12-28/doc-inotinsnapshot00.shtml",
    ])
    result = run_crawl("sina_article", output, mirror, f"urls={urls}")
    stats = run_summary(output)["stats"]
    assert stats["export/written"] == 1
    assert stats["article/fetch_failed/HttpError"] == 1
    assert "doc-inotinsnapshot00.shtml" in result.stderr
    assert set(posts_under(output)) == {'2018-12-28/60万"12306账号"外泄_ 中铁总辟谣称消息不实.md'}
