"""Distributed crawling (crawler.distributed, crawler.store.redis_state) on a real redis-server: real
``scrapy crawl`` worker processes against the demo snapshot served by the mirror."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from crawler.store.coverage import Coverage, Gap
from crawler.store.redis_state import RedisState, connect, shown
from crawler.store.state import FORGOTTEN, KnownArticle, SQLiteState, StateError
from tests.support.crawl import ELSEWHERE, PROJECT, crawl_command, start_mirror, stop_mirror
from tests.support.pages import ARTICLE_POSTS
from tests.support.servers import RedisServer, free_port

DEMO = PROJECT / "demo" / "snapshot"
CHANNEL_ARGS = ("channels=china,roll,stock", "since=2005-01-01")
# The article URLs the demo roll lists (the crawl asks for them over https).
ARTICLE_URLS = sorted("https://" + json.loads(line)["url"].split("://", 1)[1]
                      for line in (DEMO / "roll.jsonl").read_text(encoding="utf-8").splitlines() if line.strip())


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    if redis_server.process is None:
        redis_server.start()
    redis_server.client().flushall()
    return redis_server.url


@pytest.fixture(scope="module")
def demo_mirror() -> Iterator[str]:
    process, base = start_mirror(DEMO)
    yield base
    stop_mirror(process)


def worker(spider: str, output: Path, mirror: str, redis_url: str, log: Path, *spider_args: str,
           **settings: str) -> subprocess.Popen:
    """One process of the distributed crawl, logging every request to ``log``."""
    command = crawl_command(["-m", "scrapy", "crawl", spider], mirror=mirror, output=output,
                            state=output.parent / "unused.sqlite", spider_args=spider_args, REDIS_URL=redis_url,
                            REDIS_IDLE_CLOSE="1", LOG_LEVEL="DEBUG", LOG_FILE=str(log), **settings)
    with open(log.with_suffix(".stderr"), "wb") as stderr:
        return subprocess.Popen(command, cwd=ELSEWHERE, stdout=subprocess.DEVNULL, stderr=stderr)


def finish(*processes: subprocess.Popen) -> list[int]:
    return [process.wait(timeout=120) for process in processes]


def fetched(log: Path) -> list[str]:
    """The article URLs a worker's log shows it fetched."""
    crawled = re.findall(r"Crawled \(200\) <GET (\S+)>", log.read_text(encoding="utf-8"))
    return [url for url in crawled if url in ARTICLE_URLS]


def posts(output: Path) -> list[str]:
    return sorted(p.relative_to(output).as_posix() for p in output.rglob("*.md"))


def temp_files(output: Path) -> list[Path]:
    return list(output.rglob("*.tmp"))


