"""The mirror server: a saved Sina site snapshot on loopback (``python -m crawler.mirror``).

Snapshot layout::

    SNAPSHOT/pages/<host>/<path>      page bytes under their real URL
    SNAPSHOT/headers.json             optional: {"<url>": {"Content-Type": "..."}, ...}
    SNAPSHOT/roll.jsonl               optional: roll API items (see crawler.mirror.roll_feed)
    SNAPSHOT/zhibo.jsonl              optional: 7x24 live feed items (see crawler.mirror.zhibo_feed)
    SNAPSHOT/faults.yaml              optional: injected faults (see crawler.mirror.faults)

A request for ``/<host>/<path>`` is answered with ``pages/<host>/<path>`` (``/`` means
``index.html``). A page whose URL has a query string is stored under its path with ``?`` and the
query as the URL writes it (``pages/vip.stock.finance.sina.com.cn/corp/view/
vCB_AllNewsStock.php?symbol=sh600519&Page=2``); a request with a query is answered with that file
when it exists, else with the page of the path alone (the query ignored, as before). A request
whose first segment is not a host of the snapshot is looked up under its ``Host`` header instead.
Anything absent is a 404. Response headers come from headers.json when the URL is listed there
(http and https spellings are the same URL; a key with a query string wins for that query), else
a Content-Type guessed from the extension, with no charset.
"""

from __future__ import annotations

import argparse
import json
import logging
import mimetypes
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from crawler.mirror.faults import FaultRule, Faults
from crawler.mirror.replying import ReplyingHandler
from crawler.mirror.roll_feed import RollFeed
from crawler.mirror.zhibo_feed import DEFAULT_MAX_PAGE_SIZE, ZhiboFeed
from crawler.sina.roll import ROLL_HOSTS
from crawler.sina.zhibo import FEED_PATH, ZHIBO_HOST

HTML_SUFFIXES = (".shtml", ".html", ".htm", ".phtml", ".php")
ROLL_PATH = "/api/roll/get"
API_HOSTS = (*ROLL_HOSTS, ZHIBO_HOST)


class Snapshot:
    def __init__(self, root: Path, roll_max_page: int | None = None,
                 zhibo_page_size: int = DEFAULT_MAX_PAGE_SIZE) -> None:
        self.pages = (root / "pages").resolve()
        headers_file = root / "headers.json"
        raw = json.loads(headers_file.read_text(encoding="utf-8")) if headers_file.exists() else {}
        self.headers = {self.key(url): value for url, value in raw.items()}
        self.roll = RollFeed(root / "roll.jsonl", roll_max_page)
        self.zhibo = ZhiboFeed(root / "zhibo.jsonl", zhibo_page_size)
        self.faults = Faults(root / "faults.yaml")

    @staticmethod
    def key(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.hostname}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")

    def locate(self, host: str, path: str, query: str = "") -> Path | None:
        relative = unquote(path).lstrip("/")
        if not relative or relative.endswith("/"):
            relative += "index.html"
        for name in ([f"{relative}?{unquote(query)}"] if query else []) + [relative]:
            candidate = (self.pages / host / name).resolve()
            if candidate.is_relative_to(self.pages) and candidate.is_file():
                return candidate
        return None

    def is_host(self, name: str) -> bool:
        return bool(name) and (self.pages / name).is_dir()

    def response_headers(self, host: str, path: str, file: Path, query: str = "") -> dict[str, str]:
        plain = f"{host}{path or '/'}"
        listed = (query and self.headers.get(f"{plain}?{query}")) or self.headers.get(plain)
        if listed:
            return dict(listed)
        if file.suffix.split("?", 1)[0] in HTML_SUFFIXES:
            return {"Content-Type": "text/html"}
        return {"Content-Type": mimetypes.guess_type(file.name)[0] or "application/octet-stream"}


