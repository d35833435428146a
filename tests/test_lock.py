"""One lock for every writer: a crawl on a state or output folder another crawl is writing
refuses at start-up (exit 75, one line naming the holder) and touches nothing; real processes."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.store.lock import LockHeld, hold_crawl_locks, release
from tests.support.crawl import ELSEWHERE, crawl_command
from tests.support.sites import Site

SLOW = {"match": "finance.sina.com.cn/*", "fault": "slow", "seconds": 3}


@pytest.fixture
def site(tmp_path):
    site = Site(tmp_path)
    site.add_faults(SLOW)
    yield site
    site.close()


def scrapy_crawl(site: Site, output: Path, state: Path, *, wait: bool = True):
    command = crawl_command(["-m", "scrapy", "crawl", "sina_finance"], mirror=site.mirror, output=output, state=state,
                            spider_args=["since=2005-01-01"])
    if not wait:
        return subprocess.Popen(command, cwd=ELSEWHERE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, cwd=ELSEWHERE, capture_output=True, text=True, timeout=120)


def wait_for_holder(lock: Path, text: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if lock.exists() and text in lock.read_text(encoding="utf-8"):
            return
        time.sleep(0.1)
    raise AssertionError(f"{lock} never named {text!r}")


def assert_refused(result: subprocess.CompletedProcess, lock: Path, *holder: str) -> None:
    assert result.returncode == 75, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"scrapy crawl: not starting: another crawl holds {lock} (pid ")
    for part in holder:
        assert part in lines[0]


def test_a_second_crawl_on_the_same_state_or_output_refuses_naming_the_holder(site, tmp_path):
    state = site.work / "crawl.sqlite"
    first = scrapy_crawl(site, site.output, state, wait=False)
    wait_for_holder(site.output / ".lock", f'"pid": {first.pid}')

    same_state = scrapy_crawl(site, tmp_path / "other-output", state)
    assert_refused(same_state, state.with_name("crawl.sqlite.lock"), f"pid {first.pid}", "scrapy crawl sina_finance")
    assert not (tmp_path / "other-output").exists()

    same_output = scrapy_crawl(site, site.output, tmp_path / "other-state" / "crawl.sqlite")
    assert_refused(same_output, site.output / ".lock", f"pid {first.pid}", "scrapy crawl sina_finance")
    assert not (tmp_path / "other-state" / "crawl.sqlite").exists()

    assert first.poll() is None, "the first crawl ended before the others tried: the test proved nothing"
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err[-3000:]
    summary = site.summary()
    assert summary["ok"] is True and summary["new"] == 8


def test_a_hand_run_crawl_beside_cron_refuses_and_cron_runs_its_own_crawl(site, tmp_path):
    cron = site.cron("since=2005-01-01", wait=False)
    state = site.work / "crawl.sqlite"
    wait_for_holder(state.with_name("crawl.sqlite.lock"), "scrapy crawl sina_finance")
    hand_run = scrapy_crawl(site, tmp_path / "hand-output", state)
    assert_refused(hand_run, state.with_name("crawl.sqlite.lock"), "scrapy crawl sina_finance", "LOG_FILE=")
    assert cron.poll() is None
    out, err = cron.communicate(timeout=300)
    assert cron.returncode == 0, out + err
    assert site.summary()["new"] == 8


def test_in_one_process_the_locks_are_taken_once_and_all_or_none(tmp_path):
    out, state_a, state_b = tmp_path / "out", tmp_path / "a" / "crawl.sqlite", tmp_path / "b" / "crawl.sqlite"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from crawler.store.lock import hold_crawl_locks; "
         f"hold_crawl_locks({{'STATE_PATH': {str(state_a)!r}, 'OUTPUT_DIR': {str(out)!r}}}); print('held', flush=True); "
         "time.sleep(60)"],
        cwd=ELSEWHERE, stdout=subprocess.PIPE, text=True)
    taken: list[Path] = []
    try:
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(LockHeld, match=f"another crawl holds {out / '.lock'} \\(pid {holder.pid}, started "):
            hold_crawl_locks({"STATE_PATH": str(state_b), "OUTPUT_DIR": str(out)})
        # All or none: the state lock taken before the output lock failed was let go again.
        taken = hold_crawl_locks({"STATE_PATH": str(state_b), "OUTPUT_DIR": str(tmp_path / "out2")})
        assert taken == [state_b.with_name("crawl.sqlite.lock"), tmp_path / "out2" / ".lock"]
        # Held by this process already (the command took them, then the extension asks): nothing new.
        assert hold_crawl_locks({"STATE_PATH": str(state_b), "OUTPUT_DIR": str(tmp_path / "out2")}) == []
    finally:
        holder.kill()
        holder.wait(timeout=10)
        holder.stdout.close()
        for path in taken:
            release(path)


def test_an_output_folder_that_is_a_file_is_a_usage_error_before_any_lock(site, tmp_path):
    """OUTPUT_DIR is checked with every setting before the locks (crawler.plumbing.setting_checks)."""
    output = tmp_path / "a-file"
    output.write_text("not a folder", encoding="utf-8")
    state = tmp_path / "state" / "crawl.sqlite"
    result = scrapy_crawl(site, output, state)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"scrapy crawl: error: bad -s OUTPUT_DIR='{output}': expected a folder (it is a file)")
    assert not state.exists() and not (tmp_path / "state").exists()


# A writer that marks the folder, starts a temp file and dies without cleaning up (as SIGKILL
# would leave it), and one that is still running with its temp file.
WRITER = """
import os, sys, time
from pathlib import Path
from crawler.store import atomic
root = Path(sys.argv[1])
atomic.writing(root)
(root / "2024-05-10").mkdir(exist_ok=True)
fd, name = atomic._create_temp(root / "2024-05-10" / "post.md")
os.write(fd, b"half a post")
print(name, flush=True)
if sys.argv[2] == "die":
    os._exit(9)
time.sleep(60)
"""


def test_a_killed_writer_s_temp_files_are_swept_a_running_writer_s_kept(tmp_path):
    from crawler.store.atomic import sweep_orphans

    dead = subprocess.run([sys.executable, "-c", WRITER, str(tmp_path), "die"], cwd=ELSEWHERE,
                          capture_output=True, text=True, timeout=60)
    orphan = Path(dead.stdout.strip())
    running = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), "live"], cwd=ELSEWHERE,
                               stdout=subprocess.PIPE, text=True)
    try:
        in_use = Path(running.stdout.readline().strip())
        assert orphan.exists() and in_use.exists()
        assert sweep_orphans(tmp_path) == 1
        assert not orphan.exists() and in_use.exists()
        marks = [m.name for m in tmp_path.glob(".writing-*")]
        assert marks == [marks[0].rsplit("-", 1)[0] + f"-{running.pid}"]  # the running writer's mark stays
    finally:
        running.kill()
        running.wait()
        running.stdout.close()
