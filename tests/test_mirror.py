"""The snapshot mirror: real HTTP on loopback."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from crawler.mirror.handler import mirror_url
from crawler.mirror.server import serve
from tests.support.pages import fixture_pages


def fetch(url: str, host: str | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture()
def local_mirror(tmp_path):
    page = tmp_path / "pages" / "finance.sina.com.cn" / "roll" / "2018-12-28" / "doc-ihqfskcn2160999.shtml"
    page.parent.mkdir(parents=True)
    page.write_bytes(b"<html>\xd6\xd0</html>")
    (tmp_path / "pages" / "finance.sina.com.cn" / "index.html").write_bytes(b"front")
    (tmp_path / "headers.json").write_text(
        json.dumps({"http://finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml": {
            "Content-Type": "text/html; charset=gbk"}}),
        encoding="utf-8",
    )
    (tmp_path / "secret.txt").write_text("outside", encoding="utf-8")
    server = serve(tmp_path)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_every_fixture_page_is_served_byte_for_byte_under_its_real_url(mirror):
    for page in fixture_pages():
        status, headers, body = fetch(mirror_url(page.url, mirror) or "")
        assert status == 200, page.url
        assert body == page.path.read_bytes()
        assert headers["Content-Type"] == "text/html"


def test_headers_json_overrides_and_query_is_ignored(local_mirror):
    status, headers, body = fetch(f"{local_mirror}/finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml?x=1")
    assert (status, headers["Content-Type"], body) == (200, "text/html; charset=gbk", b"<html>\xd6\xd0</html>")


def test_folder_url_serves_index_and_host_header_mode_works(local_mirror):
    assert fetch(f"{local_mirror}/finance.sina.com.cn/")[2] == b"front"
    assert fetch(f"{local_mirror}/", host="finance.sina.com.cn")[2] == b"front"


def test_absent_pages_and_escapes_are_404(local_mirror):
    assert fetch(f"{local_mirror}/finance.sina.com.cn/nope.shtml")[0] == 404
    assert fetch(f"{local_mirror}/finance.sina.com.cn/../../secret.txt")[0] == 404
    assert fetch(f"{local_mirror}/finance.sina.com.cn/%2e%2e/%2e%2e/secret.txt")[0] == 404


def test_only_sina_hosts_are_mirrored():
    mirror = "http://127.0.0.1:9"
    assert mirror_url("https://finance.sina.com.cn/a.shtml?b=1", mirror) == (
        "http://127.0.0.1:9/finance.sina.com.cn/a.shtml?b=1"
    )
    assert mirror_url("https://k.sina.cn/x", mirror) == "http://127.0.0.1:9/k.sina.cn/x"
    assert mirror_url("https://example.com/a", mirror) is None
    assert mirror_url("https://notsina.com.cn/a", mirror) is None
    assert mirror_url("https://finance.sina.com.cn/a", "") is None
