"""A private, editable copy of the demo snapshot served by a real mirror process, and the
cron command run against it as a subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import yaml

from tests.support.crawl import ELSEWHERE, PROJECT, crawl_command, run_summary, start_mirror, stop_mirror

DEMO = PROJECT / "demo" / "snapshot"


class Site:
    """A private copy of the demo snapshot, its mirror, and a work folder for one test."""

    def __init__(self, root: Path, *mirror_args: str) -> None:
        self.snapshot = root / "snapshot"
        shutil.copytree(DEMO, self.snapshot)
        self.work = root / "work"
        self.output = self.work / "posts"
        self.process, self.mirror = start_mirror(self.snapshot, *mirror_args)

    def cron(self, *args: str, lock: Path | None = None, wait: bool = True, **settings: str):
        entry = ["-m", "crawler.cron", "--lock", str(lock or self.work / "crawl.lock"), "--log-dir", str(self.work / "logs")]
        command = crawl_command(entry, mirror=self.mirror, output=self.output, state=self.work / "crawl.sqlite",
                                spider_args=args, **settings)
        if not wait:
            return subprocess.Popen(command, cwd=ELSEWHERE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return subprocess.run(command, cwd=ELSEWHERE, capture_output=True, text=True, timeout=300)

    def summary(self) -> dict:
        return run_summary(self.output)

    def posts(self) -> dict[str, Path]:
        return {str(p.relative_to(self.output)): p for p in self.output.rglob("*.md")}

    def mtimes(self) -> dict[str, int]:
        return {name: path.stat().st_mtime_ns for name, path in self.posts().items()}

    def edit_roll(self, doc_id: str, **fields: str) -> None:
        roll = self.snapshot / "roll.jsonl"
        items = [json.loads(line) for line in roll.read_text(encoding="utf-8").splitlines()]
        for item in items:
            if item["docid"] == f"comos:{doc_id}":
                item.update(fields)
        roll.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")

    def add_faults(self, *rules: dict) -> None:
        (self.snapshot / "faults.yaml").write_text(yaml.safe_dump(list(rules), allow_unicode=True), encoding="utf-8")

    def restart_mirror(self, *mirror_args: str) -> None:
        stop_mirror(self.process)
        self.process, self.mirror = start_mirror(self.snapshot, *mirror_args)

    def crawl_log(self) -> str:
        return sorted((self.work / "logs").glob("crawl-*.log"))[-1].read_text(encoding="utf-8")

    def close(self) -> None:
        stop_mirror(self.process)
