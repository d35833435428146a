"""A usage mistake exits 2 with the usage line and one error line, no traceback, nothing written:
real ``scrapy crawl`` (and cron) subprocesses, and the argument rules they share."""

from __future__ import annotations

import subprocess
from datetime import datetime

import pytest

from crawler.plumbing.arguments import ARTICLE_ARGUMENTS, FINANCE_ARGUMENTS, ArgumentError
from crawler.values import SHANGHAI
from tests.support.crawl import ELSEWHERE, crawl_command

# Should a check ever let a run through, it reaches a closed loopback port, not Sina.
DEAD_MIRROR = "http://127.0.0.1:9"
USAGE = "usage: scrapy crawl [options] <spider> [-a NAME=VALUE …]"
KNOWN_CHANNELS = "china, macro, local, ministries"  # the start of the list of channels.yaml


def crawl(tmp_path, spider: str, *spider_args: str, entry: tuple[str, ...] = ("-m", "scrapy", "crawl")):
    command = crawl_command([*entry, *([spider] if spider else [])], mirror=DEAD_MIRROR, output=tmp_path / "output",
                            state=tmp_path / "state" / "crawl.sqlite", spider_args=spider_args)
    return subprocess.run(command, cwd=ELSEWHERE, capture_output=True, text=True, timeout=120)


def assert_usage_error(tmp_path, result: subprocess.CompletedProcess, *parts: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0] == USAGE and len(lines) == 2, result.stderr
    assert lines[1].startswith("scrapy crawl: error: ")
    for part in parts:
        assert part in lines[1]
    assert result.stdout == ""
    assert not (tmp_path / "output").exists() and not (tmp_path / "state").exists()


@pytest.mark.parametrize(("args", "parts"), [
    (["since=yesterday"], ["since='yesterday'", "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS]"]),
    (["until=2021-13-01"], ["until='2021-13-01'", "YYYY-MM-DD"]),
    (["since=2021-10-01", "until=2021-09-30"], ["until='2021-09-30'", "before since='2021-10-01'"]),
    (["max_pages=abc"], ["max_pages='abc'", "positive whole number"]),
    (["max_pages=0"], ["max_pages='0'", "positive whole number"]),
    (["channels=,"], ["channels=','", "no channel name", KNOWN_CHANNELS]),
    (["channels=china,nope"], ["channels='china,nope'", "unknown channel(s) nope", KNOWN_CHANNELS]),
    (["refetch=maybe"], ["refetch='maybe'", "1/0, true/false or yes/no"]),
    (["reset_state=2"], ["reset_state='2'", "1/0, true/false or yes/no"]),
    (["sinse=2021-10-01"], ["unknown argument -a sinse='2021-10-01'", "channels, since, until, refetch"]),
])
def test_sina_finance_refuses_a_bad_argument_with_one_line(tmp_path, args, parts):
    assert_usage_error(tmp_path, crawl(tmp_path, "sina_finance", *args), *parts)


@pytest.mark.parametrize(("args", "parts"), [
    ([], ["needs at least one URL", "urls=URL", "url_file=PATH"]),
    (["urls=,"], ["needs at least one URL"]),
    (["url_file=/nonexistent"], ["url_file='/nonexistent'", "No such file or directory"]),
    (["url=https://finance.sina.com.cn/"], ["unknown argument -a url=", "urls, url_file"]),
])
def test_sina_article_refuses_a_bad_argument_with_one_line(tmp_path, args, parts):
    assert_usage_error(tmp_path, crawl(tmp_path, "sina_article", *args), *parts)


def test_an_unknown_spider_is_a_usage_error(tmp_path):
    assert_usage_error(tmp_path, crawl(tmp_path, "sina_finanse"), "unknown spider 'sina_finanse'", "sina_finance")


def test_cron_passes_the_same_one_line_through_and_writes_no_posts(tmp_path):
    cron = ("-m", "crawler.cron", "--lock", str(tmp_path / "cron" / "crawl.lock"), "--log-dir", str(tmp_path / "logs"))
    result = crawl(tmp_path, "", "max_pages=abc", entry=cron)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "without a run summary" not in result.stderr
    assert "scrapy crawl: error: bad -a max_pages='abc': expected a positive whole number" in result.stderr
    assert not [p for p in (tmp_path / "output").rglob("*") if p.is_file()]  # cron itself may make .runs/
    assert not (tmp_path / "state").exists()


def test_the_rules_parse_what_the_spider_uses():
    values = FINANCE_ARGUMENTS.check({"since": "2021-10-01", "until": "2021-10-31", "channels": " stock, china,stock",
                                      "refetch": "yes", "max_pages": "7"})
    assert values == {
        "channels": "stock,china",
        "since": datetime(2021, 10, 1, tzinfo=SHANGHAI),
        "until": datetime(2021, 10, 31, 23, 59, 59, tzinfo=SHANGHAI),  # a date as until includes its day
        "refetch": True,
        "reset_state": False,
        "max_pages": 7,
    }
    assert FINANCE_ARGUMENTS.check({"since": "2021-10-01T08:30", "channels": "all"})["since"] == datetime(
        2021, 10, 1, 8, 30, tzinfo=SHANGHAI)
    with pytest.raises(ArgumentError, match="since='2021-10-01 and more'"):
        FINANCE_ARGUMENTS.check({"since": "2021-10-01 and more"})


def test_a_url_file_skips_blank_and_comment_lines_even_indented(tmp_path):
    url_file = tmp_path / "urls.txt"
    url_file.write_text("# header\n\n   \n  # indented comment\n\thttps://finance.sina.com.cn/a.shtml  \n",
                        encoding="utf-8")
    values = ARTICLE_ARGUMENTS.check({"url_file": str(url_file), "urls": "https://finance.sina.com.cn/b.shtml,"})
    assert values == {"urls": ["https://finance.sina.com.cn/b.shtml"], "url_file": ["https://finance.sina.com.cn/a.shtml"]}
