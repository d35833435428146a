"""The mirror of a WARC archive: ``python -m crawler.mirror --warc ARCHIVE [ARCHIVE…]``.

A request for ``/<host>/<path>?<query>`` (or ``<path>?<query>`` with that ``Host``) is answered
with the newest capture of exactly that URL, scheme aside: a page, a roll or feed reply by its
exact query, robots.txt. A capture that only says the server was busy (5xx, 403, 408, 429) is
served only when the URL has no other. The status and headers are the recorded ones and the
body is the payload as the crawler saw it (framing and Content-Encoding undone). Anything not
captured is a 404.
"""

from __future__ import annotations

import logging
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

from crawler.store.warc_read import Archive, Capture

logger = logging.getLogger(__name__)
# The server sends its own; the recorded ones described another connection.
OWN_HEADERS = {"date", "server", "connection", "keep-alive", "content-length", "content-encoding",
               "transfer-encoding"}


class WarcSite:
    def __init__(self, paths: list[Path]) -> None:
        archive = Archive(paths)
        self.archive = archive
        lasting = archive.newest(lambda capture: not capture.transient)
        self.captures: dict[str, Capture] = {**archive.newest(lambda capture: True), **lasting}
        self.hosts = {key.split("/", 1)[0] for key in self.captures}

    def capture(self, host: str, path: str, query: str) -> Capture | None:
        return self.captures.get(f"{host.lower()}{path or '/'}" + (f"?{query}" if query else ""))


def make_warc_handler(site: WarcSite) -> type[BaseHTTPRequestHandler]:
    class WarcHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._serve(with_body=True)

        def do_HEAD(self) -> None:
            self._serve(with_body=False)

        def _serve(self, *, with_body: bool) -> None:
            parts = urlsplit(self.path)
            first, _, rest = parts.path.lstrip("/").partition("/")
            if first in site.hosts:
                host, path = first, "/" + rest
            else:
                host, path = (self.headers.get("Host") or "").split(":")[0], parts.path
            capture = site.capture(host, path, parts.query)
            reply = site.archive.read(capture) if capture is not None else None
            if reply is None:
                self._send(404, [("Content-Type", "text/plain; charset=utf-8")], b"not in the archive\n", with_body)
                return
            headers = [(k, v) for k, v in reply.headers if k.lower() not in OWN_HEADERS]
            self._send(reply.status, headers, reply.body, with_body)

        def _send(self, status: int, headers: list[tuple[str, str]], body: bytes, with_body: bool) -> None:
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            logger.info("%s %s", self.address_string(), format % args)

    return WarcHandler
