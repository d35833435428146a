"""What ``python -m crawler.cron`` does: the run lock, the crawl in its own session with signals
forwarded once, pruning of old logs and summaries, and the one-screen summary."""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import FrameType
from typing import IO

from crawler.plumbing.reach import EXIT_FAILED, EXIT_LOCKED, EXIT_USAGE, outcome
from crawler.plumbing.setting_checks import SettingError, check_settings
from crawler.plumbing.summary_lines import human_summary

__all__ = ["EXIT_FAILED", "EXIT_LOCKED", "EXIT_USAGE", "human_summary"]
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class LockHeld(RuntimeError):
    pass


@contextlib.contextmanager
def run_lock(path: Path, description: str) -> Iterator[None]:
    """An exclusive ``flock`` on ``path`` for the life of the block; the file names the holder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle: IO[str] = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole block
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown holder"
            raise LockHeld(f"another run holds {path}: {holder}") from None
        handle.seek(0)
        handle.truncate()
        handle.write(description)
        handle.flush()
        yield
    finally:
        handle.close()


class Forwarder:
    """While installed, each SIGINT/SIGTERM cron receives goes to the crawl once (Scrapy stops
    gracefully on the first and forces on the second); the first one sets cron's exit status."""

    def __init__(self) -> None:
        self.child: subprocess.Popen | None = None
        self.pending: list[int] = []
        self.received: list[int] = []

    def __call__(self, signum: int, _frame: FrameType | None) -> None:
        self.received.append(signum)
        if self.child is None:
            self.pending.append(signum)  # the crawl is not started yet: it gets it at attach()
        else:
            self.send(signum)

    def send(self, signum: int) -> None:
        assert self.child is not None
        with contextlib.suppress(ProcessLookupError):
            self.child.send_signal(signum)

    def attach(self, child: subprocess.Popen) -> None:
        self.child = child
        while self.pending:
            self.send(self.pending.pop(0))

    @contextlib.contextmanager
    def installed(self) -> Iterator[Forwarder]:
        if threading.current_thread() is not threading.main_thread():
            yield self  # signals reach the main thread only; nothing to install
            return
        previous = {signum: signal.signal(signum, self) for signum in STOP_SIGNALS}
        try:
            yield self
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


def last_error(log_file: Path) -> str:
    """The last traceback line or ERROR line of a log, to say why a crawl could not start."""
    try:
        lines = log_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "(no log was written)"
    for line in reversed(lines):
        if "ERROR" in line or "Error:" in line:
            return line.strip()
    return lines[-1].strip() if lines else "(the log is empty)"


def explain(summary: dict, log_file: Path) -> dict:
    """A crawl that never opened says so with its real cause, the last error of its log."""
    if summary.get("crawl_started") is False:
        summary["problems"] = [f"the crawl did not start: {last_error(log_file)}"]
    return summary


def prune(files: Iterable[Path], keep_days: int) -> None:
    """Delete the files last modified more than ``keep_days`` days ago."""
    cutoff = time.time() - keep_days * 86400
    for old in files:
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < cutoff:
                old.unlink()


def find_project() -> None:
    """Let Scrapy find this project's settings from any working folder: cron starts jobs in
    ``$HOME``, where no scrapy.cfg is. The crawl subprocess inherits it; a scrapy.cfg still wins."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")


def output_dir(overrides: list[str]) -> Path:
    """OUTPUT_DIR as the crawl will see it: the project settings with the -s overrides, every one
    checked first (SettingError names a bad one)."""
    from scrapy.utils.project import get_project_settings  # only cron's start pays for it

    settings = get_project_settings()
    settings.setdict(dict(value.split("=", 1) for value in overrides if "=" in value), priority="cmdline")
    check_settings(settings)
    return Path(settings.get("OUTPUT_DIR") or "output")


def settings_problem(overrides: list[str]) -> str | None:
    """A bad setting, as scrapy crawl would name it, so cron says it before its lock or any folder."""
    find_project()
    try:
        output_dir(overrides)
    except SettingError as error:
        return str(error)
    return None


def run(args: argparse.Namespace, stamp: str) -> int:
    find_project()
    try:
        runs_dir = output_dir(args.settings) / ".runs"
        runs_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(f"crawl-cron: not starting: cannot create the output folder (OUTPUT_DIR): {error}", file=sys.stderr)
        return EXIT_FAILED
    args.log_dir.mkdir(parents=True, exist_ok=True)
    prune(args.log_dir.glob("crawl-*.log"), args.keep_logs)
    prune((p for p in runs_dir.glob("*.json") if p.name != "last.json"), args.keep_logs)
    log_file = args.log_dir / f"crawl-{stamp}.log"
    summary_file = args.lock.parent / f"summary-{stamp}.json"
    command = [sys.executable, "-m", "scrapy", "crawl", args.spider,
               "-s", f"LOG_FILE={log_file}", "-s", f"RUN_SUMMARY_FILE={summary_file}"]
    for value in args.spider_args:
        command += ["-a", value]
    for value in args.settings:
        command += ["-s", value]
    with Forwarder().installed() as forwarder:
        # Its own session: a terminal's Ctrl-C reaches cron only, which forwards it once.
        child = subprocess.Popen(command, start_new_session=True)
        forwarder.attach(child)
        returncode = child.wait()
    stopped = forwarder.received[0] if forwarder.received else None
    if stopped is not None:
        how = "forced to stop (a second signal)" if len(forwarder.received) > 1 else "asked to stop"
        print(f"crawl-cron: {signal.Signals(stopped).name} received; the crawl was {how}", file=sys.stderr)
    if not summary_file.exists() and stopped is None and returncode in (EXIT_USAGE, EXIT_LOCKED):
        return returncode  # a usage error or a held lock: the crawl command said why in one line
    if not summary_file.exists():
        print(f"crawl-cron: the crawl ended (exit {returncode}) without a run summary; see {log_file}",
              file=sys.stderr)
        print(last_error(log_file), file=sys.stderr)
        return 128 + stopped if stopped else EXIT_FAILED
    summary = explain(json.loads(summary_file.read_text(encoding="utf-8")), log_file)
    summary_file.unlink()
    print(human_summary(summary, log_file))
    if stopped is not None:
        return 128 + stopped
    code = outcome(summary, strict=args.strict)
    if args.strict and code and summary.get("stale_channels") and summary["ok"]:
        print("crawl-cron: --strict: stale channel(s): " + ", ".join(summary["stale_channels"]), file=sys.stderr)
    # The same rule as scrapy crawl's exit status; a crawl that failed without saying so in the summary fails too.
    return code or (EXIT_FAILED if returncode else 0)
