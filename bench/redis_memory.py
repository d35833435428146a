"""Redis memory per seen doc id: ``python bench/redis_memory.py --redis-url redis://127.0.0.1:6379/15 [--ids 100000]``.

Fills an EMPTY database (it is flushed first: give a scratch one) three ways and prints Redis's
own ``used_memory`` growth for each, per id and per million ids:

- ``state``: ``RedisState.record`` of each id as the exporter records a post (URL, path under
  ``output/``, sha256, mtime, a 24-character Chinese title, publish time, source, categories);
- ``dupefilter``: scrapy-redis's duplicate filter, one fingerprint (40 hex digits) per article request;
- ``ids``: the bare doc ids in a set (the floor for "seen").

The ids, URLs and titles are synthetic but shaped like Sina's (``ihqfskcn2160999``).
"""

from __future__ import annotations

import argparse
import hashlib

from crawler.store.redis_state import RedisState, connect

TITLE = "城市有轨电车之困一边争相上马一边接连叫停你怎么看"  # 24 characters, a typical headline


def doc_id(n: int) -> str:
    return f"i{hashlib.sha1(str(n).encode()).hexdigest()[:7]}{n:07d}"


def used(client: object) -> int:
    return int(client.info("memory")["used_memory"])  # type: ignore[attr-defined]


def fill_state(url: str, ids: int) -> None:
    state = RedisState(connect(url), "bench", url)
    for n in range(ids):
        day = f"20{n % 20:02d}-{n % 12 + 1:02d}-{n % 28 + 1:02d}"
        doc = doc_id(n)
        state.record(doc, f"https://finance.sina.com.cn/roll/{day}/doc-{doc}.shtml", f"output/{day}/{TITLE}{n}.md",
                     hashlib.sha256(doc.encode()).hexdigest(), 1_700_000_000 + n, "written", "china", title=TITLE,
                     published=f"{day}T08:00:00+08:00", source="新浪财经", categories=["财经", "国内"],
                     body_mode="seed")


def fill_dupefilter(url: str, ids: int) -> None:
    client = connect(url)
    for start in range(0, ids, 1000):
        client.sadd("bench:dupefilter", *(hashlib.sha1(doc_id(n).encode()).hexdigest()
                                          for n in range(start, min(ids, start + 1000))))


def fill_ids(url: str, ids: int) -> None:
    client = connect(url)
    for start in range(0, ids, 1000):
        client.sadd("bench:ids", *(doc_id(n) for n in range(start, min(ids, start + 1000))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--ids", type=int, default=100_000)
    args = parser.parse_args()
    client = connect(args.redis_url)
    print(f"redis-server {client.info('server')['redis_version']}, {args.ids} ids")
    for name, fill in (("state", fill_state), ("dupefilter", fill_dupefilter), ("ids", fill_ids)):
        client.flushdb()
        before = used(client)
        fill(args.redis_url, args.ids)
        grown = used(client) - before
        print(f"{name:>10}: {grown / 2**20:8.1f} MiB, {grown / args.ids:6.0f} B/id, "
              f"{grown / args.ids * 1e6 / 2**30:5.2f} GiB per million ids")
    client.flushdb()


if __name__ == "__main__":
    main()
