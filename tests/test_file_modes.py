"""Files get the mode a plain ``open(path, "w")`` gives them (0o666 less the umask), folders
the mode of a plain ``mkdir``: posts, index, run summaries, state and locks, in real processes."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.crawl import ELSEWHERE, crawl_command, run_summary

WRITE = "import os, sys; from pathlib import Path; from crawler.store.atomic import write_atomic; " \
        "os.umask(int(sys.argv[1], 8)); write_atomic(Path(sys.argv[2]), b'post')"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def write_atomic_under(umask: int, path: Path) -> None:
    subprocess.run([sys.executable, "-c", WRITE, oct(umask), str(path)], cwd=ELSEWHERE, check=True, timeout=60)


@pytest.mark.parametrize(("umask", "file_mode", "dir_mode"), [(0o022, 0o644, 0o755), (0o027, 0o640, 0o750)])
def test_write_atomic_gives_a_new_file_the_umask_mode(tmp_path, umask, file_mode, dir_mode):
    target = tmp_path / "2018-12-28" / "post.md"
    write_atomic_under(umask, target)
    assert target.read_bytes() == b"post"
    assert oct(mode(target)) == oct(file_mode)
    assert oct(mode(target.parent)) == oct(dir_mode)


def test_write_atomic_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    target = tmp_path / "post.md"
    target.write_bytes(b"old")
    target.chmod(0o604)
    write_atomic_under(0o022, target)
    assert target.read_bytes() == b"post"
    assert oct(mode(target)) == oct(0o604)


@pytest.mark.parametrize(("umask", "file_mode", "dir_mode"), [(0o022, 0o644, 0o755), (0o027, 0o640, 0o750)])
def test_a_crawl_writes_every_file_with_the_umask_mode(tmp_path, mirror, umask, file_mode, dir_mode):
    output, state = tmp_path / "output", tmp_path / "state" / "crawl.sqlite"
    command = crawl_command(["-m", "scrapy", "crawl", "sina_article"], mirror=mirror, output=output, state=state,
                            spider_args=["urls=https://finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml"],
                            RUN_SUMMARY_FILE=str(tmp_path / "reports" / "summary.json"))
    result = subprocess.run(command, cwd=ELSEWHERE, capture_output=True, text=True, timeout=300, umask=umask)
    assert result.returncode == 0, result.stderr[-3000:]
    assert run_summary(output)["new"] == 1
    files = [*output.rglob("*.md"), output / ".posts.jsonl", *(output / ".runs").glob("*.json"),
             tmp_path / "reports" / "summary.json", state, output / ".lock", state.with_name("crawl.sqlite.lock")]
    assert len(files) == 8 and all(f.exists() for f in files)  # .runs: <start>.json and last.json
    assert {str(f.relative_to(tmp_path)): oct(mode(f)) for f in files} == {
        str(f.relative_to(tmp_path)): oct(file_mode) for f in files}
    folders = [output, output / "2018-12-28", output / ".runs", state.parent, tmp_path / "reports"]
    assert {str(f.relative_to(tmp_path)): oct(mode(f)) for f in folders} == {
        str(f.relative_to(tmp_path)): oct(dir_mode) for f in folders}
