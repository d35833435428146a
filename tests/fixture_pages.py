"""The saved Sina pages of tests/fixtures: manifest rows, expected results, a snapshot builder."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = FIXTURES / "sina-pages"
EXPECTED = FIXTURES / "expected"

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
    file: str
    url: str
    kind: str
    encoding: str

    @property
    def path(self) -> Path:
        return PAGES / self.file

    @property
    def stem(self) -> str:
        return self.file.removesuffix(".html")

    def expected(self) -> dict:
        return json.loads((EXPECTED / f"{self.stem}.json").read_text(encoding="utf-8"))

    def snapshot_path(self) -> str:
        """Where the page sits in a snapshot: ``<host>/<path>`` of its real URL."""
        parts = urlsplit(self.url)
        path = parts.path if not parts.path.endswith("/") else parts.path + "index.html"
        return f"{parts.hostname}{path}"


def manifest() -> list[FixturePage]:
    # MANIFEST.tsv holds literal quotes: split on tabs, no CSV quoting.
    lines = (PAGES / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:] if line.strip()]
    return [
        FixturePage(
            file=row["file"],
            url=row["original_url_if_known"].removeprefix("(inferred) ").strip(),
            kind=row["kind"],
            encoding=row["encoding"],
        )
        for row in rows
    ]


def build_snapshot(root: Path, pages: list[FixturePage] | None = None) -> Path:
    """Copy fixture pages to ``root/pages/<host>/<path>`` (bytes unchanged); return root."""
    for page in pages if pages is not None else manifest():
        target = root / "pages" / page.snapshot_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page.path, target)
    return root
