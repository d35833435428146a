"""``python -m crawler.reextract`` on WARC files another writer made: warcio's own
``capture_http`` recording ``requests`` fetches (uncompressed WARC/1.0, the http pages through the
mirror as a proxy), and records built with warcio's ``WARCWriter`` in another layout (WARC/1.0,
response records with no request, bodies gzipped and chunked as on the wire, a revisit whose
original is in the other file, pages of other sites, metadata and resource records)."""

from __future__ import annotations

import gzip
import subprocess
import sys
import urllib.error
import urllib.request
from io import BytesIO
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.store.lock import hold_crawl_locks, release
from tests.support.crawl import ELSEWHERE, PROJECT, start_warc_mirror, stop_mirror
from tests.support.pages import ARTICLE_POSTS, fixture_page, fixture_pages

CAPTURE = """
import sys
from warcio.capture_http import capture_http
import requests  # after capture_http, which patches http.client

with capture_http(sys.argv[1], gzip=False):
    for url in sys.argv[3:]:
        requests.get(url, proxies={"http": sys.argv[2]}, timeout=30)
"""
OTHER_SITES = {
    "https://www.example.org/news/2024/05/10/tram.html": b"<html><head><title>Trams</title></head>"
                                                          b"<body><article><p>Not Sina.</p></article></body></html>",
    "http://news.ycombinator.com/item?id=1": b"<html><body>elsewhere</body></html>",
}


def posts(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.md"))}


def chunked(body: bytes) -> bytes:
    half = len(body) // 2
    return b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:half], body[half:])) + b"0\r\n\r\n"


def response(writer: WARCWriter, url: str, headers: list[tuple[str, str]], payload: bytes, date: str):
    http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
    return writer.create_warc_record(url, "response", payload=BytesIO(payload), length=len(payload),
                                     http_headers=http, warc_headers_dict={"WARC-Date": date})


