"""Benchmark: a real `scrapy crawl sina_article` against the loopback mirror.

    .venv/bin/python bench/crawl_mirror.py [--copies 50]

Builds a snapshot holding every fixture article COPIES times under distinct doc-i URLs,
serves it with `python -m crawler.mirror`, crawls it with politeness delays off, and
prints articles/second and the crawl's peak memory (Scrapy's memusage/max stat).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import crawl_stats, run_crawl, start_mirror, stop_mirror
from tests.fixture_pages import manifest


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=50)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    urls = []
    articles = [p for p in manifest() if p.kind.startswith("article")]
    for copy in range(args.copies):
        for index, page in enumerate(articles):
            url = f"https://finance.sina.com.cn/roll/2020-01-01/doc-ibench{copy:05d}{index:04d}.shtml"
            target = work / "snapshot" / "pages" / url.split("://", 1)[1]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(page.path, target)
            urls.append(url)
    (work / "urls.txt").write_text("\n".join(urls), encoding="utf-8")
    process, base = start_mirror(work / "snapshot")
    try:
        start = time.perf_counter()
        result = run_crawl(
            "sina_article", work / "output", base, "-a", f"url_file={work / 'urls.txt'}",
            CONCURRENT_REQUESTS="16", CONCURRENT_REQUESTS_PER_DOMAIN="16",
        )
        elapsed = time.perf_counter() - start
    finally:
        stop_mirror(process)
    stats = crawl_stats(result.stderr)
    written = stats.get("export/written", 0)
    print(f"articles requested: {len(urls)}, posts written: {written}, exit code {result.returncode}")
    print(f"wall time (process start to exit): {elapsed:.1f} s -> {len(urls) / elapsed:.1f} articles/s")
    print(f"peak memory (memusage/max): {stats.get('memusage/max', 0) / 2**20:.0f} MiB")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
