"""The WARC archive (ARCHIVE_DIR): real crawls of the demo snapshot write it, warcio's own
``check`` and ``index`` read it, a page fetched again with the same bytes is a revisit, files
rotate by size, and a torn file of a killed crawl is cut back and closed by the next run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.plumbing.archive import without_password
from crawler.store.warc import OPEN, SUFFIX, WarcWriter
from tests.support.crash import crash_crawl_command, synthetic_site
from tests.support.crawl import ELSEWHERE, PROJECT, crawl_command, run_crawl, start_warc_mirror, stop_mirror
from tests.support.servers import RedisServer
from tests.support.sites import Site

DEMO_CRAWL = ("channels=china,roll,stock", "since=2005-01-01")
# Read by hand from demo/snapshot/roll.jsonl (the roll API's http URLs are fetched as https) and
# from the channel table (china 155/1686, roll 384/2519, stock 384/2671).
ARTICLES = {
    "https://chanye.finance.sina.com.cn/sm/2005-03-21/244339.shtml",
    "https://finance.sina.cn/sa/2005-08-26/detail-ikknscsi2623250.d.html",
    "https://finance.sina.com.cn/stock/s/20110822/145810356592.shtml",
    "https://finance.sina.com.cn/chanjing/cyxw/20120113/023011191698.shtml",
    "https://finance.sina.com.cn/money/forex/forexroll/2016-05-25/doc-ifxsktkp9337164.shtml",
    "https://finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml",
    "https://news.sina.com.cn/c/2019-11-25/doc-iihnzahi3275702.shtml",
    "https://news.sina.com.cn/c/2024-05-10/doc-inausehc2630922.shtml",
}
ROLL = {f"https://feed.mix.sina.com.cn/api/roll/get?pageid={p}&lid={lid}&num=50&page=1"
        for p, lid in ((155, 1686), (384, 2519), (384, 2671))}
ROBOTS = {f"https://{host}/robots.txt" for host in ("feed.mix.sina.com.cn", "finance.sina.cn", "finance.sina.com.cn",
                                                    "news.sina.com.cn", "chanye.finance.sina.com.cn")}


def records(path: Path) -> list[dict]:
    found = []
    with open(path, "rb") as handle:
        for record in ArchiveIterator(handle):
            found.append({"type": record.rec_type, "uri": record.rec_headers.get_header("WARC-Target-URI"),
                          "headers": dict(record.rec_headers.headers),
                          "status": int(record.http_headers.get_statuscode()) if record.http_headers and record.rec_type != "request" else None,
                          "payload": record.content_stream().read()})
    return found


def archive_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"*{SUFFIX}"))


def warcio_reads(path: Path) -> None:
    for command in ("check", "index"):
        result = subprocess.run([sys.executable, "-m", "warcio.cli", command, str(path)], capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 0, (command, path, result.stdout[-2000:], result.stderr[-2000:])


def test_a_crawl_archives_every_response_and_a_refetch_is_a_revisit(tmp_path):
    site = Site(tmp_path)
    archive = tmp_path / "archive"
    try:
        first = run_crawl("sina_finance", site.output, site.mirror, *DEMO_CRAWL, ARCHIVE_DIR=str(archive))
        assert first.returncode == 0, first.stderr[-3000:]
        [one] = archive_files(archive)
        second = run_crawl("sina_finance", site.output, site.mirror, *DEMO_CRAWL, "refetch=1",
                           ARCHIVE_DIR=str(archive))
        assert second.returncode == 0, second.stderr[-3000:]
    finally:
        site.close()
    files = archive_files(archive)
    assert len(files) == 2 and files[0] == one  # the second run's file sorts after the first's
    assert not list(archive.glob(f"*{OPEN}"))
    for path in files:
        warcio_reads(path)

    run1 = records(files[0])
    info = run1[0]
    assert info["type"] == "warcinfo"
    fields = dict(line.split(": ", 1) for line in info["payload"].decode().splitlines())
    assert fields["software"].startswith("sina-finance-crawler/0.1.0")
    assert fields["isPartOf"] == "sina_finance"
    assert json.loads(fields["crawler-settings"])["ARCHIVE_DIR"] == str(archive)
    responses = {r["uri"]: r for r in run1 if r["type"] == "response"}
    assert set(responses) == ARTICLES | ROLL | ROBOTS  # real Sina URLs, though fetched from the mirror
    assert {responses[u]["status"] for u in ARTICLES | ROLL} == {200}
    assert {responses[u]["status"] for u in ROBOTS} == {404}  # the snapshot has no robots.txt
    page = (PROJECT / "demo/snapshot/pages/finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml").read_bytes()
    assert responses["https://finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml"]["payload"] == page
    roll_reply = json.loads(responses[sorted(ROLL)[0]]["payload"])
    assert roll_reply["result"]["status"]["code"] == 0
    for record in responses.values():
        assert record["headers"]["WARC-Payload-Digest"].startswith("sha1:")
        assert record["headers"]["WARC-Date"].endswith("Z")
    requests = [r for r in run1 if r["type"] == "request"]
    assert len(requests) == len(responses)
    ids = {r["headers"]["WARC-Record-ID"] for r in responses.values()}
    assert {r["headers"]["WARC-Concurrent-To"] for r in requests} == ids

    run2 = records(files[1])
    revisits = {r["uri"]: r for r in run2 if r["type"] == "revisit"}
    assert set(revisits) == ARTICLES  # the same bytes again
    for uri, record in revisits.items():
        assert record["headers"]["WARC-Payload-Digest"] == responses[uri]["headers"]["WARC-Payload-Digest"]
        assert record["headers"]["WARC-Refers-To-Date"] == responses[uri]["headers"]["WARC-Date"]
        assert record["headers"]["WARC-Refers-To"] == responses[uri]["headers"]["WARC-Record-ID"]
        assert record["payload"] == b""
    # Roll replies carry the time they were made ("timestamp"); robots.txt answered 404, kept as is.
    assert {r["uri"] for r in run2 if r["type"] == "response"} == ROLL | ROBOTS


def test_files_rotate_by_size_and_their_names_sort_by_time(tmp_path):
    site = Site(tmp_path)
    archive = tmp_path / "archive"
    try:
        result = run_crawl("sina_finance", site.output, site.mirror, *DEMO_CRAWL, ARCHIVE_DIR=str(archive),
                           ARCHIVE_MAX_BYTES="30000")
        assert result.returncode == 0, result.stderr[-3000:]
    finally:
        site.close()
    files = archive_files(archive)
    assert len(files) >= 5  # ~300 kB in all; the articles alone are 10-61 kB each, gzipped
    dates = []
    for path in files:
        warcio_reads(path)
        found = records(path)
        assert found[0]["type"] == "warcinfo"
        dates += [r["headers"]["WARC-Date"] for r in found[1:]]
    assert len(dates) == 2 * len(ARTICLES | ROLL | ROBOTS)
    # Sorted by name, the files come in the order they were written (their serial numbers).
    assert [path.name.split("-")[2] for path in files] == [f"{n:05d}" for n in range(1, len(files) + 1)]
    # Each file but the last is closed once it holds ARCHIVE_MAX_BYTES: its last exchange (a
    # response and its request) started below that and ended at or past it.
    for path in files[:-1]:
        with open(path, "rb") as handle:
            last_response = _offsets(handle)[-2]
        assert last_response < 30000 <= path.stat().st_size, path


def tear(path: Path, keep: int) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:keep])


def test_a_torn_file_left_by_a_dead_writer_is_cut_back_and_closed(tmp_path):
    site = Site(tmp_path)
    archive = tmp_path / "archive"
    try:
        result = run_crawl("sina_finance", site.output, site.mirror, *DEMO_CRAWL, ARCHIVE_DIR=str(archive))
        assert result.returncode == 0, result.stderr[-3000:]
    finally:
        site.close()
    [whole] = archive_files(archive)
    complete = records(whole)
    # The writer died (its pid is gone) halfway through writing the last record.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    name = whole.name.split("-")
    name[3] = dead.stdout.strip()
    torn = archive / ("-".join(name) + OPEN)
    shutil.move(whole, torn)
    with open(torn, "rb") as handle:
        offsets = _offsets(handle)
    tear(torn, offsets[-1] + (torn.stat().st_size - offsets[-1]) // 2)

    writer = WarcWriter(archive, 10**9, {"software": "test"})
    writer.close()
    assert writer.repaired == [archive / torn.name.removesuffix(OPEN)]
    [closed] = archive_files(archive)
    warcio_reads(closed)
    assert [r["headers"]["WARC-Record-ID"] for r in records(closed)] == \
        [r["headers"]["WARC-Record-ID"] for r in complete[:-1]]


def _offsets(handle) -> list[int]:
    iterator = ArchiveIterator(handle)
    found = []
    for _ in iterator:
        found.append(iterator.get_record_offset())
    return found


def test_a_crawl_killed_mid_run_leaves_readable_archives_and_the_next_run_a_new_file(tmp_path):
    site = Site(tmp_path)
    archive = tmp_path / "archive"
    try:
        synthetic_site(site)
        command = [*crash_crawl_command(site), "-s", f"ARCHIVE_DIR={archive}", "-s", "ARCHIVE_MAX_BYTES=150000"]
        kills = 0
        for threshold in (2, 9, 20):
            process = subprocess.Popen(command, cwd=ELSEWHERE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and process.poll() is None:
                if len(list(site.output.rglob("*.md"))) >= threshold:
                    break
                time.sleep(0.005)
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            kills += 1
            # Every closed file reads to the end right after the kill.
            for path in archive_files(archive):
                warcio_reads(path)
        # Each run closed the files the run killed before it left; the last one's is still open.
        assert len(list(archive.glob(f"*{OPEN}"))) == 1
        before = set(archive_files(archive))
        final = subprocess.run(command, cwd=ELSEWHERE, capture_output=True, text=True, timeout=300)
        assert final.returncode == 0, final.stderr[-3000:]
    finally:
        site.close()
    assert not list(archive.glob(f"*{OPEN}"))
    files = archive_files(archive)
    for path in files:
        warcio_reads(path)
    # The next run closed the killed run's file and wrote its own after it.
    assert files[-1] not in before and len(files) > len(before) + 1
    assert kills == 3
    uris = {r["uri"] for path in files for r in records(path) if r["type"] in ("response", "revisit")}
    assert len({u for u in uris if "/doc-icrashtest" in u}) == 60


def test_each_process_of_a_distributed_run_writes_its_own_files(tmp_path):
    redis = RedisServer(tmp_path / "redis")
    (tmp_path / "redis").mkdir()
    redis.start()
    site = Site(tmp_path)
    archive = tmp_path / "archive"
    try:
        commands = [crawl_command(["-m", "scrapy", "crawl", "sina_finance"], mirror=site.mirror, output=site.output,
                                  state=tmp_path / "unused.sqlite", spider_args=DEMO_CRAWL, REDIS_URL=redis.url,
                                  REDIS_IDLE_CLOSE="1", ARCHIVE_DIR=str(archive), DOWNLOAD_DELAY="1",
                                  DOWNLOAD_DELAY_JITTER="0", CONCURRENT_REQUESTS="2") for _ in range(2)]
        workers = [subprocess.Popen(command, cwd=ELSEWHERE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                   for command in commands]
        for process in workers:
            _, stderr = process.communicate(timeout=180)
            assert process.returncode == 0, stderr[-3000:]
    finally:
        site.close()
        redis.stop()
    files = archive_files(archive)
    writers = {path.name.split("-")[3] for path in files}
    # How the queue is shared depends on timing; what must hold is that every process that fetched
    # something (its own run summary says so) wrote it into files of its own, named by its pid.
    fetching = {summary.stem.rsplit("-", 1)[1] for summary in (site.output / ".runs").glob("*-*-*.json")
                if json.loads(summary.read_text(encoding="utf-8")).get("article_requests")}
    assert fetching and fetching <= writers <= {str(process.pid) for process in workers}
    fetched: list[str] = []
    for path in files:
        warcio_reads(path)
        fetched += [r["uri"] for r in records(path) if r["type"] == "response" and r["uri"] in ARTICLES]
    assert sorted(fetched) == sorted(ARTICLES)  # each article by one process, kept once


def test_an_archive_that_cannot_be_written_is_an_error_not_a_lost_crawl(tmp_path):
    site = Site(tmp_path)
    # A folder the settings check accepts (an ARCHIVE_DIR that is a file is a usage error, see
    # test_setting_checks.py) but the archive cannot open: its revisit index is in the way.
    blocked = tmp_path / "archive"
    (blocked / ".revisits.sqlite").mkdir(parents=True)
    try:
        result = run_crawl("sina_finance", site.output, site.mirror, *DEMO_CRAWL, ARCHIVE_DIR=str(blocked))
    finally:
        site.close()
    assert len(list(site.output.rglob("*.md"))) == 8
    stats = json.loads((site.output / ".runs" / "last.json").read_text(encoding="utf-8"))["stats"]
    assert stats["archive/unavailable"] == 1 and stats["export/written"] == 8
    assert "Archive unavailable, this crawl keeps no pages" in result.stderr
    assert [path.name for path in blocked.iterdir()] == [".revisits.sqlite"]


def test_a_password_in_a_setting_stays_out_of_the_warcinfo():
    assert without_password("redis://:s3cret@redis.internal:6379/0") == "redis://:***@redis.internal:6379/0"
    assert without_password("http://127.0.0.1:8750") == "http://127.0.0.1:8750"


def test_every_answer_is_kept_a_retried_503_too_and_replay_serves_the_good_one(tmp_path):
    site = Site(tmp_path)
    archive = tmp_path / "archive"
    page = "finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml"
    site.add_faults({"match": page, "fault": "status", "status": 503, "times": 2})
    try:
        result = run_crawl("sina_finance", site.output, site.mirror, *DEMO_CRAWL, ARCHIVE_DIR=str(archive),
                           RETRY_BACKOFF_BASE="0.05")
        assert result.returncode == 0, result.stderr[-3000:]
    finally:
        site.close()
    [path] = archive_files(archive)
    answers = [r["status"] for r in records(path) if r["type"] == "response" and r["uri"] == f"https://{page}"]
    assert answers == [503, 503, 200]
    process, mirror = start_warc_mirror(archive)
    try:
        replay = run_crawl("sina_finance", tmp_path / "replayed", mirror, *DEMO_CRAWL)
        assert replay.returncode == 0, replay.stderr[-3000:]
    finally:
        stop_mirror(process)
    crawled = {p.relative_to(site.output): p.read_bytes() for p in site.output.rglob("*.md")}
    assert {p.relative_to(tmp_path / "replayed"): p.read_bytes() for p in (tmp_path / "replayed").rglob("*.md")} \
        == crawled
    assert json.loads((tmp_path / "replayed" / ".runs" / "last.json").read_text())["stats"].get("retry/count") is None
