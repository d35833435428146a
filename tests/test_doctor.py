"""``python -m crawler.doctor`` against the mirror: the demo snapshot as it is (nothing drifted,
exit 0), a copy that drifts in every way the issue names, one channel each (exit 65), a Sina that
cannot be reached (exit 69, not drift) and the demo's old items seen as stale (exit 3)."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys

import pytest

from tests.support.crawl import ELSEWHERE
from tests.support.sites import Site

CHINA_2024_PAGE = "pages/news.sina.com.cn/c/2024-05-10/doc-inausehc2630922.shtml"
ROLL_API = "feed.mix.sina.com.cn/api/roll/get"


# The demo's newest items are of 2024: seen from today they are stale unless the limit is wide.
NOT_STALE = ("-s", "STALE_CHANNEL_HOURS=1000000")


def doctor(site: Site, *args: str, mirror: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.doctor", *args, "-s", f"SINA_MIRROR={mirror or site.mirror}",
                           "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"],
                          cwd=ELSEWHERE, capture_output=True, text=True, timeout=120)


def rows(stdout: str) -> dict[str, list[str]]:
    lines = stdout.splitlines()[1:-1]
    return {cells[0].split()[0]: cells[1:] for cells in (re.split(r" {2,}", line.strip(), maxsplit=2) for line in lines)}


@pytest.fixture()
def site(tmp_path):
    site = Site(tmp_path)
    yield site
    site.close()


def roll_reply(data: list, **result: object) -> str:
    return json.dumps({"result": {"status": {"code": 0, "msg": "succ"}, "total": len(data), "data": data, **result}},
                      ensure_ascii=False)


def test_the_demo_snapshot_has_not_drifted(site):
    result = doctor(site, "--channels", "china,roll,stock", "--feeds", "7x24", *NOT_STALE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0].split() == ["channel", "status", "what", "was", "found"]
    assert rows(result.stdout) == {name: ["ok", "-"] for name in ("china", "roll", "stock", "7x24")}
    assert result.stdout.splitlines()[-1] == "4 checked: 4 ok, 0 unreachable, 0 drifted, 0 stale"
    print(result.stdout)


def test_a_drifted_snapshot_names_each_drift_under_its_channel(site):
    page = site.snapshot / CHINA_2024_PAGE  # the newest article of china (155/1686)
    page.write_bytes(page.read_bytes().replace(b'<div class="article" id="article">',
                                               b'<div class="article-v2" id="article-v2">'))
    renamed = {"doc_id": "comos:hqfskcn2160999", "url": "https://finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml",
               "title": "t", "ctime": "1545998110"}
    as_text = {"docid": "comos:145810356592", "url": "http://finance.sina.com.cn/stock/s/20110822/145810356592.shtml",
               "title": "t", "ctime": "2011-08-22 14:58"}
    feed_item = {"id": "4089261", "zhibo_id": 152, "rich_text": "x", "create_time": "2024-05-10 23:59:10",
                 "tag": [], "ext": "{}"}
    site.add_faults(
        {"match": f"{ROLL_API}?pageid=384&lid=2519", "fault": "reply", "body": roll_reply([renamed])},
        {"match": f"{ROLL_API}?pageid=384&lid=2671", "fault": "reply", "body": roll_reply([as_text])},
        {"match": f"{ROLL_API}?pageid=155&lid=1687", "fault": "reply", "body": roll_reply([])},
        {"match": f"{ROLL_API}?pageid=155&lid=1688", "fault": "status", "status": 403},
        {"match": "zhibo.sina.com.cn/api/zhibo/feed?zhibo_id=152", "fault": "reply",
         "body": json.dumps({"result": {"status": {"code": 0}, "data": {"feed": {
             "list": [feed_item], "page_info": {"totalPage": 1}}}}})},
    )
    result = doctor(site, "--channels", "china,roll,stock,macro,local,ministries", "--feeds", "7x24", *NOT_STALE)
    assert result.returncode == 65, result.stdout + result.stderr
    table = rows(result.stdout)
    assert table["china"] == ["DRIFT", "article https://news.sina.com.cn/c/2024-05-10/doc-inausehc2630922.shtml: "
                                       "not read as an article: no_article_body: modern template without its body container"]
    assert table["roll"] == ["DRIFT", "roll: data[].docid missing (1 of 1 items); "
                                      "roll: fields the code does not know: doc_id"]
    assert table["stock"] == ["DRIFT", "roll: data[].ctime: str '2011-08-22 14:58' where a number was (1 of 1 items)"]
    assert table["macro"] == ["DRIFT", "roll: empty list: result.data has no item"]
    assert table["local"] == ["DRIFT", "roll: HTTP 403"]
    assert table["ministries"] == ["DRIFT", "roll: result.status.code 1 (未注册)"]  # no item lists 155/1689
    assert table["7x24"] == ["DRIFT", "7x24 feed: list[].id: str '4089261' where a number was (1 of 1 items)"]
    assert result.stdout.splitlines()[-1] == "7 checked: 0 ok, 0 unreachable, 7 drifted, 0 stale"
    assert "Traceback" not in result.stderr
    print(result.stdout)


def test_an_unknown_channel_is_a_usage_error(site):
    result = doctor(site, "--channels", "nope")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].startswith("python -m crawler.doctor: error: unknown channel(s) nope")


def test_an_unreachable_sina_is_unreachable_not_drift(site):
    """Nothing listens on the mirror's address: every request is refused. The doctor says so, and
    checks neither shape nor age."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    result = doctor(site, "--channels", "china,stock", "--feeds", "7x24", mirror=closed)
    assert result.returncode == 69, result.stdout + result.stderr
    table = rows(result.stdout)
    assert {name: cells[0] for name, cells in table.items()} == {name: "UNREACHABLE" for name in ("china", "stock", "7x24")}
    assert all("request failed" in cells[1] and "DRIFT" not in cells[1] for cells in table.values())
    assert result.stdout.splitlines()[-1] == "3 checked: 0 ok, 3 unreachable, 0 drifted, 0 stale"


def test_a_5xx_after_the_retry_is_unreachable_and_the_rest_still_checked(site):
    site.add_faults({"match": f"{ROLL_API}?pageid=384&lid=2671", "fault": "status", "status": 503})
    result = doctor(site, "--channels", "china,stock", "--feeds", "none", *NOT_STALE)
    assert result.returncode == 69, result.stdout + result.stderr
    assert rows(result.stdout) == {"china": ["ok", "-"], "stock": ["UNREACHABLE", "roll: HTTP 503 after retries"]}


def test_old_items_are_stale_not_drift(site):
    # The demo's newest china item is 2024-05-10 00:26:45 Beijing, far older than 48 hours.
    result = doctor(site, "--channels", "china", "--feeds", "none")
    assert result.returncode == 3, result.stdout + result.stderr
    status, found = rows(result.stdout)["china"]
    assert status == "STALE"
    assert re.fullmatch(r"roll: newest item 2024-05-10 00:26:45 is \d+\.\d h old \(STALE_CHANNEL_HOURS=48\)", found)
