"""SIGKILL a running crawl at several points, rerun, and check that nothing is lost,
duplicated or half-written, and that the state agrees with the files."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import frontmatter

from crawler.state import SQLiteState as CrawlState
from tests.support.crawl import PROJECT
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


def crawl_command(site: Site) -> list[str]:
    settings = {"SINA_MIRROR": site.mirror, "OUTPUT_DIR": str(site.output),
                "STATE_PATH": str(site.work / "crawl.sqlite"), "DOWNLOAD_DELAY": "0.02",
                "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS": "4", "LOG_LEVEL": "INFO"}
    command = [sys.executable, "-m", "scrapy", "crawl", "sina_finance", "-a", "channels=china",
               "-a", "since=2018-12-01"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return command


def kill_when(site: Site, posts_at_least: int) -> int:
    """Start a crawl and SIGKILL it once that many posts exist; return how many existed."""
    process = subprocess.Popen(crawl_command(site), cwd=PROJECT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if len(list(site.output.rglob("*.md"))) >= posts_at_least:
            break
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    return len(list(site.output.rglob("*.md")))


def test_killed_runs_converge_to_exactly_one_complete_file_per_article(tmp_path):
    site = Site(tmp_path)
    try:
        titles = synthetic_site(site)
        seen = [kill_when(site, threshold) for threshold in (0, 5, 17, 29, 41, 53)]
        print("posts present at each kill:", seen)
        assert seen[0] < ARTICLES  # killed while still downloading
        final = subprocess.run(crawl_command(site), cwd=PROJECT, capture_output=True, text=True, timeout=300)
        assert final.returncode == 0, final.stderr[-2000:]
    finally:
        site.close()

    posts = sorted(site.output.rglob("*.md"))
    assert len(posts) == ARTICLES
    assert {frontmatter.loads(p.read_text(encoding="utf-8"))["title"] for p in posts} == set(titles.values())
    for post in posts:
        assert post.read_text(encoding="utf-8").endswith("  \n</div>\n" + " " * 12)
    assert not [p for p in site.output.rglob("*") if p.name.endswith(".tmp")]

    state = CrawlState(site.work / "crawl.sqlite")
    known = state.known()
    state.close()
    assert set(known) == set(titles)
    for doc_id, record in known.items():
        data = Path(record.output_path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == record.content_hash
        assert frontmatter.loads(data.decode("utf-8"))["title"] == titles[doc_id]
    index = [json.loads(line) for line in (site.output / ".posts.jsonl").read_text(encoding="utf-8").splitlines()]
    owners = {entry["path"]: entry["doc_id"] for entry in index}
    assert len(owners) == ARTICLES and set(owners.values()) == set(titles)
