"""Deploying with Scrapyd: scrapyd-deploy builds and uploads the project egg to a real Scrapyd on
loopback, schedule.json starts a crawl of the demo snapshot through the mirror, the job ends
and the posts are there."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.crawl import PROJECT, start_mirror, stop_mirror
from tests.support.pages import ARTICLE_POSTS
from tests.support.servers import free_port

BIN = Path(sys.executable).parent
DEMO = PROJECT / "demo" / "snapshot"


def call(base: str, action: str, data: dict | list | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(f"{base}/{action}", data=body, timeout=30) as reply:
        return json.loads(reply.read())


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    home = tmp_path_factory.mktemp("scrapyd")
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\nlogs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\n"
        "items_dir =\nmax_proc = 1\npoll_interval = 0.5\n", encoding="utf-8")
    process = subprocess.Popen([str(BIN / "scrapyd")], cwd=home, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if call(base, "daemonstatus.json")["status"] == "ok":
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("Scrapyd did not start")
        yield base, home
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_scrapyd_deploy_and_a_scheduled_crawl_of_the_demo(tmp_path, scrapyd):
    base, home = scrapyd
    config = (PROJECT / "scrapy.cfg").read_text(encoding="utf-8")
    assert "url = http://localhost:6800/" in config
    # The project as a user checks it out, its [deploy] pointing at this test's Scrapyd.
    project = tmp_path / "project"
    for part in ("crawler", "pipelines"):
        shutil.copytree(PROJECT / part, project / part, ignore=shutil.ignore_patterns("__pycache__"))
    for part in ("setup.py", "pyproject.toml", "README.md"):
        shutil.copy(PROJECT / part, project / part)
    (project / "scrapy.cfg").write_text(config.replace("http://localhost:6800/", base + "/"), encoding="utf-8")

    deployed = subprocess.run([str(BIN / "scrapyd-deploy"), "--version", "1"], cwd=project, capture_output=True,
                              text=True, timeout=300)
    assert deployed.returncode == 0, deployed.stderr
    assert '"status": "ok"' in deployed.stdout
    assert call(base, "listprojects.json")["projects"] == ["crawler"]
    assert call(base, "listspiders.json?project=crawler")["spiders"] == [
        "sina_7x24", "sina_archive", "sina_archive_7x24", "sina_article", "sina_finance", "sina_stock_news"]
    egg = next((home / "eggs" / "crawler").glob("*.egg"))
    assert {"crawler/sina/channels.yaml", "crawler/sina/zhibo.yaml"} <= set(zipfile.ZipFile(egg).namelist())

    mirror_process, mirror = start_mirror(DEMO)
    output = tmp_path / "posts"
    try:
        job = call(base, "schedule.json", [
            ("project", "crawler"), ("spider", "sina_finance"),
            ("channels", "china,roll,stock"), ("since", "2005-01-01"),
            ("setting", f"SINA_MIRROR={mirror}"), ("setting", f"OUTPUT_DIR={output}"),
            ("setting", f"STATE_PATH={tmp_path / 'state' / 'crawl.sqlite'}"),
            ("setting", "DOWNLOAD_DELAY=0"), ("setting", "AUTOTHROTTLE_ENABLED=False")])
        assert job["status"] == "ok"
        deadline = time.monotonic() + 180
        while not any(j["id"] == job["jobid"] for j in call(base, "listjobs.json?project=crawler")["finished"]):
            assert time.monotonic() < deadline, "the Scrapyd job did not finish"
            time.sleep(0.5)
    finally:
        stop_mirror(mirror_process)

    assert sorted(p.relative_to(output).as_posix() for p in output.rglob("*.md")) == sorted(ARTICLE_POSTS)
    log = (home / "logs" / "crawler" / "sina_finance" / f"{job['jobid']}.log").read_text(encoding="utf-8")
    summary = json.loads(log.split("Run summary: ", 1)[1].splitlines()[0])
    assert (summary["new"], summary["ok"], summary["finish_reason"]) == (8, True, "finished")
    print("job log run summary:", {key: summary[key] for key in ("spider", "finish_reason", "channels", "new",
                                                                 "updated", "requests", "article_requests", "errors")})
