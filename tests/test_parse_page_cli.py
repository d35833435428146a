"""``python -m crawler.parse_page``: the documented debugging entry point, run for real."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.crawl import ELSEWHERE
from tests.support.pages import fixture_page

FINANCE_2018_PAGE = fixture_page("gne_finance_roll_2018-12-28_ihqfskcn2160999")
FINANCE_2018 = FINANCE_2018_PAGE.path
FINANCE_2018_URL = "https://finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml"


def parse_page(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crawler.parse_page", *args], cwd=ELSEWHERE, capture_output=True, timeout=60
    )


def test_prints_the_item_as_utf8_json_with_beijing_iso_dates():
    result = parse_page(str(FINANCE_2018), "--url", FINANCE_2018_URL)
    assert result.returncode == 0
    item = json.loads(result.stdout.decode("utf-8"))
    assert item["doc_id"] == "hqfskcn2160999"
    assert item["published_at"] == "2018-12-28T19:55:10+08:00"
    assert "中铁总辟谣称消息不实" in result.stdout.decode("utf-8")  # not \\u-escaped


def test_render_prints_exactly_what_the_exporter_writes():
    result = parse_page(str(FINANCE_2018), "--url", FINANCE_2018_URL, "--render")
    assert result.returncode == 0
    assert result.stdout == FINANCE_2018_PAGE.expected_post()


def test_non_article_exits_2_with_a_one_line_reason():
    page = fixture_page("dotaartist_finance_homepage_2020-03-30").path
    result = parse_page(str(page), "--url", "https://finance.sina.com.cn/")
    assert result.returncode == 2
    assert result.stdout == b""
    lines = result.stderr.decode("utf-8").strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("not an article: portal_page")


def test_a_missing_file_exits_2_with_one_line(tmp_path):
    result = parse_page(str(tmp_path / "saved.html"), "--url", FINANCE_2018_URL)
    assert result.returncode == 2
    assert result.stdout == b""
    assert result.stderr.decode("utf-8").splitlines() == [f"cannot read {tmp_path / 'saved.html'}: No such file or directory"]


def test_render_in_any_body_mode_with_extra_front_matter_keys():
    result = parse_page(str(FINANCE_2018), "--url", FINANCE_2018_URL, "--body-mode", "markdown",
                        "--extra-front-matter", "link,source")
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode("utf-8")
    assert ("\ndate: Fri, 28 Dec 2018 11:55:10 GMT\nthumbnail: ''\n"
            "link: https://finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml\nsource: 新京报\n---\n\n"
            "新京报快讯（记者 裴剑飞）今日（12月28日）有网友爆料，有60万个“12306账号”和410万条联系人数据在暗网低价出售。\n\n") in text
    assert "<div>" not in text  # Markdown, not the seed frame
    exact = parse_page(str(FINANCE_2018), "--url", FINANCE_2018_URL, "--body-mode", "seed-exact")
    assert exact.returncode == 0 and exact.stdout != FINANCE_2018_PAGE.expected_post()
    assert exact.stdout.decode("utf-8").endswith("-->\n\n\t\t\t\t  \n</div>\n" + " " * 12)  # indentation kept


def test_an_unknown_extra_key_is_a_usage_error():
    result = parse_page(str(FINANCE_2018), "--url", FINANCE_2018_URL, "--extra-front-matter", "link,author")
    assert result.returncode == 2 and result.stdout == b""
    assert "unknown extra front matter key(s) author; known: link, doc_id" in result.stderr.decode("utf-8")
