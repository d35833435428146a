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


def test_bad_urls_are_reported_and_skipped_while_the_good_one_is_fetched(tmp_path, mirror):
    output = tmp_path / "output"
    url_file = tmp_path / "urls.txt"
    url_file.write_text("  # an indented comment, not a URL\n\n"
                        "ftp://finance.sina.com.cn/roll/x.shtml\nhttps://example.com/x\n", encoding="utf-8")
    good = "https://finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml"
    result = run_crawl("sina_article", output, mirror, f"urls=not-a-url,{good}", f"url_file={url_file}")
    assert result.returncode == 0, result.stderr[-3000:]
    summary = run_summary(output)
    assert summary["ok"] is True
    assert summary["dropped"] == {"bad_url/not_a_url": 1, "bad_url/not_http": 1, "bad_url/not_sina": 1}
    assert "offsite/filtered" not in summary["stats"]
    assert summary["stats"]["downloader/request_count"] == 2  # robots.txt and the good page, nothing else
    assert "Bad URL skipped (not_a_url: not a URL): not-a-url" in result.stderr
    assert "Bad URL skipped (not_http: not an http(s) URL): ftp://finance.sina.com.cn/roll/x.shtml" in result.stderr
    assert "Bad URL skipped (not_sina: not a Sina host (*.sina.com.cn, *.sina.cn)): https://example.com/x" in result.stderr
    assert "indented comment" not in result.stderr
    assert set(posts_under(output)) == {'2018-12-28/60万"12306账号"外泄_ 中铁总辟谣称消息不实.md'}
