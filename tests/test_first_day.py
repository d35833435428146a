"""A user's first day: the README's two commands in its order, and the cron line of the docs on a
fresh checkout from cron's working folder ($HOME).

The suite runs outside the checkout (tests/conftest.py); these check that it keeps doing so, and
that the commands a user copies work where cron starts them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.crawl import FAST, PROJECT, run_summary
from tests.support.sites import Site

# The line README.md and docs/operations.md show ("Cron"), with /srv/sina-crawler as {root} and the venv's python.
CRON_LINE = "cd {root} && mkdir -p logs && {python} -m crawler.cron{options} >> logs/cron.out 2>&1"


@pytest.fixture()
def site(tmp_path):
    site = Site(tmp_path)
    yield site
    site.close()


def cron_env(home: Path) -> dict[str, str]:
    """cron's environment: HOME, a plain PATH, nothing that points at the project."""
    env = {key: value for key, value in os.environ.items() if key not in ("SCRAPY_SETTINGS_MODULE", "PYTHONPATH")}
    return env | {"HOME": str(home)}


def overrides(site: Site) -> str:
    settings = {"SINA_MIRROR": site.mirror, "OUTPUT_DIR": str(site.output),
                "STATE_PATH": str(site.work / "crawl.sqlite"), **FAST}
    return "".join(f" -s {name}={value}" for name, value in settings.items()) + " -a channels=china -a since=2005-01-01"


def test_no_test_runs_a_command_in_the_checkout():
    """Every subprocess of the suite starts in tests.support.crawl.ELSEWHERE, not the checkout
    (whose output/, .state/ and logs/ a run of the README's command 1 fills)."""
    offenders = [f"{path.relative_to(PROJECT)}:{number}"
                 for path in sorted((PROJECT / "tests").rglob("*.py")) if "node_modules" not in path.parts
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"cwd=(PROJECT|Path\.cwd\(\)|os\.getcwd\(\))", line)]
    assert offenders == []


def test_the_suite_runs_outside_the_checkout():
    here = Path.cwd().resolve()
    assert here != PROJECT and PROJECT not in here.parents
    assert not (here / "scrapy.cfg").exists()


def test_the_docs_cron_line_works_on_a_fresh_checkout_started_from_home(site, tmp_path):
    home, root = tmp_path / "home", tmp_path / "srv" / "sina-crawler"
    home.mkdir()
    root.mkdir(parents=True)  # a fresh checkout: no logs/, no .state/
    line = CRON_LINE.format(root=root, python=sys.executable, options=overrides(site))
    result = subprocess.run(["sh", "-c", line], cwd=home, env=cron_env(home), capture_output=True, text=True,
                            timeout=300)
    out = (root / "logs" / "cron.out").read_text(encoding="utf-8")
    assert result.returncode == 0, result.stderr + out
    assert "result     OK" in out, out
    assert run_summary(site.output)["ok"] and run_summary(site.output)["new"] == len(site.posts()) > 0
    assert list((root / "logs").glob("crawl-*.log")) and (root / ".state" / "crawl.lock").exists()
    assert sorted(p.name for p in home.iterdir()) == []


def test_cron_started_outside_any_project_folder_finds_the_project(site, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    command = [sys.executable, "-m", "crawler.cron", "--lock", str(site.work / "crawl.lock"),
               "--log-dir", str(site.work / "logs"), *overrides(site).split()]
    result = subprocess.run(command, cwd=home, env=cron_env(home), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no active project" not in result.stdout + result.stderr
    assert sorted(p.name for p in home.iterdir()) == []
