"""The reference posts of shared/reference: read their fields and bodies back for round trips."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path

import yaml

from crawler.items import Article

# Byte-exact copies of shared/reference/seed-post.md and shared/reference/posts/.
REFERENCE = Path(__file__).parent / "fixtures" / "reference"
SEED = REFERENCE / "seed-post.md"
POSTS = REFERENCE / "posts"
TAIL = "  \n</div>\n" + " " * 12
# Any article URL of the seed channel: the reference bodies are already absolute.
SEED_URL = "https://finance.sina.com.cn/china/gncj/2021-10-27/doc-iktzqtyu3791404.shtml"


@dataclass(frozen=True)
class ReferencePost:
    path: Path
    text: str
    front_matter: dict
    body: str

    def as_article(self) -> Article:
        return Article(
            url=SEED_URL,
            doc_id=self.path.stem,
            title=self.front_matter["title"],
            published_at=parsedate_to_datetime(self.front_matter["date"]),
            body_html=self.body,
        )


def unbrace(text: str) -> str:
    return text.replace("&#123;", "{").replace("&#125;", "}")


def read_reference(path: Path) -> ReferencePost:
    text = path.read_text(encoding="utf-8")
    head, body = text.split("\n---\n\n<div>   \n", 1)
    assert body.endswith(TAIL), path
    front_matter = yaml.safe_load(unbrace(head.split("---\n", 1)[1]))
    return ReferencePost(path, text, front_matter, unbrace(body[: -len(TAIL)]))


def manifest_titles() -> dict[str, str]:
    """file name -> original title (before sanitising), from posts/MANIFEST.tsv (no CSV quoting)."""
    lines = (POSTS / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    titles = {}
    for line in lines[1:]:
        columns = line.split("\t")
        titles[columns[0]] = columns[4][1:-1]  # the title column is wrapped in single quotes
    return titles
