"""The cron entry point: ``python -m crawler.cron [-a name=value …] [-s NAME=VALUE …]``.

Takes a lock so two runs never overlap (a second run exits 75 at once, naming the holder),
runs ``scrapy crawl sina_finance`` with a dated log file, prints a one-screen summary and
exits 0 only when the crawl finished normally, logged no error and got a usable roll reply.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

EXIT_LOCKED = 75  # EX_TEMPFAIL: try again later
EXIT_FAILED = 1


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


def human_summary(summary: dict, log_file: Path) -> str:
    dropped = ", ".join(f"{k} {v}" for k, v in summary["dropped"].items()) or "none"
    lines = [
        f"sina_finance run {summary['started']} -> {summary['finished']}: {summary['finish_reason']}",
        f"  channels   {', '.join(summary['channels']) or '-'}",
        f"  posts      {summary['new']} new, {summary['updated']} updated, {summary['unchanged']} unchanged",
        f"  dropped    {dropped}",
        f"  requests   {summary['requests']} ({summary['roll_pages']} roll pages, "
        f"{summary['article_requests']} articles, {summary['retries']} retries)",
        f"  errors     {summary['errors']}",
        f"  log        {log_file}",
        "  result     OK" if summary["ok"] else "  result     FAILED: " + "; ".join(summary["problems"]),
    ]
    return "\n".join(lines)


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


def prune_logs(log_dir: Path, keep_days: int) -> None:
    cutoff = time.time() - keep_days * 86400
    for old in log_dir.glob("crawl-*.log"):
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < cutoff:
                old.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.cron", description=__doc__.splitlines()[0])
    parser.add_argument("-a", dest="spider_args", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--lock", type=Path, default=Path(".state/crawl.lock"))
    parser.add_argument("--log-dir", type=Path, default=Path("logs"))
    parser.add_argument("--keep-logs", type=int, default=30, help="days of log files to keep")
    parser.add_argument("--spider", default="sina_finance")
    args = parser.parse_args(argv)

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    description = json.dumps({"pid": os.getpid(), "started": stamp, "command": " ".join(sys.argv)})
    try:
        with run_lock(args.lock, description):
            return run(args, stamp)
    except LockHeld as error:
        print(f"crawl-cron: not starting: {error}", file=sys.stderr)
        return EXIT_LOCKED


def run(args: argparse.Namespace, stamp: str) -> int:
    args.log_dir.mkdir(parents=True, exist_ok=True)
    prune_logs(args.log_dir, args.keep_logs)
    log_file = args.log_dir / f"crawl-{stamp}.log"
    summary_file = args.lock.parent / f"summary-{stamp}.json"
    command = [sys.executable, "-m", "scrapy", "crawl", args.spider,
               "-s", f"LOG_FILE={log_file}", "-s", f"RUN_SUMMARY_FILE={summary_file}"]
    for value in args.spider_args:
        command += ["-a", value]
    for value in args.settings:
        command += ["-s", value]
    returncode = subprocess.call(command)
    if not summary_file.exists():
        print(f"crawl-cron: the crawl ended (exit {returncode}) without a run summary; see {log_file}",
              file=sys.stderr)
        print(last_error(log_file), file=sys.stderr)
        return EXIT_FAILED
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    summary_file.unlink()
    print(human_summary(summary, log_file))
    return 0 if summary["ok"] and returncode == 0 else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
