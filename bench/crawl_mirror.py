"""Benchmark: a real crawl against the loopback mirror.

    .venv/bin/python bench/crawl_mirror.py [--copies 50] [--spider sina_article|sina_finance]

Builds a snapshot holding every fixture article COPIES times under distinct doc-i URLs (and,
for sina_finance, a roll.jsonl listing them in the default channel), serves it with
`python -m crawler.mirror`, crawls it with politeness delays off, and prints articles/second
and the crawl's peak memory (Scrapy's memusage/max stat).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
PAGES = PROJECT / "tests" / "fixtures" / "pages"


def article_pages() -> list[Path]:
    """page.html of every saved article page (manifest kind article-*), from <page>/meta.json."""
    pages = []
    for meta_path in sorted(PAGES.glob("*/meta.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta["origin"]["kind"].startswith("article"):
            pages.append(meta_path.parent / "page.html")
    return pages


def start_mirror(snapshot: Path) -> tuple[subprocess.Popen, str]:
    """``python -m crawler.mirror SNAPSHOT --port 0``; its base URL from the "Serving ... on" line."""
    process = subprocess.Popen([sys.executable, "-m", "crawler.mirror", str(snapshot), "--port", "0"],
                               cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    match = re.search(r"Serving .* on (http://127\.0\.0\.1:\d+)", line)
    if not match:
        stop_mirror(process)
        raise SystemExit(f"mirror did not start: {line!r}")
    return process, match.group(1)


def stop_mirror(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=10)
    process.stdout.close()


def run_crawl(spider: str, output: Path, mirror: str, *args: str, **settings: str) -> subprocess.CompletedProcess:
    """A real ``scrapy crawl`` subprocess against the mirror, politeness delays off."""
    overrides = {
        "SINA_MIRROR": mirror,
        "OUTPUT_DIR": str(output),
        "STATE_PATH": str(output.parent / "state" / "crawl.sqlite"),
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "LOG_LEVEL": "INFO",
        **settings,
    }
    command = [sys.executable, "-m", "scrapy", "crawl", spider, *args]
    for name, value in overrides.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, timeout=3600)


def run_counters(output: Path) -> dict:
    """Every counter of the crawl: the run summary's "stats", plus its "new", "updated", "unchanged"."""
    summary_path = output / ".runs" / "last.json"
    if not summary_path.exists():
        return {}
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    return {**summary["stats"], **{key: summary[key] for key in ("new", "updated", "unchanged")}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=50)
    parser.add_argument("--spider", choices=["sina_article", "sina_finance"], default="sina_article")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    urls, roll = [], []
    articles = article_pages()
    for copy in range(args.copies):
        for index, page in enumerate(articles):
            doc = f"bench{copy:05d}{index:04d}"
            url = f"https://finance.sina.com.cn/roll/2020-01-01/doc-i{doc}.shtml"
            target = work / "snapshot" / "pages" / url.split("://", 1)[1]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(page, target)
            urls.append(url)
            stamp = str(1577836800 + len(urls))
            roll.append(json.dumps({"docid": f"comos:{doc}", "url": url, "title": f"基准第{len(urls)}篇",
                                    "ctime": stamp, "mtime": stamp, "intime": stamp, "lists": [[155, 1686]]},
                                   ensure_ascii=False))
    (work / "urls.txt").write_text("\n".join(urls), encoding="utf-8")
    (work / "snapshot" / "roll.jsonl").write_text("\n".join(roll) + "\n", encoding="utf-8")
    spider_args = (["-a", f"url_file={work / 'urls.txt'}"] if args.spider == "sina_article"
                   else ["-a", "since=2019-12-31"])
    process, base = start_mirror(work / "snapshot")
    try:
        start = time.perf_counter()
        result = run_crawl(args.spider, work / "output", base, *spider_args,
                           CONCURRENT_REQUESTS="16", CONCURRENT_REQUESTS_PER_DOMAIN="16")
        elapsed = time.perf_counter() - start
    finally:
        stop_mirror(process)
    stats = run_counters(work / "output")
    if result.returncode != 0 and not stats:
        print(result.stderr[-3000:], file=sys.stderr)
    print(f"{args.spider}: articles listed {len(urls)}, posts written {stats.get('new', 0)}, "
          f"roll pages {stats.get('roll/pages', 0)}, exit code {result.returncode}")
    print(f"wall time (process start to exit): {elapsed:.1f} s -> {len(urls) / elapsed:.1f} articles/s")
    print(f"peak memory (memusage/max): {stats.get('memusage/max', 0) / 2**20:.0f} MiB")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