def wait_for(condition, what: str, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def test_two_workers_share_one_crawl_and_a_rerun_fetches_nothing(tmp_path, redis_url, demo_mirror):
    output = tmp_path / "posts"
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    polite = {"DOWNLOAD_DELAY": "1", "DOWNLOAD_DELAY_JITTER": "0", "CONCURRENT_REQUESTS": "2"}
    codes = finish(*(worker("sina_finance", output, demo_mirror, redis_url, log, *CHANNEL_ARGS, **polite)
                     for log in logs))
    assert codes == [0, 0]
    assert posts(output) == sorted(ARTICLE_POSTS)
    per_worker = [fetched(log) for log in logs]
    assert sorted(per_worker[0] + per_worker[1]) == ARTICLE_URLS  # each article by exactly one worker
    listed = [log.read_text(encoding="utf-8").count("Listing done") for log in logs]
    assert sorted(listed) == [0, 1]
    summaries = sorted((output / ".runs").glob("2*.json"))
    assert len(summaries) == 2
    reports = [json.loads(path.read_text(encoding="utf-8")) for path in summaries]
    assert sum(report["new"] for report in reports) == 8
    assert all(report["ok"] and report["finish_reason"] == "finished" for report in reports)
    manifest = [json.loads(line) for line in (output / "index.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(entry["path"] for entry in manifest) == sorted(ARTICLE_POSTS)
    client = connect(redis_url)
    totals = client.hgetall(f"sina_finance:runs:{client.get('sina_finance:runs:last')}")
    assert (totals["new"], totals["processes"]) == ("8", "2")
    # -s shows how the run was shared.
    print(f"articles fetched per worker log: {[len(urls) for urls in per_worker]}; listed by: {listed}")
    for path, report in zip(summaries, reports, strict=True):
        print(f"{path.name}: new={report['new']} requests={report['requests']} "
              f"article_requests={report['article_requests']} roll_pages={report['roll_pages']}")
    print(f"run totals in Redis: {totals}")

    again = [tmp_path / "c.log", tmp_path / "d.log"]
    assert finish(*(worker("sina_finance", output, demo_mirror, redis_url, log, *CHANNEL_ARGS)
                    for log in again)) == [0, 0]
    assert [fetched(log) for log in again] == [[], []]
    assert posts(output) == sorted(ARTICLE_POSTS)


def test_a_url_list_is_pushed_once_and_consumed_by_all(tmp_path, redis_url, demo_mirror):
    output = tmp_path / "posts"
    urls = f"urls={','.join(ARTICLE_URLS)}"
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    assert finish(*(worker("sina_article", output, demo_mirror, redis_url, log, urls) for log in logs)) == [0, 0]
    assert sorted(fetched(logs[0]) + fetched(logs[1])) == ARTICLE_URLS
    assert posts(output) == sorted(ARTICLE_POSTS)


def test_a_killed_worker_s_articles_are_taken_over(tmp_path, redis_url, demo_mirror):
    output = tmp_path / "posts"
    slow = {"DOWNLOAD_DELAY": "1", "DOWNLOAD_DELAY_JITTER": "0"}
    first = worker("sina_finance", output, demo_mirror, redis_url, tmp_path / "a.log", *CHANNEL_ARGS, **slow)
    wait_for(lambda: fetched(tmp_path / "a.log") if (tmp_path / "a.log").exists() else False, "a first article")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    done_by_first = fetched(tmp_path / "a.log")
    assert len(done_by_first) < len(ARTICLE_URLS)  # killed mid-run
    second = worker("sina_finance", output, demo_mirror, redis_url, tmp_path / "b.log", *CHANNEL_ARGS, **slow)
    assert finish(second) == [0]
    assert set(done_by_first) | set(fetched(tmp_path / "b.log")) == set(ARTICLE_URLS)
    assert "Put back" in (tmp_path / "b.log").read_text(encoding="utf-8")
    assert posts(output) == sorted(ARTICLE_POSTS)
    assert temp_files(output) == []
    assert len(connect(redis_url).hkeys("sina_finance:state:articles")) == 8


def test_a_worker_stopped_with_sigterm_finishes_what_it_took_and_the_run_is_whole(tmp_path, redis_url, demo_mirror):
    output = tmp_path / "posts"
    slow = {"DOWNLOAD_DELAY": "1", "DOWNLOAD_DELAY_JITTER": "0"}
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    workers = [worker("sina_finance", output, demo_mirror, redis_url, log, *CHANNEL_ARGS, **slow) for log in logs]
    wait_for(lambda: any(log.exists() and fetched(log) for log in logs), "a first article")
    busy = next(i for i, log in enumerate(logs) if fetched(log))
    workers[busy].send_signal(signal.SIGTERM)
    # The stopped worker's own run is not ok (finish reason 'shutdown'): it exits 1, as scrapy crawl
    # does for any run whose summary is not ok; the other finishes the run.
    assert finish(*workers) == [1 if i == busy else 0 for i in range(2)]
    assert "shutdown" in logs[busy].read_text(encoding="utf-8")
    assert sorted(fetched(logs[0]) + fetched(logs[1])) == ARTICLE_URLS
    assert posts(output) == sorted(ARTICLE_POSTS)
    assert temp_files(output) == []


def test_redis_lost_mid_run_stops_every_worker_and_the_next_run_converges(tmp_path, redis_server, redis_url,
                                                                          demo_mirror):
    output = tmp_path / "posts"
    slow = {"DOWNLOAD_DELAY": "1", "DOWNLOAD_DELAY_JITTER": "0"}
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    workers = [worker("sina_finance", output, demo_mirror, redis_url, log, *CHANNEL_ARGS, **slow) for log in logs]
    wait_for(lambda: any(log.exists() and fetched(log) for log in logs), "a first article")
    redis_server.stop()
    codes = finish(*workers)
    assert codes == [1, 1]
    for log in logs:
        assert "Redis at redis://127.0.0.1" in log.read_text(encoding="utf-8")
    assert temp_files(output) == []
    assert set(posts(output)) <= ARTICLE_POSTS

    redis_server.start()
    assert finish(worker("sina_finance", output, demo_mirror, redis_url, tmp_path / "c.log", *CHANNEL_ARGS)) == [0]
    assert posts(output) == sorted(ARTICLE_POSTS)
    assert temp_files(output) == []


def test_an_unreachable_redis_is_one_line_and_exit_1(tmp_path, demo_mirror):
    port = free_port()
    url = f"redis://:s3cret@127.0.0.1:{port}/0"
    command = crawl_command(["-m", "scrapy", "crawl", "sina_finance"], mirror=demo_mirror, output=tmp_path / "posts",
                            state=tmp_path / "unused.sqlite", spider_args=CHANNEL_ARGS, REDIS_URL=url)
    result = subprocess.run(command, cwd=ELSEWHERE, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    # The password is not shown.
    assert result.stderr.startswith(f"scrapy crawl: not starting: Redis at redis://:***@127.0.0.1:{port}/0 unreachable: ")
    assert "s3cret" not in result.stderr
    assert not (tmp_path / "posts").exists()


def test_without_redis_url_nothing_changes_and_with_it_the_crawl_is_distributed():
    plain = get_crawler(settings_dict={"ADDONS": {"crawler.distributed.RedisAddon": 300},
                                       "STATE_CLASS": "crawler.store.state.SQLiteState"})
    assert plain.settings.get("SCHEDULER") == "scrapy.core.scheduler.Scheduler"
    assert plain.settings.get("STATE_CLASS") == "crawler.store.state.SQLiteState"
    shared = get_crawler(settings_dict={"ADDONS": {"crawler.distributed.RedisAddon": 300},
                                        "REDIS_URL": "redis://127.0.0.1:1/0"})
    assert shared.settings.get("SCHEDULER") == "crawler.distributed.scheduler.SharedScheduler"
    assert shared.settings.get("DUPEFILTER_CLASS") == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert shared.settings.get("STATE_CLASS") == "crawler.store.redis_state.RedisState"
    assert "crawler.distributed.run.DistributedRun" in shared.settings.getdict("EXTENSIONS")


def exercise(state) -> list:
    """The same calls on any StateStore; what it answers."""
    state.record("a1", "https://x/a1", "/out/2024-05-10/a.md", "h1", 100, "written", "china", title="A",
                 published="2024-05-10T08:00:00+08:00", source="S", categories=["财经"], body_mode="seed")
    state.record("b2", "https://x/b2", "/out/2024-05-11/b.md", "h2", None, "adopted", None)
    state.record("a1", "https://x/a1", "/out/2024-05-10/a.md", "h3", 200, "written", "stock")
    claims = (state.claim("/out/2024-05-10/a.md", "zz"), state.claim("/out/new.md", "zz"))
    state.adopt("/out/old.md", "Old", "2020-01-01")
    state.set_high_water("china", 500)
    state.set_high_water("china", 400)
    state.save_coverage("stock", Coverage(900, 100, gaps=[Gap(800, 300)]))
    answers = [claims, state.known(), state.path_of("a1"), state.owner_of("/out/2024-05-11/b.md"),
               state.article("b2"), state.adopted("/out/old.md"), list(state.paths()),
               [(p.path, p.doc_id, p.title, p.categories, p.channel, p.sha256) for p in state.posts()],
               state.high_water("china"), state.coverage("stock"), state.channel_stats()]
    state.record_live_items("7x24", [{"id": 12, "day": "2024-05-10", "created": "2024-05-10T09:00:00+08:00", "text": "b"},
                                     {"id": 11, "day": "2024-05-10", "created": "2024-05-10T08:00:00+08:00", "text": "a"}])
    state.record_live_items("7x24", [{"id": 12, "day": "2024-05-10", "created": "2024-05-10T09:00:00+08:00", "text": "B"}])
    state.record_live_items("7x24_global", [{"id": 3, "day": "2024-05-11", "created": "2024-05-11T01:00:00+08:00"}])
    state.set_live_mark("7x24", 12)
    state.set_live_mark("7x24", 11)
    answers += [state.live_items(), state.live_items("7x24", "2024-05-10"), state.live_items(day="2024-05-11"),
                state.live_mark("7x24"), state.live_mark("7x24_global")]
    state.reset()
    answers += [state.known(), state.article("a1"), state.coverage("china"), state.adopted("/out/old.md"),
                state.live_mark("7x24"), len(state.live_items())]
    return answers


def test_the_redis_store_answers_as_the_sqlite_store(tmp_path, redis_url):
    sqlite = SQLiteState(tmp_path / "s.sqlite")
    store = RedisState(connect(redis_url), "t", redis_url)
    expected = exercise(sqlite)
    assert exercise(store) == expected
    assert expected[1]["a1"] == KnownArticle("a1", "/out/2024-05-10/a.md", "h3", 200, "written", "china")
    assert expected[0] == (False, True)
    assert expected[-5] == KnownArticle("a1", "/out/2024-05-10/a.md", "h3", None, FORGOTTEN, "china")
    live = expected[11:16]
    assert [(item["feed"], item["id"], item.get("text")) for item in live[0]] == [
        ("7x24", 11, "a"), ("7x24", 12, "B"), ("7x24_global", 3, None)]
    assert [item["id"] for item in live[1]] == [11, 12] and [item["id"] for item in live[2]] == [3]
    assert live[3:] == [12, None]
    assert expected[-2:] == [12, 3]  # a reset leaves the 7x24 items and mark alone


def rewrites(state) -> list:
    """Rewrites, a moved post, two posts on one path, gaps out of order and a gaps-only save."""
    state.record("doc2", "https://x/2", "/out/a.md", "h1", 1, "written", "china", title="T", published="P",
                 source="S", categories=["甲", "乙", "丙"], body_mode="seed")
    state.record("doc2", "https://x/2", "/out/a.md", "h1", 2, "written", "stock")  # same bytes, no manifest fields
    first = state.post("doc2")
    state.record("doc2", "https://x/2", "/out/a.md", "h2", 3, "written", title="T2", source=None)  # new bytes
    second = state.post("doc2")
    state.record("doc1", "https://x/1", "/out/c.md", "h3", 4, "written")
    state.record("doc1", "https://x/1", "/out/b.md", "h3", 5, "written")  # same bytes, moved
    state.record("doc3", "https://x/3", "/out/a.md", "h4", 6, "written", "china")
    state.save_coverage("china", Coverage(900, 100, [Gap(300, 200), Gap(800, 500)]))
    state.save_coverage("china", Coverage(None, None, [Gap(250, 200), Gap(700, 600)]))  # gaps only
    return [first, second, state.post("doc1"), state.post("nope"), list(state.posts()), list(state.paths()),
            state.owner_of("/out/c.md"), state.path_of("nope"), state.coverage("china"), state.channel_stats(),
            state.article("nope")]


def test_the_redis_store_answers_as_the_sqlite_store_on_rewrites_and_moves(tmp_path, redis_url, monkeypatch):
    answers = []
    for store in (SQLiteState(tmp_path / "s.sqlite"), RedisState(connect(redis_url), "t", redis_url)):
        clock = (f"2024-03-01T00:00:{second}+00:00" for second in range(10, 60)).__next__
        monkeypatch.setattr("crawler.store.state._now", clock)
        monkeypatch.setattr("crawler.store.redis_state._now", clock)
        answers.append(rewrites(store))
    assert answers[1] == answers[0]
    first, second, moved = answers[0][:3]
    assert (first.first_written, first.last_written, first.source, first.channel) == (
        "2024-03-01T00:00:10+00:00", "2024-03-01T00:00:10+00:00", "S", "china")
    assert (second.last_written, second.title, second.published, second.source, second.body_mode) == (
        "2024-03-01T00:00:12+00:00", "T2", "P", None, "seed")
    assert (moved.path, moved.last_written) == ("/out/b.md", "2024-03-01T00:00:14+00:00")
    assert [(post.path, post.doc_id) for post in answers[0][4]] == [("/out/a.md", "doc2"), ("/out/a.md", "doc3"),
                                                                   ("/out/b.md", "doc1")]
    assert answers[0][6:] == [None, None, Coverage(900, 100, [Gap(700, 600), Gap(250, 200)]), {"china": (900, 2)},
                              None]


@pytest.mark.parametrize(("url", "shown_as"), [
    ("redis://:s3cret@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
    ("redis://crawler:s3cret@redis.internal/2", "redis://crawler:***@redis.internal/2"),
    ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
])
def test_a_redis_url_is_shown_without_its_password(url, shown_as):
    assert shown(url) == shown_as


def test_the_redis_client_gives_up_after_ten_seconds():
    kwargs = connect("redis://127.0.0.1:6379/0").connection_pool.connection_kwargs
    assert (kwargs["socket_timeout"], kwargs["socket_connect_timeout"], kwargs["decode_responses"]) == (10, 10, True)


def test_the_redis_store_from_settings_keeps_its_keys_under_the_prefix_and_times_in_utc(redis_url):
    store = RedisState.from_crawler(get_crawler(settings_dict={"REDIS_URL": redis_url, "REDIS_KEY_PREFIX": "p"}))
    store.record("doca", "https://x/a", "/out/a.md", "ha", 300, "written")
    written = datetime.fromisoformat(store.post("doca").first_written)
    client = connect(redis_url)
    assert (store.url, sorted(client.keys())) == (redis_url, ["p:state:articles", "p:state:paths", "p:state:schema"])
    assert written.utcoffset() == timedelta(0) and abs(datetime.now(UTC) - written) < timedelta(minutes=5)
    default = RedisState.from_crawler(get_crawler(settings_dict={"REDIS_URL": redis_url}))
    assert default.articles_key == "sina_finance:state:articles"
    anonymous = RedisState(client)
    assert anonymous.url == repr(client) and anonymous.articles_key == "sina_finance:state:articles"


def test_a_record_and_a_reset_are_each_one_transaction_on_the_server(redis_url):
    store = RedisState(connect(redis_url), "t", redis_url)
    store.record("a1", "https://x/a1", "/out/a.md", "h1", 1, "written")  # reads the row first, then one MULTI
    store.record("b2", "https://x/b2", "/out/b.md", "h2", 2, "written")
    store.server.config_resetstat()
    store.record("a1", "https://x/a1", "/out/a2.md", "h3", 3, "written")  # moved: three writes
    store.reset()  # two rows and the coverage
    stats = store.server.info("commandstats")
    assert (stats["cmdstat_multi"]["calls"], stats["cmdstat_exec"]["calls"]) == (2, 2)


def test_the_redis_store_without_redis_url_is_refused():
    with pytest.raises(StateError) as caught:
        RedisState.from_crawler(get_crawler(settings_dict={}))
    assert str(caught.value) == "RedisState needs REDIS_URL (redis://host:port/db)"


def test_an_unreachable_or_foreign_redis_is_refused_naming_it_without_its_password(redis_url):
    port = free_port()
    with pytest.raises(StateError) as caught:
        RedisState(connect(f"redis://:s3cret@127.0.0.1:{port}/0"), "t", f"redis://:s3cret@127.0.0.1:{port}/0")
    assert str(caught.value).startswith(f"Redis state at redis://:***@127.0.0.1:{port}/0 unusable: ")
    assert "Connection refused" in str(caught.value) and "s3cret" not in str(caught.value)
    connect(redis_url).set("t:state:schema", "9")
    with pytest.raises(StateError) as caught:
        RedisState(connect(redis_url), "t", redis_url)
    assert str(caught.value) == f"Redis state at {redis_url} has layout 9, this crawler needs 1"