def make_handler(snapshot: Snapshot) -> type[BaseHTTPRequestHandler]:
    class MirrorHandler(ReplyingHandler):
        def _serve(self, *, with_body: bool) -> None:
            host, page_path, query = self.target(lambda first: snapshot.is_host(first) or first in API_HOSTS)
            fault = snapshot.faults.take(host, page_path, query)
            if fault and self._answer_fault(fault, with_body):
                return
            if host in ROLL_HOSTS and page_path == ROLL_PATH:
                content_type, body = snapshot.roll.reply(query)
                headers = {"Content-Type": content_type}
            elif host == ZHIBO_HOST and page_path == FEED_PATH:
                content_type, body = snapshot.zhibo.reply(query)
                headers = {"Content-Type": content_type}
            else:
                file = snapshot.locate(host, page_path, query)
                if file is None:
                    self._send(404, {"Content-Type": "text/plain; charset=utf-8"}, b"not in snapshot\n", with_body)
                    return
                body = file.read_bytes()
                headers = snapshot.response_headers(host, page_path, file, query)
            if fault and fault.fault in ("drop", "truncate"):
                self._send_partial(headers, body, reset=fault.fault == "drop")
                return
            self._send(200, headers, body, with_body)

        def _answer_fault(self, fault: FaultRule, with_body: bool) -> bool:
            """Answer the request for faults that replace the response; False to go on serving."""
            if fault.fault == "slow":
                time.sleep(fault.seconds)
                return False
            if fault.fault == "status":
                headers = {"Content-Type": "text/html; charset=utf-8"}
                if fault.retry_after is not None:
                    headers["Retry-After"] = str(fault.retry_after)
                self._send(fault.status, headers, f"fault {fault.status}\n".encode(), with_body)
                return True
            if fault.fault == "redirect":
                self._send(302, {"Location": fault.location}, b"", with_body)
                return True
            if fault.fault == "reply":
                self._send(200, {"Content-Type": fault.content_type}, fault.body.encode("utf-8"), with_body)
                return True
            return False

        def _send_partial(self, headers: dict[str, str], body: bytes, *, reset: bool) -> None:
            self._send_head(200, headers, len(body))
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            if reset:  # RST instead of FIN: the peer sees "connection reset" mid-body
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True

    return MirrorHandler


def serve(snapshot_dir: Path, port: int = 0, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """Start serving in a daemon thread; the caller reads ``server.server_port`` and calls
    ``server.shutdown()`` when done."""
    server = ThreadingHTTPServer((host, port), make_handler(Snapshot(snapshot_dir)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="sina-mirror", daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m crawler.mirror", description=__doc__.splitlines()[0])
    parser.add_argument("snapshot", type=Path, nargs="?", help="snapshot folder holding pages/<host>/<path>")
    parser.add_argument("--warc", type=Path, nargs="+", metavar="ARCHIVE",
                        help="serve WARC files (or folders of them) instead: the newest capture of each URL")
    parser.add_argument("--port", type=int, default=8750)
    parser.add_argument("--host", default="127.0.0.1", help="bind address (loopback by default)")
    parser.add_argument("--roll-max-page", type=int, default=None,
                        help="roll API pages past this one come back empty (as deep pages do on Sina)")
    parser.add_argument("--zhibo-page-size", type=int, default=DEFAULT_MAX_PAGE_SIZE,
                        help="most 7x24 feed items per page, whatever page_size asks (default: %(default)s)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.warc:
        if args.snapshot is not None:
            parser.error("give a snapshot folder or --warc ARCHIVE, not both")
        missing = [str(path) for path in args.warc if not path.exists()]
        if missing:
            parser.error(f"no such archive: {', '.join(missing)}")
        from crawler.mirror.warc_site import WarcSite, make_warc_handler  # only an archive's mirror reads WARC

        handler, what = make_warc_handler(WarcSite(args.warc)), " ".join(map(str, args.warc))
    else:
        if args.snapshot is None or not (args.snapshot / "pages").is_dir():
            parser.error(f"{args.snapshot}/pages is not a folder" if args.snapshot else "give a snapshot folder")
        snapshot = Snapshot(args.snapshot, args.roll_max_page, args.zhibo_page_size)
        handler, what = make_handler(snapshot), str(args.snapshot)
    server = ThreadingHTTPServer((args.host, args.port), handler)
    print(f"Serving {what} on http://{args.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
