"""Benchmark: whole crawls against the loopback mirror, ours vs a fetch-only spider.

    .venv/bin/python bench/crawl.py compare [--articles 280] [--rounds 3]
    .venv/bin/python bench/crawl.py scale [--articles 2000 5000 20000]
    .venv/bin/python bench/crawl.py archive [--articles 1000] [--rounds 3]

``compare`` (P2): ``scrapy crawl sina_article`` (parse, pipelines, atomic writes, state) and
``scrapy runspider bench/fetch_only.py`` over the same URLs, same mirror, same settings,
politeness off; alternated, ``--rounds`` each; articles/s from Scrapy's own elapsed time, CPU
seconds per article (the process's user + system time), peak RSS (``memusage/max``).
``scale`` (P3, P4): ``scrapy crawl sina_finance`` over synthetic snapshots of N articles built
from the saved article pages (distinct doc ids, titles and dates, all listed in the roll feed,
well under ROLL_MAX_PAGES), then a rerun with nothing new: wall time, requests, peak RSS.
``archive``: ``scrapy crawl sina_finance`` over a synthetic snapshot with ``ARCHIVE_DIR`` set and
unset, alternated, each round into fresh folders: articles/s, CPU per article, the archive's
bytes per 1,000 articles; then a rerun with ``refetch=1`` into the same archive (every page again,
the same bytes: revisit records) and what it added.
Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_mirror import PROJECT, article_pages, start_mirror, stop_mirror

SETTINGS = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "LOG_LEVEL": "INFO",
            "CONCURRENT_REQUESTS": "16", "CONCURRENT_REQUESTS_PER_DOMAIN": "16", "ROBOTSTXT_OBEY": "False",
            "MEMUSAGE_CHECK_INTERVAL_SECONDS": "1"}  # peak RSS sampled every second, not every minute


def titled_pages() -> list[tuple[bytes, str, str]]:
    """(page bytes, its headline, its encoding) of every saved article page."""
    pages = []
    for page in article_pages():
        expected = json.loads((page.parent / "expected.json").read_text(encoding="utf-8"))
        meta = json.loads((page.parent / "meta.json").read_text(encoding="utf-8"))
        encoding = "gb18030" if meta["origin"]["encoding"].lower() in ("gbk", "gb2312", "gb18030") else "utf-8"
        pages.append((page.read_bytes(), expected["title"], encoding))
    return pages


def build_snapshot(work: Path, count: int) -> list[str]:
    """``count`` article pages (the saved ones in turn, each headline numbered so that no two
    articles share a title) under distinct URLs, all listed in roll.jsonl."""
    pages = titled_pages()
    urls, roll = [], []
    start = 1577836800  # 2020-01-01, one article a minute
    for number in range(count):
        doc = f"bench{number:09d}"
        stamp = start + 60 * number
        day = time.strftime("%Y-%m-%d", time.gmtime(stamp + 8 * 3600))
        url = f"https://finance.sina.com.cn/roll/{day}/doc-i{doc}.shtml"
        target = work / "snapshot" / "pages" / url.split("://", 1)[1]
        target.parent.mkdir(parents=True, exist_ok=True)
        body, headline, encoding = pages[number % len(pages)]
        numbered = f"{headline} 第{number}篇"
        target.write_bytes(body.replace(headline.encode(encoding), numbered.encode(encoding)))
        urls.append(url)
        roll.append(json.dumps({"docid": f"comos:{doc}", "url": url, "title": numbered,
                                "ctime": str(stamp), "mtime": str(stamp), "intime": str(stamp),
                                "lists": [[155, 1686]]}, ensure_ascii=False))
    (work / "urls.txt").write_text("\n".join(urls) + "\n", encoding="utf-8")
    (work / "snapshot" / "roll.jsonl").write_text("\n".join(reversed(roll)) + "\n", encoding="utf-8")
    return urls


def run(command: list[str]) -> dict[str, float]:
    """Run a crawl; Scrapy's elapsed time, its request count and peak memory, and the CPU time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    result = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, timeout=7200)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    log = result.stderr

    def stat(name: str) -> float:
        match = re.findall(rf"""['"]{re.escape(name)}['"]: ([\d.]+)""", log)
        return float(match[-1]) if match else 0.0

    if result.returncode not in (0, 1) or not stat("elapsed_time_seconds"):
        raise SystemExit(f"crawl failed ({result.returncode}): {' '.join(command)}\n{log[-3000:]}")
    return {"elapsed": stat("elapsed_time_seconds"), "wall": wall, "requests": stat("downloader/request_count"),
            "rss": stat("memusage/max") / 2**20,
            "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)}


def settings_args(mirror: str, work: Path, round_: int) -> list[str]:
    out = work / f"output-{round_}"
    overrides = {**SETTINGS, "SINA_MIRROR": mirror, "OUTPUT_DIR": str(out), "STATE_PATH": str(out / ".state.sqlite")}
    return [arg for name, value in overrides.items() for arg in ("-s", f"{name}={value}")]


def compare(articles: int, rounds: int, parse_processes: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    urls = build_snapshot(work, articles)
    process, mirror = start_mirror(work / "snapshot")
    results: dict[str, list[dict[str, float]]] = {"sina_article": [], "fetch-only": []}
    try:
        for round_ in range(rounds):
            common = settings_args(mirror, work, round_)
            ours = [sys.executable, "-m", "scrapy", "crawl", "sina_article", "-a", f"url_file={work / 'urls.txt'}",
                    "-s", f"PARSE_PROCESSES={parse_processes}"]
            floor = [sys.executable, "-m", "scrapy", "runspider", str(PROJECT / "bench" / "fetch_only.py"),
                     "-a", f"url_file={work / 'urls.txt'}"]
            results["sina_article"].append(run(ours + common))
            results["fetch-only"].append(run(floor + common))
    finally:
        stop_mirror(process)
        shutil.rmtree(work)
    print(f"{len(urls)} URLs, {rounds} rounds each, alternated\n")
    print("| spider | articles/s (median) | CPU s per article | peak RSS MiB |")
    print("|---|---|---|---|")
    rate = {}
    for name, runs in results.items():
        rate[name] = statistics.median(len(urls) / r["elapsed"] for r in runs)
        cpu = statistics.median(r["cpu"] / len(urls) for r in runs)
        print(f"| {name} | {rate[name]:.0f} | {cpu * 1000:.1f} ms | {statistics.median(r['rss'] for r in runs):.0f} |")
    print(f"\nP2: sina_article / fetch-only = {rate['sina_article'] / rate['fetch-only']:.2f}× (goal ≥ 0.5×)")


def scale(sizes: list[int], parse_processes: int) -> None:
    print("| articles | first crawl: articles/s | peak RSS MiB | rerun: wall s | rerun: requests "
          "| rerun: article requests |")
    print("|---|---|---|---|---|---|")
    peaks = {}
    for size in sizes:
        work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
        build_snapshot(work, size)
        process, mirror = start_mirror(work / "snapshot")
        try:
            command = [sys.executable, "-m", "scrapy", "crawl", "sina_finance", "-a", "channels=china",
                       "-a", "since=2019-12-31", *settings_args(mirror, work, 0), "-s", "ROLL_MAX_PAGES=100000",
                       "-s", f"PARSE_PROCESSES={parse_processes}"]
            first = run(command)
            again = run(command)
            summary = json.loads((work / "output-0" / ".runs" / "last.json").read_text(encoding="utf-8"))
        finally:
            stop_mirror(process)
            shutil.rmtree(work)
        peaks[size] = first["rss"]
        print(f"| {size} | {size / first['elapsed']:.0f} | {first['rss']:.0f} | {again['wall']:.1f} | "
              f"{again['requests']:.0f} | {summary['article_requests']} |")
    if len(peaks) > 1:
        low, high = min(peaks), max(peaks)
        print(f"\nP3: peak RSS at {high} / at {low} = {peaks[high] / peaks[low]:.2f}× (goal ≤ 1.25×)")


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.glob("*.warc.gz"))


def archive(articles: int, rounds: int, parse_processes: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-archive-"))
    build_snapshot(work, articles)
    process, mirror = start_mirror(work / "snapshot")
    runs: dict[str, list[dict[str, float]]] = {"off": [], "on": []}
    sizes, revisits = [], []
    try:
        for round_ in range(rounds):
            for mode in ("off", "on") if round_ % 2 == 0 else ("on", "off"):
                out = work / f"{mode}-{round_}"
                command = [sys.executable, "-m", "scrapy", "crawl", "sina_finance", "-a", "channels=china",
                           "-a", "since=2019-12-31", *settings_args(mirror, out, 0), "-s", "ROLL_MAX_PAGES=100000",
                           "-s", f"PARSE_PROCESSES={parse_processes}"]
                if mode == "on":
                    command += ["-s", f"ARCHIVE_DIR={out / 'archive'}"]
                runs[mode].append(run(command))
                if mode == "on":
                    sizes.append(folder_bytes(out / "archive"))
                    run([*command, "-a", "refetch=1"])
                    revisits.append(folder_bytes(out / "archive") - sizes[-1])
                shutil.rmtree(out)
    finally:
        stop_mirror(process)
        shutil.rmtree(work)
    print(f"{articles} articles (sina_finance, one channel), {rounds} rounds each, alternated\n")
    print("| archive | articles/s (median) | CPU per article | peak RSS MiB |")
    print("|---|---|---|---|")
    rate = {}
    for mode, results in runs.items():
        rate[mode] = statistics.median(articles / r["elapsed"] for r in results)
        cpu = statistics.median(r["cpu"] / articles for r in results)
        rss = statistics.median(r["rss"] for r in results)
        print(f"| {mode} | {rate[mode]:.0f} | {cpu * 1000:.1f} ms | {rss:.0f} |")
    print(f"\nwith the archive / without = {rate['on'] / rate['off']:.2f}×")
    per_1000 = statistics.median(sizes) / articles * 1000
    again = statistics.median(revisits) / articles * 1000
    print(f"archive: {per_1000 / 2**20:.1f} MiB per 1,000 articles (first crawl: responses, requests, roll "
          f"replies, robots.txt); a refetch of the same pages adds {again / 2**10:.0f} KiB per 1,000 (revisits)")


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="what", required=True)
    one = sub.add_parser("compare")
    one.add_argument("--articles", type=int, default=280)
    one.add_argument("--rounds", type=int, default=3)
    two = sub.add_parser("scale")
    two.add_argument("--articles", type=int, nargs="+", default=[2000, 5000, 20000])
    three = sub.add_parser("archive")
    three.add_argument("--articles", type=int, default=1000)
    three.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--parse-processes", type=int, default=0, help="PARSE_PROCESSES of our crawls")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; PARSE_PROCESSES={args.parse_processes}\n")
    if args.what == "compare":
        compare(args.articles, args.rounds, args.parse_processes)
    elif args.what == "archive":
        archive(args.articles, args.rounds, args.parse_processes)
    else:
        scale(args.articles, args.parse_processes)


if __name__ == "__main__":
    main()
