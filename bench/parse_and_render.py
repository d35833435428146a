"""Benchmark: read_page + render_post over every article fixture, repeated.

    .venv/bin/python bench/parse_and_render.py [--rounds 20]

Prints pages/second and peak RSS. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.items import Article
from crawler.sina.pages import read_page
from pipelines.format import render_post

PAGES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "pages"


def saved_pages() -> list[tuple[str, bytes, dict]]:
    """(url, page bytes, headers) of every saved page: <page>/meta.json and <page>/page.html."""
    pages = []
    for meta_path in sorted(PAGES.glob("*/meta.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        pages.append((meta["url"], (meta_path.parent / "page.html").read_bytes(), meta["headers"]))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    pages = saved_pages()
    total_bytes = sum(len(body) for _, body, _ in pages)
    start = time.perf_counter()
    articles = 0
    for _ in range(args.rounds):
        for url, body, headers in pages:
            result = read_page(url, body, headers)
            if isinstance(result, Article):
                render_post(result)
                articles += 1
    elapsed = time.perf_counter() - start
    count = len(pages) * args.rounds
    print(f"pages: {count} ({articles} articles rendered), {total_bytes * args.rounds / 1e6:.1f} MB")
    print(f"time: {elapsed:.2f} s -> {count / elapsed:.1f} pages/s, {elapsed / count * 1000:.1f} ms/page")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
