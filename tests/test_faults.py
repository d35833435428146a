"""Faults injected by the mirror (faults.yaml), each run through the real cron command.

Every case asserts what happened (recovered with retries, or dropped with a named reason),
the exit code the cron contract gives, that no partial or temp file exists, and that no
article the mirror could serve is lost.
"""

from __future__ import annotations

import http.server
import json
import re
import threading

import frontmatter
import pytest

from tests.support.sites import Site

PAGE = "finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml"
POST = '2018-12-28/60万"12306账号"外泄_ 中铁总辟谣称消息不实.md'
ROLL = "feed.mix.sina.com.cn/api/roll/get?pageid=155&lid=1686"
FAST = {"RETRY_BACKOFF_BASE": "0.1", "DOWNLOAD_TIMEOUT": "3"}


@pytest.fixture()
def site(tmp_path):
    site = Site(tmp_path)
    yield site
    site.close()


def crawl(site: Site, **settings: str):
    result = site.cron("channels=china", "since=2005-01-01", **{**FAST, **settings})
    summary = site.summary()
    return result, summary, summary["stats"]


def assert_outputs_complete(site: Site, expected_posts: int) -> None:
    posts = site.posts()
    assert len(posts) == expected_posts
    assert not list(site.output.rglob("*.tmp"))
    for path in posts.values():
        text = path.read_text(encoding="utf-8")
        assert text.endswith("  \n</div>\n" + " " * 12), path
        assert frontmatter.loads(text).metadata["comments"] is False


