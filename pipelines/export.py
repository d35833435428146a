"""PostExportPipeline: each article becomes ``OUTPUT_DIR/<YYYY-MM-DD>/<name>.md``.

The date folder is the Beijing publish date. Files are written atomically and only when
their bytes change. Ownership of every written name is kept in ``OUTPUT_DIR/.posts.jsonl``
(path -> doc id), so an article keeps its file across runs and two articles whose titles
give the same name never overwrite each other (the later one gets its doc id appended).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import deferred_from_coro

from crawler.items import Article
from crawler.pages.fields import SHANGHAI
from pipelines.atomic import write_atomic
from pipelines.file_names import post_file_name
from pipelines.post import render_post

logger = logging.getLogger(__name__)
INDEX_NAME = ".posts.jsonl"


class PostIndex:
    """Append-only record of which doc id owns which post path (relative to the output root)."""

    def __init__(self, root: Path) -> None:
        self.file = root / INDEX_NAME
        self.owner_of: dict[str, str] = {}
        self.path_of: dict[str, str] = {}
        if self.file.exists():
            for line in self.file.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                    self._remember(entry["path"], entry["doc_id"])
                except (ValueError, KeyError, TypeError):
                    logger.warning("Skipping unreadable line in %s: %r", self.file, line[:200])

    def _remember(self, path: str, doc_id: str) -> None:
        self.owner_of[path] = doc_id
        self.path_of[doc_id] = path

    def claim(self, path: str, doc_id: str) -> None:
        if self.owner_of.get(path) == doc_id and self.path_of.get(doc_id) == path:
            return
        self._remember(path, doc_id)
        self.file.parent.mkdir(parents=True, exist_ok=True)
        with self.file.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"path": path, "doc_id": doc_id}, ensure_ascii=False) + "\n")


def as_article(item: Any) -> Article:
    return item if isinstance(item, Article) else Article(**ItemAdapter(item).asdict())


class PostExportPipeline:
    def __init__(self, output_dir: str, stats: StatsCollector, crawler: Crawler | None = None) -> None:
        self.root = Path(output_dir)
        self.stats = stats
        self.crawler = crawler
        self.closing = False
        self.index: PostIndex | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PostExportPipeline:
        return cls(crawler.settings.get("OUTPUT_DIR", "output"), crawler.stats, crawler)

    def open_spider(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.index = PostIndex(self.root)

    def process_item(self, item: Any) -> Any:
        article = as_article(item)
        data = render_post(article).encode("utf-8")
        relative = self._target(article, data)
        path = self.root / relative
        try:
            if path.exists() and path.read_bytes() == data:
                outcome = "unchanged"
            else:
                outcome = "updated" if path.exists() else "written"
                write_atomic(path, data)
            assert self.index is not None
            self.index.claim(relative, article.doc_id)
        except OSError as error:
            self.output_failed(path, error)
            raise DropItem(f"output_unwritable: {path}: {error}") from None
        self.stats.inc_value(f"export/{outcome}")
        logger.debug("Post %s (%s): %s", relative, article.doc_id, outcome)
        ItemAdapter(item)["output_path"] = str(path)
        return item

    def output_failed(self, path: Path, error: OSError) -> None:
        """A full disk or an unwritable folder will fail every post: stop the crawl, say why."""
        self.stats.inc_value("article/dropped/output_unwritable")
        logger.error("Cannot write %s: %s. Earlier posts are intact; stopping the crawl.", path, error)
        if self.crawler is not None and self.crawler.engine is not None and not self.closing:
            self.closing = True
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="output_unwritable"))

    def _target(self, article: Article, data: bytes) -> str:
        """The article's own path if it has one, else its name, else its disambiguated name."""
        assert self.index is not None and article.published_at is not None
        known = self.index.path_of.get(article.doc_id)
        if known:
            return known
        day = article.published_at.astimezone(SHANGHAI).strftime("%Y-%m-%d")
        plain = f"{day}/{post_file_name(article.title, article.doc_id)}"
        owner = self.index.owner_of.get(plain)
        on_disk = self.root / plain
        if owner is None and (not on_disk.exists() or on_disk.read_bytes() == data):
            return plain
        if owner == article.doc_id:
            return plain
        self.stats.inc_value("export/name_collision")
        logger.info("Name %s belongs to another article; %s gets its doc id appended", plain, article.doc_id)
        return f"{day}/{post_file_name(article.title, article.doc_id, disambiguate=True)}"
