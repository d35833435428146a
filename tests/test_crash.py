"""SIGKILL a running crawl at several points, rerun, and check that nothing is lost,
duplicated or half-written, and that the state agrees with the files."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import frontmatter

from crawler.store.state import SQLiteState as CrawlState
from tests.support.crash import ARTICLES, crash_crawl_command, kill_when, synthetic_site
from tests.support.crawl import ELSEWHERE
from tests.support.sites import Site


def test_killed_runs_converge_to_exactly_one_complete_file_per_article(tmp_path):
    site = Site(tmp_path)
    try:
        titles = synthetic_site(site)
        seen = [kill_when(site, threshold) for threshold in (0, 5, 17, 29, 41, 53)]
        print("posts present at each kill:", seen)
        assert seen[0] < ARTICLES  # killed while still downloading
        final = subprocess.run(crash_crawl_command(site), cwd=ELSEWHERE, capture_output=True, text=True, timeout=300)
        assert final.returncode == 0, final.stderr[-2000:]
    finally:
        site.close()

    posts = sorted(site.output.rglob("*.md"))
    assert len(posts) == ARTICLES
    assert {frontmatter.loads(p.read_text(encoding="utf-8"))["title"] for p in posts} == set(titles.values())
    for post in posts:
        assert post.read_text(encoding="utf-8").endswith("  \n</div>\n" + " " * 12)
    assert not [p for p in site.output.rglob("*") if p.name.endswith(".tmp")]

    state = CrawlState(site.work / "crawl.sqlite")
    known = state.known()
    state.close()
    assert set(known) == set(titles)
    for doc_id, record in known.items():
        data = Path(record.output_path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == record.content_hash
        assert frontmatter.loads(data.decode("utf-8"))["title"] == titles[doc_id]
    index = [json.loads(line) for line in (site.output / ".posts.jsonl").read_text(encoding="utf-8").splitlines()]
    owners = {entry["path"]: entry["doc_id"] for entry in index}
    assert len(owners) == ARTICLES and set(owners.values()) == set(titles)
