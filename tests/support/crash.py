"""A synthetic channel of real page copies, and a crawl killed with SIGKILL part-way."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time

from tests.support.crawl import ELSEWHERE, crawl_command
from tests.support.sites import Site

ARTICLES = 60
SOURCE_PAGE = "pages/finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml"


def synthetic_site(site: Site) -> dict[str, str]:
    """ARTICLES roll items (distinct ids, titles, times), every 7th page answering slowly."""
    titles, lines, faults = {}, [], []
    for n in range(ARTICLES):
        doc = f"crashtest{n:05d}"
        url = f"https://finance.sina.com.cn/roll/2018-12-28/doc-i{doc}.shtml"
        path = url.split("://", 1)[1]
        shutil.copyfile(site.snapshot / SOURCE_PAGE, site.snapshot / "pages" / path)
        stamp = str(1546000000 - n * 60)
        titles[doc] = f"崩溃测试第{n}篇"
        lines.append(json.dumps({"docid": f"comos:{doc}", "url": url, "title": titles[doc], "ctime": stamp,
                                 "mtime": stamp, "intime": stamp, "lists": [[155, 1686]]}, ensure_ascii=False))
        if n % 7 == 3:
            faults.append({"match": path, "fault": "slow", "seconds": 0.8})
    (site.snapshot / "roll.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    site.add_faults(*faults)
    return titles


def crash_crawl_command(site: Site) -> list[str]:
    """The crawl the crash tests kill: the synthetic channel, a little slower than FAST."""
    return crawl_command(["-m", "scrapy", "crawl", "sina_finance"], mirror=site.mirror, output=site.output,
                         state=site.work / "crawl.sqlite", spider_args=["channels=china", "since=2018-12-01"],
                         DOWNLOAD_DELAY="0.02", CONCURRENT_REQUESTS="4", LOG_LEVEL="INFO")


def kill_when(site: Site, posts_at_least: int) -> int:
    """Start a crawl and SIGKILL it once that many posts exist; return how many existed."""
    process = subprocess.Popen(crash_crawl_command(site), cwd=ELSEWHERE, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if len(list(site.output.rglob("*.md"))) >= posts_at_least:
            break
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    return len(list(site.output.rglob("*.md")))
