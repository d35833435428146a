"""Download handler that sends requests for Sina hosts to a local mirror (``SINA_MIRROR``);
switched in by ``crawler.plumbing.addons.SinaMirrorAddon``.

A download handler, not a middleware, so that every middleware (robots, retry, cookies,
offsite, stats) sees the real Sina URL and the response comes back under that URL.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Response

SINA_DOMAINS = ("sina.com.cn", "sina.cn", "sinaimg.cn", "sinajs.cn")


def is_sina_host(host: str) -> bool:
    return any(host == d or host.endswith("." + d) for d in SINA_DOMAINS)


def mirror_url(url: str, mirror: str) -> str | None:
    """``https://finance.sina.com.cn/a/b.shtml?x=1`` -> ``<mirror>/finance.sina.com.cn/a/b.shtml?x=1``."""
    parts = urlsplit(url)
    if not mirror or not is_sina_host(parts.hostname or ""):
        return None
    query = f"?{parts.query}" if parts.query else ""
    return f"{mirror.rstrip('/')}/{parts.hostname}{parts.path or '/'}{query}"


class SinaMirrorDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.mirror = crawler.settings.get("SINA_MIRROR", "")

    async def download_request(self, request: Request) -> Response:
        target = mirror_url(request.url, self.mirror)
        if target is None:
            return await super().download_request(request)
        response = await super().download_request(request.replace(url=target))
        return response.replace(url=request.url)
