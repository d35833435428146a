"""Every setting of the project, with its default. Override with ``-s NAME=VALUE``."""

import os

BOT_NAME = "sina_finance"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- Output -----------------------------------------------------------------------------
# Root folder of the posts: OUTPUT_DIR/<YYYY-MM-DD>/<title>.md
OUTPUT_DIR = "output"
# Post bodies: seed (the reference system's body as one HTML block, so Hexo's Markdown renderer
# leaves it alone), seed-exact (the reference's bytes, for diffing against the reference blog),
# clean (the article only) or markdown (the clean body as Markdown). A channel of CHANNELS_FILE
# may set its own body_mode.
BODY_MODE = "seed"
# Front-matter keys written after the seed's, e.g. link,doc_id,source,keywords,updated,
# description,editor,channel (empty: the seed's keys only).
EXTRA_FRONT_MATTER: list[str] = []

ITEM_PIPELINES = {
    "pipelines.clean.CleanArticlePipeline": 100,
    "pipelines.validate.ValidateArticlePipeline": 200,
    "pipelines.dedupe.DedupeArticlePipeline": 300,
    "pipelines.export.PostExportPipeline": 800,
}

# --- Reading ---------------------------------------------------------------------------------
# Worker processes that read pages (parse + fields), so parsing overlaps fetching on other cores;
# 0 reads on the reactor thread. Worth it only when fetching is not throttled (a mirror, a
# backfill on a fast link): live crawls wait on DOWNLOAD_DELAY, not on parsing.
PARSE_PROCESSES = 0

# --- Channel crawl (sina_finance) ----------------------------------------------------------
# Channel table: the packaged crawler/sina/channels.yaml (an empty value means that file too).
CHANNELS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sina", "channels.yaml")
# Roll API host: feed.mix.sina.com.cn (current) or feed.sina.com.cn (older, same schema).
ROLL_API_HOST = "feed.mix.sina.com.cn"
# Most roll pages (50 items each) read per channel and run.
ROLL_MAX_PAGES = 100
# Incremental runs re-list this far behind the channel's high-water mark, so recent articles
# that Sina edits (a newer API mtime) are fetched and rewritten.
UPDATE_LOOKBACK_HOURS = 48
# A run whose paging stopped before the window's start still counts as OK (cron exits 0).
ALLOW_TRUNCATED = False
# A channel (or 7x24 feed) whose newest listed item is older than this many hours is reported
# as stale: a WARNING and a `stale_channels` entry in the run summary (cron --strict fails on it).
STALE_CHANNEL_HOURS = 48.0

# --- 7x24 live feed (sina_7x24) ---------------------------------------------------------------
# Feed table: the packaged crawler/sina/zhibo.yaml (an empty value means that file too).
ZHIBO_FEEDS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sina", "zhibo.yaml")
# Items asked for per feed page; the reply decides how many come (public code reports 10 or 20).
ZHIBO_PAGE_SIZE = 20
# Most feed pages read per feed and run.
ZHIBO_MAX_PAGES = 50

# --- Per-stock news (sina_stock_news) -------------------------------------------------------
# Most 个股资讯 list pages (40 rows each) read per symbol and run.
STOCK_NEWS_MAX_PAGES = 20
# A symbol's first run (no mark yet, no -a since) lists this many days back.
STOCK_NEWS_FIRST_RUN_DAYS = 30

# --- Incremental state -------------------------------------------------------------------
# Incremental state: which doc ids are written, where, with what content, and each channel's
# mark. STATE_CLASS implements crawler.store.state.StateStore; the SQLite store keeps it in STATE_PATH.
STATE_CLASS = "crawler.store.state.SQLiteState"
STATE_PATH = ".state/crawl.sqlite"

# --- Distributed crawl (crawler.distributed) ----------------------------------------------
# redis://host:port/db: every process started with the same command and REDIS_URL shares one
# crawl (scrapy-redis queue, state in Redis). Empty: a single-host crawl, nothing changes.
REDIS_URL = ""
# Every Redis key of the crawl starts with this (state, run, queue, totals).
REDIS_KEY_PREFIX = "sina_finance"
# A process leaves the run once the shared queue has stayed empty this many seconds.
REDIS_IDLE_CLOSE = 10

