"""Benchmark: our page reader + renderer against the lxml floor, trafilatura and GNE.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/extract.py [--rounds 30]

For every saved page (tests/fixtures/pages/*/page.html): the median time per page of
- ours: ``read_page`` + ``render_post`` (seed mode; a page that is not an article is only read),
- floor: ``lxml.html.fromstring`` of the same bytes (one parse, nothing else),
- trafilatura: ``bare_extraction(bytes, with_metadata=True)``,
- GNE: ``GeneralNewsExtractor().extract(text)`` (text decoded as our reader decodes it),
each tool timed in turn on the same page, ``--rounds`` times (CPU time of this process, so that
other work on the machine does not count); then the median over pages per
tool, our median over the floor's, and the median of the per-page ratios tool/ours. Then a
quality table on the article pages against their hand-read expected.json: title exact, publish
minute, source, share of the expected body sentences present, boilerplate present. Not a test:
numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import lxml
import lxml.html
import scrapy

from crawler.items import Article
from crawler.sina.pages import read_page
from crawler.sina.pages.decode import decode_page
from crawler.values import SHANGHAI
from pipelines.format import render, render_post

PAGES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "pages"
# Boilerplate Sina puts in or around the article container (sina-site.md §2.5), as visible text.
BOILERPLATE = ("海量资讯、精准解读，尽在新浪财经APP", "责任编辑", "新浪财经股吧", "我要评论", "分享到", "热点栏目")


def squeeze(text: str) -> str:
    return re.sub(r"[\s\u00a0\u3000]+", "", text or "")


def load_pages() -> list[dict[str, Any]]:
    pages = []
    for meta_path in sorted(PAGES.glob("*/meta.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        expected = json.loads((meta_path.parent / "expected.json").read_text(encoding="utf-8"))
        pages.append({"name": meta_path.parent.name, "url": meta["url"], "headers": meta["headers"],
                      "body": (meta_path.parent / "page.html").read_bytes(), "expected": expected})
    return pages


def ours(page: dict) -> Any:
    result = read_page(page["url"], page["body"], page["headers"])
    if isinstance(result, Article):
        render_post(result)
    return result


def tools() -> dict[str, Callable[[dict], Any]]:
    from gne import GeneralNewsExtractor
    from trafilatura import bare_extraction

    gne = GeneralNewsExtractor()
    return {
        "ours": ours,
        "floor": lambda page: lxml.html.fromstring(page["body"]),
        "trafilatura": lambda page: bare_extraction(page["body"], url=page["url"], with_metadata=True),
        "gne": lambda page: gne.extract(decode_page(page["body"], page["headers"])[0]),
    }


def timings(pages: list[dict], rounds: int) -> dict[str, dict[str, float]]:
    """tool -> page name -> median seconds."""
    runners = tools()
    samples: dict[str, dict[str, list[float]]] = {tool: {p["name"]: [] for p in pages} for tool in runners}
    for _ in range(rounds):
        for page in pages:
            for tool, run in runners.items():
                start = time.process_time()
                run(page)
                samples[tool][page["name"]].append(time.process_time() - start)
    return {tool: {name: statistics.median(values) for name, values in by_page.items()}
            for tool, by_page in samples.items()}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def extracted(tool: str, page: dict) -> dict[str, Any]:
    """title, published (datetime or None), source, text of one tool on one page."""
    if tool == "ours":
        article = read_page(page["url"], page["body"], page["headers"])
        if not isinstance(article, Article):
            return {}
        body = render(article, "clean").text.split("\n---\n", 2)[2]
        text = lxml.html.fragment_fromstring(body, create_parent="div").text_content()
        return {"title": article.title, "published": article.published_at, "source": article.source, "text": text}
    if tool == "trafilatura":
        from trafilatura import bare_extraction

        doc = bare_extraction(page["body"], url=page["url"], with_metadata=True)
        doc = doc.as_dict() if hasattr(doc, "as_dict") else (doc or {})
        published = _date(doc.get("date"))
        return {"title": doc.get("title"), "published": published, "source": doc.get("author") or doc.get("sitename"),
                "text": doc.get("text") or ""}
    from gne import GeneralNewsExtractor

    text, _ = decode_page(page["body"], page["headers"])
    doc = GeneralNewsExtractor().extract(text)
    return {"title": doc.get("title"), "published": _date(doc.get("publish_time")), "source": doc.get("author"),
            "text": doc.get("content") or ""}


def _date(value: Any) -> datetime | None:
    if not value:
        return None
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y年%m月%d日 %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(str(value).strip()[: len(datetime.now().strftime(pattern)) + 2].strip(), pattern)
        except ValueError:
            continue
    return None


def quality(pages: list[dict]) -> list[str]:
    rows = ["| tool | title exact | publish minute | source | expected sentences present | boilerplate present |",
            "|---|---|---|---|---|---|"]
    articles = [p for p in pages if p["expected"]["kind"] == "article"]
    for tool in ("ours", "trafilatura", "gne"):
        title = minute = source = boiler = 0
        shares = []
        for page in articles:
            want = page["expected"]
            got = extracted(tool, page)
            if not got:
                shares.append(0.0)
                continue
            title += got["title"] == want["title"]
            expected_minute = datetime.fromisoformat(want["published_at"]).astimezone(SHANGHAI)
            published = got["published"]
            if published is not None:
                published = published.astimezone(SHANGHAI) if published.tzinfo else published.replace(tzinfo=SHANGHAI)
                minute += published.strftime("%Y-%m-%d %H:%M") == expected_minute.strftime("%Y-%m-%d %H:%M")
            source += bool(got["source"]) and squeeze(str(got["source"])) == squeeze(want["source"] or "")
            sentences = [want["clean"]["first_sentence"], want["clean"]["last_sentence"], *want["body_contains"]]
            text = squeeze(got["text"])
            shares.append(sum(squeeze(s) in text for s in sentences) / len(sentences))
            boiler += any(squeeze(marker) in text for marker in BOILERPLATE)
        n = len(articles)
        label = "ours (clean body)" if tool == "ours" else tool
        rows.append(f"| {label} | {title}/{n} | {minute}/{n} | {source}/{n} | {statistics.mean(shares):.0%} | "
                    f"{boiler}/{n} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    pages = load_pages()
    import trafilatura

    print(f"machine: {platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores, Python "
          f"{platform.python_version()}, Scrapy {scrapy.__version__}, lxml {lxml.__version__}, "
          f"trafilatura {trafilatura.__version__}")
    print(f"pages: {len(pages)} saved pages, {args.rounds} rounds each\n")
    times = timings(pages, args.rounds)
    print("| tool | median ms/page | p95 ms/page | median × ours | median of per-page ratios tool/ours |")
    print("|---|---|---|---|---|")
    ours_median = statistics.median(times["ours"].values())
    for tool, by_page in times.items():
        values = list(by_page.values())
        ratios = [by_page[name] / times["ours"][name] for name in by_page]
        print(f"| {tool} | {statistics.median(values) * 1000:.2f} | {p95(values) * 1000:.2f} | "
              f"{statistics.median(values) / ours_median:.2f} | {statistics.median(ratios):.2f} |")
    floor = statistics.median(times["floor"].values())
    print(f"\nP1: ours / floor = {ours_median / floor:.2f}× (goal ≤ 2.5×); trafilatura / ours = "
          f"{statistics.median(times['trafilatura'][n] / times['ours'][n] for n in times['ours']):.1f}× (goal ≥ 15×)\n")
    articles = [p["name"] for p in pages if p["expected"]["kind"] == "article"]
    ours_articles = statistics.median(times["ours"][n] for n in articles)
    print(f"Article pages only ({len(articles)}; the others are refused by URL or template): ours / floor = "
          f"{ours_articles / statistics.median(times['floor'][n] for n in articles):.2f}×; trafilatura / ours = "
          f"{statistics.median(times['trafilatura'][n] / times['ours'][n] for n in articles):.1f}×\n")
    print("\n".join(quality(pages)))


if __name__ == "__main__":
    main()
