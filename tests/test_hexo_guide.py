"""docs/hexo.md followed as written: its `_config.yml` lines in a real Hexo 8 site (tests/hexo),
its cron line run by ``sh`` from an empty $HOME with a UTC clock (pointed at the demo snapshot's
mirror), and the pages ``hexo generate`` wrote: each under its Beijing day, with no quote, space or
repeated date in its URL, and the 7x24 day post as a list of items with their times."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest
import yaml

from tests.support.crawl import FAST, PROJECT
from tests.support.hexo import ARTICLES, HEXO, hexo_site
from tests.support.sites import Site

GUIDE = PROJECT / "docs" / "hexo.md"
LIVE_TITLE = "新浪财经7x24 2024-05-10"


@pytest.fixture()
def site(tmp_path):
    site = Site(tmp_path / "demo")
    yield site
    site.close()


def block(language: str) -> str:
    """The one fenced block of ``language`` in the guide."""
    found = re.findall(rf"^```{language}\n(.*?)^```$", GUIDE.read_text(encoding="utf-8"), re.S | re.M)
    assert len(found) == 1, f"docs/hexo.md should hold one ```{language} block"
    return found[0]


def cron_line(root: Path, blog: Path, site: Site) -> str:
    """The guide's cron line (without the schedule) with its paths, pointed at the mirror: the
    main crawl of china since 2005 and the 7x24 crawl of the demo day, each with its own state."""
    line = block("cron").strip().split(None, 5)[5]
    common = " ".join(f"-s {name}={value}" for name, value in
                      {"SINA_MIRROR": site.mirror, "STATE_PATH": root / "replay" / "crawl.sqlite", **FAST}.items())
    line = line.replace("-m crawler.cron --spider sina_7x24 ", f"-m crawler.cron --spider sina_7x24 -a since=2024-05-10 "
                                                             f"{common} ")
    line = line.replace("-m crawler.cron -s", f"-m crawler.cron -a channels=china -a since=2005-01-01 {common} -s")
    line = line.replace(".venv/bin/python", sys.executable)
    return line.replace("/srv/sina-crawler", str(root)).replace("/srv/blog", str(blog))


def test_the_hexo_guide_as_written_gives_clean_urls_under_each_beijing_day(site, tmp_path):
    blog, root, home = hexo_site(tmp_path / "blog"), tmp_path / "checkout", tmp_path / "home"
    root.mkdir()
    home.mkdir()
    config = yaml.safe_load((blog / "_config.yml").read_text(encoding="utf-8"))
    config.update(yaml.safe_load(block("yaml")))
    config["theme"] = "check"  # the tests' minimal theme: it shows each post's title in <h1>
    (blog / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    (blog / "themes").mkdir()
    (blog / "themes" / "check").symlink_to(HEXO / "themes" / "check")

    env = {key: value for key, value in os.environ.items() if key not in ("SCRAPY_SETTINGS_MODULE", "PYTHONPATH")}
    result = subprocess.run(["sh", "-c", cron_line(root, blog, site)], cwd=home, capture_output=True, text=True,
                            env=env | {"HOME": str(home), "TZ": "UTC"}, timeout=600)
    out = (root / "logs" / "cron.out").read_text(encoding="utf-8")
    assert result.returncode == 0, out
    assert out.count("  result     OK") == 2, out

    pages = {}
    for page in (blog / "public").rglob("index.html"):
        title = lxml.html.document_fromstring(page.read_bytes()).xpath("string(//h1[@class='post-title'])")
        if title:
            pages[title] = page.parent.relative_to(blog / "public").as_posix()
    expected = {article.title: article.day for article in ARTICLES} | {LIVE_TITLE: "2024-05-10"}
    assert sorted(pages) == sorted(expected)
    for title, url in pages.items():
        assert not re.search(r"[\"' %]", url), url
        assert len(re.findall(r"\d{4}[/-]\d{2}[/-]\d{2}", url)) == 1, url  # the date once
        assert url.startswith(expected[title].replace("-", "/") + "/"), (title, url)

    live = (blog / "public" / pages[LIVE_TITLE] / "index.html").read_text(encoding="utf-8")
    assert '<ol class="zhibo-list">' in live
    assert ('<li class="zhibo-item" id="zhibo-4089142"><time datetime="2024-05-10T09:41:27+08:00">09:41:27</time> '
            "贵州茅台盘初涨超1%，白酒板块走强。") in live