@pytest.mark.parametrize(
    ("rule", "retries"),
    [
        ({"fault": "status", "status": 500, "times": 2}, 2),
        ({"fault": "status", "status": 503, "times": 3}, 3),
        ({"fault": "status", "status": 403, "retry_after": "1", "times": 1}, 1),
        ({"fault": "status", "status": 403, "times": 1}, 1),
        ({"fault": "status", "status": 429, "retry_after": "1", "times": 2}, 2),
        ({"fault": "status", "status": 429, "times": 2}, 2),
        ({"fault": "slow", "seconds": 5, "times": 1}, 1),
        ({"fault": "drop", "times": 1}, 1),
        ({"fault": "truncate", "times": 1}, 1),
    ],
    ids=["500x2", "503x3", "403-retry-after", "403", "429-retry-after-x2", "429x2", "slow", "drop", "truncate"],
)
def test_transient_faults_are_retried_and_recovered(site, rule, retries):
    site.add_faults({"match": PAGE, **rule})
    result, summary, stats = crawl(site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert summary["new"] == 8 and summary["errors"] == 0
    assert stats["retry/count"] == retries
    if rule.get("retry_after"):
        assert stats["retry/backoff_seconds"] >= retries * 1.0
    assert_outputs_complete(site, 8)


def test_persistent_5xx_drops_the_article_fails_the_run_and_a_rerun_recovers_it(site):
    site.add_faults({"match": PAGE, "fault": "status", "status": 502})
    result, summary, stats = crawl(site)
    assert result.returncode == 1
    assert summary["dropped"] == {"fetch_failed/HttpError": 1}
    assert stats["retry/count"] == 3
    assert POST not in site.posts()
    assert_outputs_complete(site, 7)
    (site.snapshot / "faults.yaml").unlink()
    site.restart_mirror()
    again = site.cron("channels=china", **FAST)  # incremental: the mark did not move past it
    assert again.returncode == 0, again.stdout
    assert site.summary()["new"] == 1
    assert_outputs_complete(site, 8)


def test_gbk_page_served_with_no_charset_anywhere(site):
    page = site.snapshot / "pages" / "finance.sina.com.cn/chanjing/cyxw/20120113/023011191698.shtml"
    page.write_bytes(re.sub(rb"<meta[^>]*charset=[^>]*>", b"", page.read_bytes()))
    assert b"charset" not in page.read_bytes()[:3000].lower()
    result, _, _ = crawl(site)
    assert result.returncode == 0, result.stdout
    text = site.posts()["2012-01-13/去年汽车销量增幅创13年新低 政策退潮致销量下滑.md"].read_text(encoding="utf-8")
    assert "国内汽车市场连续多年的高速增长" in text


def test_soft_404_is_dropped_with_its_reason(site):
    (site.snapshot / "pages" / PAGE).write_bytes(
        "<html><head><title>页面没有找到</title></head><body><p>页面没有找到 5秒钟之后将会带您进入新浪首页!</p>"
        "</body></html>".encode()
    )
    result, summary, _ = crawl(site)
    assert result.returncode == 0, result.stdout
    assert summary["dropped"] == {"not_article/soft_404": 1}
    assert_outputs_complete(site, 7)


def test_redirect_to_another_host_is_never_followed(site):
    hits = []

    class Offsite(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    offsite = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Offsite)
    threading.Thread(target=offsite.serve_forever, daemon=True).start()
    try:
        location = f"http://127.0.0.1:{offsite.server_port}/landing"
        site.add_faults({"match": PAGE, "fault": "redirect", "location": location})
        result, summary, _ = crawl(site)
    finally:
        offsite.shutdown()
        offsite.server_close()
    assert hits == []
    assert result.returncode == 0, result.stdout
    assert summary["dropped"] == {"offsite_redirect": 1}
    assert_outputs_complete(site, 7)


def test_ten_megabyte_page_is_read_and_written(site):
    page = site.snapshot / "pages" / PAGE
    body = page.read_bytes()
    padding = b"<!-- " + b"x" * (10 * 2**20) + b" -->"
    page.write_bytes(body.replace(b"</body>", padding + b"</body>", 1))
    assert page.stat().st_size > 10 * 2**20
    result, summary, _ = crawl(site)
    assert result.returncode == 0, result.stdout
    assert summary["new"] == 8
    assert_outputs_complete(site, 8)


def test_roll_reply_that_is_malformed_json_fails_the_run(site):
    site.add_faults({"match": ROLL, "fault": "reply", "body": '{"result": {"status": ', "content_type": "application/json"})
    result, summary, _ = crawl(site)
    assert result.returncode == 65  # drifted
    assert summary["roll_errors"] == {"roll_not_json": 1}
    assert "  drifted    china: roll API: " in result.stdout  # the cause, under its channel
    assert "roll API returned nothing usable" in " ".join(summary["problems"])
    assert site.posts() == {}


def test_roll_reply_with_error_status_fails_the_run_with_its_message(site):
    body = json.dumps({"result": {"status": {"code": 11, "msg": "服务繁忙"}, "data": []}}, ensure_ascii=False)
    site.add_faults({"match": ROLL, "fault": "reply", "body": body})
    result, _, _ = crawl(site)
    assert result.returncode == 65  # drifted
    assert "status code 11 (服务繁忙)" in result.stdout


def test_roll_reply_as_jsonp_is_read(site):
    items = [json.loads(line) for line in (site.snapshot / "roll.jsonl").read_text(encoding="utf-8").splitlines()]
    reply = {"result": {"status": {"code": 0, "msg": "succ"}, "total": len(items), "data": items}}
    body = f"try{{feedCardJsonpCallback({json.dumps(reply, ensure_ascii=False)});}}catch(e){{}};"
    site.add_faults({"match": ROLL, "fault": "reply", "body": body, "content_type": "application/javascript"})
    result, summary, _ = crawl(site)
    assert result.returncode == 0, result.stdout
    assert summary["new"] == 8


def test_roll_items_with_missing_fields_or_wrong_types_are_skipped_and_counted(site):
    items = [json.loads(line) for line in (site.snapshot / "roll.jsonl").read_text(encoding="utf-8").splitlines()]
    broken = [{"docid": "comos:nourl"}, {**items[0], "ctime": "yesterday"}, ["not", "an", "object"],
              {**items[1], "ctime": True}, {**items[2], "url": None}]
    reply = {"result": {"status": {"code": 0}, "total": len(items) + 5, "data": items[3:] + broken}}
    site.add_faults({"match": ROLL, "fault": "reply", "body": json.dumps(reply, ensure_ascii=False)})
    result, summary, _ = crawl(site)
    assert result.returncode == 0, result.stdout
    assert summary["dropped"] == {"roll_bad_entry": 5}
    assert summary["new"] == 5
    assert_outputs_complete(site, 5)