# --- Keeping the pages -------------------------------------------------------------------
# Folder of the WARC archive (ISO 28500, written with warcio): every response of every crawl,
# listing replies, article pages and robots.txt, for replay (`python -m crawler.mirror --warc`)
# and re-extraction (`python -m crawler.reextract`). Empty: off.
ARCHIVE_DIR = ""
# An archive file is closed and the next one started once it holds this many bytes.
ARCHIVE_MAX_BYTES = 1_000_000_000

# --- Run reporting ----------------------------------------------------------------------
# A copy of the run summary JSON goes here too (OUTPUT_DIR/.runs/ always gets one).
RUN_SUMMARY_FILE = ""
# One refreshed progress line on stderr when it is a terminal.
PROGRESS_ENABLED = True
EXTENSIONS = {
    # One writer per STATE_PATH and OUTPUT_DIR: <STATE_PATH>.lock, OUTPUT_DIR/.lock (crawler/lock.py).
    "crawler.store.lock.CrawlLock": 100,
    "crawler.plumbing.run_summary.RunSummary": 500,
    "crawler.plumbing.progress.Progress": 510,
}

# --- Replaying a saved site -------------------------------------------------------------
# Base URL of a `python -m crawler.mirror` server. When set, the SinaMirrorAddon fetches every
# request to a Sina host from the mirror instead; responses, items and files keep the real
# Sina URL. Empty (live Sina): the add-on disables itself.
SINA_MIRROR = ""
ADDONS = {
    "crawler.plumbing.addons.SinaMirrorAddon": 100,
    # Console only (no LOG_FILE): Scrapy's start-up INFO and the stats dump go below LOG_LEVEL,
    # a robots.txt download failure is one line; the log file keeps everything.
    "crawler.plumbing.console.QuietConsoleAddon": 200,
    # REDIS_URL set: scrapy-redis scheduler, Redis state, the DistributedRun extension.
    "crawler.distributed.RedisAddon": 300,
}

# --- Politeness (live Sina) -------------------------------------------------------------
USER_AGENT = "sina-finance-crawler/0.1 (+https://github.com/; news archiving; polite)"
ROBOTSTXT_OBEY = True
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5
CONCURRENT_REQUESTS = 8
# An article page yields one item: Scrapy would start CONCURRENT_ITEMS (default 100) workers per
# response to process its output; one is enough and saves that per-page cost.
CONCURRENT_ITEMS = 1
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [403, 429, 500, 502, 503, 504, 522, 524, 408]
# Wait before each retry: base * 2**(attempt-1) s, or Retry-After, at most RETRY_BACKOFF_MAX s.
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 60.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.plumbing.backoff.BackoffRetryMiddleware": 550,
    # Next to the downloader: records requests as sent and responses as received (ARCHIVE_DIR).
    "crawler.plumbing.archive.WarcArchiveMiddleware": 950,
}
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
    "Referer": "https://finance.sina.com.cn/",
}

# --- Scrapy housekeeping ------------------------------------------------------------------
# `scrapy crawl` checks -a arguments and takes the crawl lock before Scrapy starts.
COMMANDS_MODULE = "crawler.plumbing.commands"
TELNETCONSOLE_ENABLED = False
# No listening control port on a cron server.
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
# -O items.jsonl / items.json: one line per post with the field names and values of
# OUTPUT_DIR/index.jsonl (crawler/manifest.py), not the raw item.
FEED_EXPORTERS = {
    "json": "crawler.plumbing.feeds.ManifestJsonItemExporter",
    "jsonlines": "crawler.plumbing.feeds.ManifestJsonLinesItemExporter",
    "jsonl": "crawler.plumbing.feeds.ManifestJsonLinesItemExporter",
    "jl": "crawler.plumbing.feeds.ManifestJsonLinesItemExporter",
}
# Older Scrapy versions read this to choose the request fingerprint; the Scrapy this project
# requires (>= 2.14) no longer reads it.
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
