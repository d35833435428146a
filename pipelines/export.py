"""PostExportPipeline: each article becomes ``OUTPUT_DIR/<YYYY-MM-DD>/<name>.md``.

The date folder is the Beijing publish date. Files are written atomically and only when their
bytes change; each written post is then recorded in the crawl state (path, content hash, API
mtime), the one owner of which doc id owns which file. So an article keeps its file across
runs, and two articles whose titles give the same name never overwrite each other (the later
one gets its doc id appended). What the sanitizer removed from a body is counted
(``article/sanitized/<what>``).

A post another system wrote for the same article (``pipelines.adoption``: same title and day,
under this crawler's or the reference system's name, noted by ``python -m crawler.adopt`` or
found at its path) is taken over: its path is recorded for the doc id and the file keeps its
bytes until the article changes (a newer API mtime) or ``-a refetch=1`` is given.

``OUTPUT_DIR/.posts.jsonl`` and the manifest ``OUTPUT_DIR/index.jsonl`` (``crawler.manifest``)
are derived from the state at the end of each crawl for tools that read the folder; each item
carries its manifest line (``Article.manifest``) for the feed exports.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import deferred_from_coro

from crawler.items import BODY_MODES, Article
from crawler.plumbing.workers import Workers, workers
from crawler.store.atomic import replace_if_changed, write_atomic
from crawler.store.manifest import MANIFEST_NAME, NotAPost, manifest_chunks, manifest_entry, parse_post
from crawler.store.state import ADOPTED, StateError, StateStore, crawl_state
from crawler.values import SHANGHAI
from pipelines.adoption import candidate_paths, title_and_day
from pipelines.format import RenderedPost, body_mode_of, post_categories, post_file_name, post_title, render
from pipelines.post_files import complete

logger = logging.getLogger(__name__)
INDEX_NAME = ".posts.jsonl"


def as_article(item: Any) -> Article:
    return item if isinstance(item, Article) else Article(**ItemAdapter(item).asdict())


class PostExportPipeline:
    def __init__(self, output_dir: str, stats: StatsCollector, state: StateStore,
                 crawler: Crawler | None = None, body_mode: str = "seed", extra_keys: list[str] | None = None) -> None:
        if body_mode not in BODY_MODES:
            raise ValueError(f"BODY_MODE={body_mode!r} is not one of {', '.join(BODY_MODES)}")
        self.root = Path(output_dir)
        self.stats = stats
        self.state = state
        self.crawler = crawler
        self.body_mode = body_mode
        self.extra_keys = list(extra_keys or [])
        self.closing = False
        self.refetch = False
        # Started when the spider opens: created here, before that signal.
        self.workers: Workers | None = workers(crawler) if crawler is not None else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PostExportPipeline:
        settings = crawler.settings
        return cls(settings.get("OUTPUT_DIR", "output"), crawler.stats, crawl_state(crawler), crawler,
                   body_mode=settings.get("BODY_MODE") or "seed", extra_keys=settings.getlist("EXTRA_FRONT_MATTER"))

    def open_spider(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        spider = self.crawler.spider if self.crawler is not None else None
        self.refetch = bool(getattr(spider, "refetch", False))

    def close_spider(self) -> None:
        """Derive ``.posts.jsonl`` (post path -> doc id, sorted) and ``index.jsonl`` from the state,
        each streamed from it into its file (a state of any size is never held in memory whole)."""
        index_lines = (json.dumps({"path": relative, "doc_id": doc_id}, ensure_ascii=False).encode("utf-8") + b"\n"
                       for path, doc_id in self.state.paths()
                       if (relative := self._relative(path)) is not None)
        manifest = manifest_chunks(self.state.posts, self.root, complete)
        for name, chunks in ((INDEX_NAME, index_lines), (MANIFEST_NAME, manifest)):
            try:
                replace_if_changed(self.root / name, chunks)
            except StateError as error:  # a Redis state lost mid-run: the file stays as it was
                logger.error("Cannot derive %s: %s", self.root / name, error)
            except OSError as error:
                logger.error("Cannot write %s: %s", self.root / name, error)

    def process_item(self, item: Any) -> Any:
        article = as_article(item)
        body_mode = article.body_mode or self.body_mode
        if self.workers is None or not self.workers.processes:
            return self._export(item, article, body_mode, render(article, body_mode, self.extra_keys))
        return deferred_from_coro(self._render_elsewhere(item, article, body_mode))

    async def _render_elsewhere(self, item: Any, article: Article, body_mode: str) -> Any:
        """Render in a worker process (``PARSE_PROCESSES``); the rest stays one step here, with
        no await between choosing the path, writing the file and recording it."""
        rendered = await self.workers.run(render, article, body_mode, self.extra_keys)
        return self._export(item, article, body_mode, rendered)

    def _export(self, item: Any, article: Article, body_mode: str, rendered: RenderedPost) -> Any:
        try:
            return self._write_and_record(item, article, body_mode, rendered)
        except StateError as error:  # a Redis state lost mid-run: the post file, if written, is whole
            self.stats.inc_value("article/dropped/state_unavailable")
            raise DropItem(f"state_unavailable: {error}") from None

    def _write_and_record(self, item: Any, article: Article, body_mode: str, rendered: RenderedPost) -> Any:
        self.count_sanitized(article, rendered.sanitized)
        data = rendered.text.encode("utf-8")
        relative, adopting = self._target(article, data)
        path = self.root / relative
        mtime = int(article.api_mtime.timestamp()) if article.api_mtime else None
        status = "written"
        try:
            if self._keeps_adopted(article.doc_id, adopting, mtime):
                data, status = path.read_bytes(), ADOPTED
                outcome = "adopted" if adopting else "unchanged"
                body_mode = self._body_mode_on_disk(data)
            elif path.exists() and path.read_bytes() == data:
                outcome = "unchanged"
            else:
                outcome = "updated" if path.exists() else "written"
                write_atomic(path, data)
        except OSError as error:
            self.output_failed(path, error)
            raise DropItem(f"output_unwritable: {path}: {error}") from None
        assert article.published_at is not None
        published = article.published_at.astimezone(SHANGHAI).replace(microsecond=0).isoformat()
        self.state.record(article.doc_id, article.url, str(path), hashlib.sha256(data).hexdigest(), mtime, status,
                          channel=article.roll_channel, title=post_title(article), published=published,
                          source=article.source, categories=post_categories(article),
                          body_mode=body_mode, stocks=list(article.stocks))
        self.stats.inc_value(f"export/{outcome}")
        logger.debug("Post %s (%s): %s", path, article.doc_id, outcome)
        adapter = ItemAdapter(item)
        adapter["output_path"] = str(path)
        record = self.state.post(article.doc_id)
        adapter["manifest"] = manifest_entry(record, self.root) if record is not None else None
        return item

    def count_sanitized(self, article: Article, removed: tuple[str, ...]) -> None:
        """One count per body and kind of markup removed (``article/sanitized/<what>``)."""
        if not removed:
            return
        self.stats.inc_value("article/sanitized")
        for what in removed:
            self.stats.inc_value(f"article/sanitized/{what}")
        logger.debug("Removed from the body of %s: %s", article.url, ", ".join(removed))

    def output_failed(self, path: Path, error: OSError) -> None:
        """A full disk or an unwritable folder will fail every post: stop the crawl, say why."""
        self.stats.inc_value("article/dropped/output_unwritable")
        logger.error("Cannot write %s: %s. Earlier posts are intact; stopping the crawl.", path, error)
        if self.crawler is not None and self.crawler.engine is not None and not self.closing:
            self.closing = True
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="output_unwritable"))

    def _relative(self, recorded: str) -> str | None:
        """A recorded post path relative to this OUTPUT_DIR; None for a post kept elsewhere."""
        try:
            return Path(recorded).relative_to(self.root).as_posix()
        except ValueError:
            return None

    @staticmethod
    def _body_mode_on_disk(data: bytes) -> str | None:
        """The body mode of a post another system wrote (None when its front matter is not YAML)."""
        try:
            return body_mode_of(parse_post(data)[1])
        except NotAPost:
            return None

    def _keeps_adopted(self, doc_id: str, adopting: bool, mtime: int | None) -> bool:
        """An adopted post keeps its bytes until its article changes or a refetch is asked for."""
        if self.refetch:
            return False
        if adopting:
            return True
        known = self.state.article(doc_id)
        return known is not None and known.status == ADOPTED and (mtime or 0) <= (known.mtime or 0)

    def _target(self, article: Article, data: bytes) -> tuple[str, bool]:
        """The article's own path if it has one, else its name, else a post of it another system
        wrote (then True: it is being adopted), else its disambiguated name."""
        assert article.published_at is not None
        recorded = self.state.path_of(article.doc_id)
        known = self._relative(recorded) if recorded else None
        if known:
            return known, False
        day = article.published_at.astimezone(SHANGHAI).strftime("%Y-%m-%d")
        plain = f"{day}/{post_file_name(article.title, article.doc_id)}"
        owner = self.state.owner_of(str(self.root / plain))
        on_disk = self.root / plain
        if owner == article.doc_id or (owner is None and on_disk.exists() and on_disk.read_bytes() == data):
            return plain, False
        title = post_title(article)
        for candidate in candidate_paths(day, article.title, article.doc_id):
            path = self.root / candidate
            free = self.state.owner_of(str(path)) is None and path.is_file()
            if free and (self.state.adopted(str(path)) or title_and_day(path)) == (title, day):
                logger.info("Taking over %s, a post of %s written by another system", path, article.doc_id)
                return candidate, True
        if owner is None and not on_disk.exists() and self.state.claim(str(on_disk), article.doc_id):
            return plain, False
        self.stats.inc_value("export/name_collision")
        logger.info("Name %s belongs to another article; %s gets its doc id appended", plain, article.doc_id)
        return f"{day}/{post_file_name(article.title, article.doc_id, disambiguate=True)}", False
