"""The mirror of a WARC archive: ``python -m crawler.mirror --warc ARCHIVE [ARCHIVE…]``.

A request for ``/<host>/<path>?<query>`` (or ``<path>?<query>`` with that ``Host``) is answered
with the newest capture of exactly that URL, scheme aside: a page, a roll or feed reply by its
exact query, robots.txt. A capture that only says the server was busy (5xx, 403, 408, 429) is
served only when the URL has no other. The status and headers are the recorded ones and the
body is the payload as the crawler saw it (framing and Content-Encoding undone). Anything not
captured is a 404.
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from pathlib import Path

from crawler.mirror.replying import ReplyingHandler
from crawler.store.warc_read import Archive, Capture

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
    class WarcHandler(ReplyingHandler):
        def _serve(self, *, with_body: bool) -> None:
            host, path, query = self.target(site.hosts.__contains__)
            capture = site.capture(host, path, query)
            reply = site.archive.read(capture) if capture is not None else None
            if reply is None:
                self._send(404, [("Content-Type", "text/plain; charset=utf-8")], b"not in the archive\n", with_body)
                return
            headers = [(k, v) for k, v in reply.headers if k.lower() not in OWN_HEADERS]
            self._send(reply.status, headers, reply.body, with_body)

    return WarcHandler
