"""Screenshots of one post as a Hexo blog shows it, per body mode: docs/post-<mode>.png.

    .venv/bin/python docs/screenshots.py

Crawls the demo snapshot (a loopback mirror, no network) once per BODY_MODE, builds each crawl
with `hexo generate` (the Hexo 8 install of tests/hexo, its minimal theme `check`, TZ Beijing),
and has headless Chromium (Debian's `chromium`) photograph the 2024 article
城市有轨电车之困 over file://. Host names do not resolve in the browser, so the post's Sina
images show as broken: the pictures are about the text. seed-exact is the "before" picture.
Needs Node.js, `npm ci` in tests/hexo, `chromium` and a CJK font (e.g. fonts-wqy-zenhei).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
HEXO = PROJECT / "tests" / "hexo"  # the Hexo install and the check theme (files, not imports)
DOCS = PROJECT / "docs"
MODES = ("seed-exact", "seed", "clean", "markdown")
POST = "2024-05-10/城市有轨电车之困：一边争相上马，一边接连叫停.md"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--host-resolver-rules=MAP * ~NOTFOUND")
HEXO_CONFIG = """\
title: sina posts
url: http://example.com
source_dir: source
public_dir: public
permalink: :year/:month/:day/:title/
theme: check
marked:
  figcaption: true
"""


def start_mirror() -> tuple[subprocess.Popen, str]:
    """`python -m crawler.mirror demo/snapshot --port 0`, and its base URL."""
    process = subprocess.Popen([sys.executable, "-m", "crawler.mirror", str(PROJECT / "demo" / "snapshot"),
                                "--port", "0"], cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
    match = re.search(r"http://127\.0\.0\.1:\d+", process.stdout.readline())
    if not match:
        process.terminate()
        sys.exit("the mirror did not start")
    return process, match.group(0)


def crawl(mirror: str, mode: str, work: Path) -> Path:
    """The china channel of the snapshot, written in ``mode``; returns the posts folder."""
    output = work / "posts"
    command = [sys.executable, "-m", "scrapy", "crawl", "sina_finance", "-a", "channels=china",
               "-a", "since=2005-01-01"]
    for name, value in {"SINA_MIRROR": mirror, "OUTPUT_DIR": output, "STATE_PATH": work / "crawl.sqlite",
                        "BODY_MODE": mode, "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                        "LOG_LEVEL": "WARNING"}.items():
        command += ["-s", f"{name}={value}"]
    subprocess.run(command, cwd=PROJECT, check=True)
    return output


def generate(posts: Path, site: Path) -> Path:
    """`hexo generate` of a fresh site holding ``posts``; returns the page of POST."""
    (site / "themes").mkdir(parents=True)
    (site / "_config.yml").write_text(HEXO_CONFIG, encoding="utf-8")
    shutil.copyfile(HEXO / "package.json", site / "package.json")
    (site / "node_modules").symlink_to(HEXO / "node_modules")
    (site / "themes" / "check").symlink_to(HEXO / "themes" / "check")
    shutil.copytree(posts, site / "source" / "_posts", ignore=shutil.ignore_patterns(".*", "*.jsonl"))
    subprocess.run([str(site / "node_modules" / ".bin" / "hexo"), "generate", "--silent"], cwd=site, check=True,
                   env={**os.environ, "TZ": "Asia/Shanghai"})
    day, title = POST.removesuffix(".md").split("/")
    return site / "public" / day.replace("-", "/") / day / title / "index.html"


def screenshot(chromium: str, page: Path, png: Path, profile: Path) -> None:
    subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={png}",
                    "--window-size=900,1400", page.as_uri()], check=True, capture_output=True)


def main() -> int:
    chromium = shutil.which("chromium")
    if not chromium:
        sys.exit("chromium is not installed: apt-get install -y chromium")
    if not (HEXO / "node_modules" / "hexo").is_dir():
        sys.exit("Hexo is not installed: run `npm ci` in tests/hexo")
    process, mirror = start_mirror()
    try:
        with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp:
            for mode in MODES:
                work = Path(tmp) / mode
                page = generate(crawl(mirror, mode, work), work / "site")
                png = DOCS / f"post-{mode}.png"
                screenshot(chromium, page, png, work / "profile")
                print(f"{png.relative_to(PROJECT)}  {png.stat().st_size // 1024} KB")
    finally:
        process.terminate()
        process.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
