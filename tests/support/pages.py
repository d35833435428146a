"""The saved Sina pages of tests/fixtures/pages, one folder each, and their golden outputs.

    tests/fixtures/pages/<stem>/page.html      the saved bytes, unchanged
    tests/fixtures/pages/<stem>/meta.json      {"url", "headers", "origin": the MANIFEST.tsv row}
    tests/fixtures/pages/<stem>/expected.json  the expected item, written by reading the page
    tests/fixtures/pages/<stem>/expected.md    article pages: the exact post the crawler writes

``python -m tests.regenerate`` rewrites expected.md and the exact fields of expected.json from
the code's current output and prints every change as a diff to review.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PAGES_DIR = FIXTURES / "pages"

# Date folder (Beijing publish date) and name (sanitised headline) of the post of every article
# fixture, written from the pages' own headlines and datelines.
ARTICLE_POSTS = {
    "2005-03-21/四年前中500万现穷困潦倒 一夜暴富后如何经营.md",
    "2005-08-26/创业环保第一季度报告会计差错的提示性公告.md",
    "2011-08-22/百联集团重组腾挪术：低买高卖转手套利15亿.md",
    "2012-01-13/去年汽车销量增幅创13年新低 政策退潮致销量下滑.md",
    "2016-05-25/人民币中间价创逾五年新低 做市商称符合预期.md",
    '2018-12-28/60万"12306账号"外泄_ 中铁总辟谣称消息不实.md',
    "2019-11-25/中国人习以为常的地方 为何老外却说_了不得_？.md",
    "2024-05-10/城市有轨电车之困：一边争相上马，一边接连叫停.md",
}


@dataclass(frozen=True)
class FixturePage:
    """One saved page: its folder under tests/fixtures/pages and what meta.json says of it."""

    stem: str
    url: str
    headers: dict[str, str] = field(hash=False)
    origin: dict[str, str] = field(hash=False)

    @property
    def folder(self) -> Path:
        return PAGES_DIR / self.stem

    @property
    def path(self) -> Path:
        """The saved page bytes."""
        return self.folder / "page.html"

    @property
    def file(self) -> str:
        """The page's file name in MANIFEST.tsv."""
        return self.origin["file"]

    @property
    def kind(self) -> str:
        """The manifest's kind: article-old, article-new, mobile, list or other."""
        return self.origin["kind"]

    @property
    def encoding(self) -> str:
        return self.origin["encoding"]

    @property
    def expected_path(self) -> Path:
        return self.folder / "expected.json"

    @property
    def expected_post_path(self) -> Path:
        return self.folder / "expected.md"

    @property
    def is_article(self) -> bool:
        return self.expected()["kind"] == "article"

    def body(self) -> bytes:
        return self.path.read_bytes()

    def expected(self) -> dict:
        return json.loads(self.expected_path.read_text(encoding="utf-8"))

    def expected_post(self) -> bytes:
        """The exact bytes of the post the crawler must write for this page (articles only)."""
        return self.expected_post_path.read_bytes()

    def snapshot_path(self) -> str:
        """Where the page sits in a snapshot: ``<host>/<path>`` of its real URL."""
        parts = urlsplit(self.url)
        path = parts.path if not parts.path.endswith("/") else parts.path + "index.html"
        return f"{parts.hostname}{path}"


def load_page(folder: Path) -> FixturePage:
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return FixturePage(stem=folder.name, url=meta["url"], headers=dict(meta["headers"]), origin=meta["origin"])


def fixture_pages() -> list[FixturePage]:
    """Every saved page, sorted by folder name."""
    return [load_page(meta.parent) for meta in sorted(PAGES_DIR.glob("*/meta.json"))]


def fixture_page(stem: str) -> FixturePage:
    return load_page(PAGES_DIR / stem)


def build_snapshot(root: Path, pages: list[FixturePage] | None = None) -> Path:
    """Copy fixture pages to ``root/pages/<host>/<path>`` (bytes unchanged); return root."""
    for page in pages if pages is not None else fixture_pages():
        target = root / "pages" / page.snapshot_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page.path, target)
    return root


def modern_page(title: str, body_html: str) -> str:
    """The saved 2024 article page (the 2017+ template) with another headline and article body."""
    html = fixture_page("magichtml_news.sina_2024-05-10_inausehc2630922").body().decode("utf-8")
    opening = '<div class="article" id="article">'
    start = html.index(opening) + len(opening)
    end = html.rindex("</div>", start, html.index('<!-- t id="news_web_article_v2017_fold"'))
    html = html[:start] + body_html + html[end:]
    return html.replace("城市有轨电车之困：一边争相上马，一边接连叫停", title)
