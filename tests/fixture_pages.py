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
