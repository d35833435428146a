"""What both mirrors' request handlers share: GET and HEAD, the request target read as a Sina host
and path (``/<host>/<path>`` or the ``Host`` header), replies with their length, quiet logging."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

logger = logging.getLogger("crawler.mirror")
Headers = Mapping[str, str] | Iterable[tuple[str, str]]


class ReplyingHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._serve(with_body=True)

    def do_HEAD(self) -> None:
        self._serve(with_body=False)

    def _serve(self, *, with_body: bool) -> None:
        raise NotImplementedError

    def target(self, is_site_host: Callable[[str], bool]) -> tuple[str, str, str]:
        """(host, path, query) asked for: ``/<host>/<path>`` when the first segment is a host the
        site serves, else the path under the ``Host`` header."""
        parts = urlsplit(self.path)
        first, _, rest = parts.path.lstrip("/").partition("/")
        if is_site_host(first):
            return first, "/" + rest, parts.query
        return (self.headers.get("Host") or "").split(":")[0], parts.path, parts.query

    def _send_head(self, status: int, headers: Headers, length: int) -> None:
        self.send_response(status)
        for name, value in headers.items() if isinstance(headers, Mapping) else headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def _send(self, status: int, headers: Headers, body: bytes, with_body: bool) -> None:
        self._send_head(status, headers, len(body))
        if with_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        logger.info("%s %s", self.address_string(), format % args)
