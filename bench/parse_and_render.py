"""Benchmark: read_page + render_post over every article fixture, repeated.

    .venv/bin/python bench/parse_and_render.py [--rounds 20]

Prints pages/second and peak RSS. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.items import Article
from crawler.pages import read_page
from pipelines.format import render_post
from tests.fixture_pages import manifest


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    pages = [(p.url, p.path.read_bytes()) for p in manifest()]
    total_bytes = sum(len(body) for _, body in pages)
    start = time.perf_counter()
    articles = 0
    for _ in range(args.rounds):
        for url, body in pages:
            result = read_page(url, body)
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