def test_reextract_reads_warcs_of_other_writers_and_skips_other_sites(tmp_path, mirror):
    pages = fixture_pages()
    by_scheme = {"http": [p for p in pages if p.url.startswith("http:")],
                 "https": [p for p in pages if p.url.startswith("https:")]}
    assert len(by_scheme["http"]) == 5 and len(by_scheme["https"]) == 6

    captured = tmp_path / "captured.warc"
    result = subprocess.run([sys.executable, "-c", CAPTURE, str(captured), mirror,
                             *(p.url for p in by_scheme["http"])], cwd=ELSEWHERE, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    with open(captured, "rb") as handle:
        recorded = {r.rec_headers.get_header("WARC-Target-URI"): r.rec_headers.get_header("WARC-Payload-Digest")
                    for r in ArchiveIterator(handle) if r.rec_type == "response"}
    assert set(recorded) == {p.url for p in by_scheme["http"]}  # real URLs: the mirror was a proxy

    built = tmp_path / "built.warc.gz"
    with open(built, "wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.0")
        writer.write_record(writer.create_warcinfo_record(built.name, {"software": "a hand-built test WARC"}))
        for page in by_scheme["https"]:
            wire = chunked(gzip.compress(page.body()))
            headers = [("Content-Type", page.headers.get("Content-Type", "text/html")),
                       ("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")]
            writer.write_record(response(writer, page.url, headers, wire, "2024-05-11T00:00:00Z"))
        for url, body in OTHER_SITES.items():
            writer.write_record(response(writer, url, [("Content-Type", "text/html; charset=utf-8")], body,
                                         "2024-05-11T00:00:00Z"))
        again = by_scheme["http"][0]  # fetched again later, same bytes: a revisit of the captured one
        writer.write_record(writer.create_revisit_record(
            again.url, recorded[again.url], again.url, "2024-05-10T00:00:00Z",
            http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": "2030-01-01T00:00:00Z"}))
        writer.write_record(writer.create_warc_record("metadata:crawl", "metadata", payload=BytesIO(b"note: x\r\n"),
                                                      length=9))
        writer.write_record(writer.create_warc_record("https://finance.sina.com.cn/favicon.ico", "resource",
                                                      payload=BytesIO(b"\x00\x01"), length=2,
                                                      warc_content_type="image/x-icon"))

    output = tmp_path / "posts"
    result = subprocess.run([sys.executable, "-m", "crawler.reextract", str(captured), str(built),
                             "-s", f"OUTPUT_DIR={output}", "-s", f"STATE_PATH={tmp_path / 'state.sqlite'}"],
                            cwd=ELSEWHERE, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    # 8 articles; 2 portal pages and a stock data page; the two pages of other sites.
    assert result.stdout.splitlines()[-1] == ("new 8, updated 0, unchanged 0, not an article 3, "
                                              "other sites skipped 2, not pages skipped 0, dropped 0; "
                                              "7x24 items new 0, updated 0, unchanged 0")
    golden = {name: page.expected_post() for page in pages if page.is_article
              for name in ARTICLE_POSTS if name.startswith(page.expected()["published_at"][:10])}
    assert posts(output) == golden


def test_a_missing_archive_is_a_usage_error_before_anything_is_written(tmp_path):
    output = tmp_path / "posts"
    command = [sys.executable, "-m", "crawler.reextract", str(tmp_path / "nowhere.warc.gz"), "-s", f"OUTPUT_DIR={output}"]
    result = subprocess.run(command, cwd=ELSEWHERE, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == f"python -m crawler.reextract: error: no such archive: {tmp_path}/nowhere.warc.gz"
    crawl = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "sina_archive", "-s", f"OUTPUT_DIR={output}"],
                           cwd=ELSEWHERE, capture_output=True, text=True, timeout=60)
    assert crawl.returncode == 2
    assert crawl.stderr.splitlines()[-1].endswith(
        "sina_archive needs an archive: -a warc=ARCHIVE[,ARCHIVE…] (WARC files or folders)")
    assert not output.exists()


def test_reextract_does_not_start_while_a_crawl_holds_the_output(tmp_path):
    settings = {"OUTPUT_DIR": str(tmp_path / "posts"), "STATE_PATH": str(tmp_path / "state.sqlite")}
    taken = hold_crawl_locks(settings, ["scrapy", "crawl", "sina_finance"])
    try:
        result = subprocess.run([sys.executable, "-m", "crawler.reextract", str(PROJECT / "demo"),
                                 *(arg for name, value in settings.items() for arg in ("-s", f"{name}={value}"))],
                                cwd=ELSEWHERE, capture_output=True, text=True, timeout=60)
    finally:
        for path in taken:
            release(path)
    assert result.returncode == 75
    assert result.stderr.startswith("python -m crawler.reextract: not starting: another crawl holds ")
    assert "command: scrapy crawl sina_finance" in result.stderr
    assert not list((tmp_path / "posts").rglob("*.md"))


def test_a_deleted_page_is_replayed_as_deleted_and_reextracted_from_its_last_good_capture(tmp_path):
    deleted = fixture_page("magichtml_news.sina_2024-05-10_inausehc2630922")
    busy = fixture_page("gne_finance_roll_2018-12-28_ihqfskcn2160999")
    archive = tmp_path / "history.warc.gz"
    with open(archive, "wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        for page in (deleted, busy):
            writer.write_record(response(writer, page.url, [("Content-Type", "text/html")], page.body(),
                                         "2024-05-10T08:00:00Z"))
        for page, status in ((deleted, "404 Not Found"), (busy, "503 Service Unavailable")):
            http = StatusAndHeaders(status, [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(page.url, "response", payload=BytesIO(b"gone"), length=4,
                                                          http_headers=http,
                                                          warc_headers_dict={"WARC-Date": "2024-06-01T08:00:00Z"}))
    process, base = start_warc_mirror(archive)
    try:
        answers = {}
        for page in (deleted, busy):
            try:
                with urllib.request.urlopen(f"{base}/{page.snapshot_path()}", timeout=30) as reply:
                    answers[page.stem] = (reply.status, reply.read())
            except urllib.error.HTTPError as error:
                answers[page.stem] = (error.code, error.read())
    finally:
        stop_mirror(process)
    assert answers[deleted.stem] == (404, b"gone")  # what the site says now
    assert answers[busy.stem] == (200, busy.body())  # a 503 says nothing about the page

    output = tmp_path / "posts"
    result = subprocess.run([sys.executable, "-m", "crawler.reextract", str(archive), "-s", f"OUTPUT_DIR={output}",
                             "-s", f"STATE_PATH={tmp_path / 'state.sqlite'}"], cwd=ELSEWHERE, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines()[-1].startswith("new 2, ")
    assert sorted(posts(output).values()) == sorted([deleted.expected_post(), busy.expected_post()])
