"""PARSE_PROCESSES: pages read and posts rendered in worker processes give the same files, a
worker that dies loses no page, and a bad value is a usage error."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import subprocess

import pytest
from scrapy.utils.test import get_crawler

from crawler.plumbing.workers import Workers
from tests.support.crawl import ELSEWHERE, crawl_command, run_crawl, run_summary
from tests.support.pages import ARTICLE_POSTS, fixture_pages


def test_worker_processes_write_the_golden_posts(tmp_path, mirror):
    url_file = tmp_path / "urls.txt"
    url_file.write_text("\n".join(page.url for page in fixture_pages()) + "\n", encoding="utf-8")
    output = tmp_path / "output"
    result = run_crawl("sina_article", output, mirror, f"url_file={url_file}", PARSE_PROCESSES="2")
    assert result.returncode == 0, result.stderr[-3000:]
    stats = run_summary(output)["stats"]
    # 11 pages read and 8 posts rendered in the workers; the 3 non-articles are still named.
    assert stats["workers/tasks"] == 11 + 8
    assert stats["export/written"] == 8
    assert stats["article/not_article/portal_page"] == 2 and stats["article/not_article/data_page"] == 1
    assert "workers/pool_restarted" not in stats and "log_count/ERROR" not in stats
    written = {str(p.relative_to(output)): p for p in output.rglob("*.md")}
    assert set(written) == ARTICLE_POSTS
    for page in fixture_pages():
        if page.is_article:
            name = next(n for n in written if n.startswith(page.expected()["published_at"][:10]))
            assert written[name].read_bytes() == page.expected_post(), name


def exit_in_a_worker(value: str) -> str:
    if multiprocessing.parent_process() is not None:
        os._exit(1)  # a worker killed mid-task (OOM killer, a segfault in a C library)
    return value


def test_a_worker_that_dies_loses_no_call_and_the_pool_is_replaced():
    crawler = get_crawler()
    crawler.stats.open_spider()
    workers = Workers(1, crawler)
    try:
        assert asyncio.run(workers.run(exit_in_a_worker, "read here")) == "read here"
        assert crawler.stats.get_value("workers/pool_restarted") == 1
        assert asyncio.run(workers.run(str.upper, "the new pool works")) == "THE NEW POOL WORKS"
    finally:
        workers.close()


@pytest.mark.parametrize("value", ["-1", "two"])
def test_a_bad_worker_count_is_a_usage_error(tmp_path, value):
    command = crawl_command(["-m", "scrapy", "crawl", "sina_article"], mirror="http://127.0.0.1:9",
                            output=tmp_path / "output", state=tmp_path / "state.sqlite",
                            spider_args=["urls=https://finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml"],
                            PARSE_PROCESSES=value)
    result = subprocess.run(command, cwd=ELSEWHERE, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"scrapy crawl: error: bad -s PARSE_PROCESSES='{value}': expected 0 (read pages on the reactor thread) "
        "or a number of worker processes")
    assert not (tmp_path / "output").exists()
