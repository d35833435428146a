"""Bodies safe to publish, judged where they are published: every hostile shape of
tests/support/hostile.py is served as a Sina page by the mirror, crawled by `scrapy crawl
sina_article` in each body mode, built by the real Hexo site, served from 127.0.0.1 and opened in
headless Chromium, which records any script run, dialog, navigation, new frame, request to
another host than the page's own (images: Sina's image hosts, or the host of an <img> the post
keeps: articles carry images from WeChat and partner sites) and any
active markup in the post's DOM; as loaded, and again after an ``innerHTML`` round trip of the
post's container. None may happen. `pytest -s` prints what each page did."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit

import lxml.html
import pytest

from tests.support.chromium import Chromium, Visit
from tests.support.crawl import run_crawl, run_summary, start_mirror, stop_mirror
from tests.support.hexo import hexo_generate, hexo_site
from tests.support.hostile import LEAD, SHAPES, title, write_snapshot

MODES = ("seed", "seed-exact", "clean", "markdown")
SINA_IMAGE_HOSTS = (".sinaimg.cn", ".sina.com.cn", ".sina.cn", ".sinajs.cn")
_IMG_SRC = re.compile(r"""<img\b[^>]*?\ssrc="([^"]*)"|!\[[^\]]*\]\(([^)]*)\)""")  # HTML or Markdown


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each mode's crawl of the hostile snapshot: mode -> OUTPUT_DIR."""
    root = tmp_path_factory.mktemp("hostile")
    urls = write_snapshot(root / "snapshot")
    (root / "urls.txt").write_text("\n".join(urls) + "\n", encoding="utf-8")
    process, mirror = start_mirror(root / "snapshot")
    outputs = {}
    try:
        for mode in MODES:
            output = root / mode / "posts"
            result = run_crawl("sina_article", output, mirror, f"url_file={root / 'urls.txt'}", BODY_MODE=mode)
            assert result.returncode == 0, result.stderr[-3000:]
            outputs[mode] = output
    finally:
        stop_mirror(process)
    return outputs


@pytest.fixture(scope="module")
def visits(crawled: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict]]:
    """mode -> shape name -> Visit of its Hexo page."""
    results: dict[str, dict[str, Visit]] = {}
    browsers = [Chromium(tmp_path_factory.mktemp("chromium")) for _ in range(2)]  # two cores
    try:
        for mode, output in crawled.items():
            posts = {str(p.relative_to(output)): p for p in output.rglob("*.md")}
            site = hexo_site(tmp_path_factory.mktemp(f"hexo-{mode}") / "site")
            built = hexo_generate(site, posts)
            assert built.returncode == 0, built.stdout + built.stderr
            images = {urlsplit(html or markdown).hostname for p in posts.values()
                      for html, markdown in _IMG_SRC.findall(p.read_text(encoding="utf-8"))}
            server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site / "public")))
            threading.Thread(target=server.serve_forever, daemon=True).start()
            base = f"http://127.0.0.1:{server.server_port}"

            def allowed(url: str, kind: str, base: str = base, images: set[str] = images) -> bool:
                host = urlsplit(url).hostname or ""
                if url.startswith(base + "/"):
                    return True
                return kind == "Image" and (host.endswith(SINA_IMAGE_HOSTS) or host in images)

            titles = {title(shape, number): shape.name for number, shape in enumerate(SHAPES, 1)}
            pages = {}
            for page in (site / "public").rglob("index.html"):
                shown = lxml.html.document_fromstring(page.read_bytes()).xpath("string(//h1[@class='post-title'])")
                if shown in titles:
                    pages[titles[shown]] = f"{base}/{quote(page.parent.relative_to(site / 'public').as_posix())}/"
            assert sorted(pages) == sorted(titles.values())
            results[mode] = visit_all(browsers, pages, allowed)
            server.shutdown()
            server.server_close()
    finally:
        for browser in browsers:
            browser.close()
    print("\n" + report(results))
    yield results


def visit_all(browsers: list[Chromium], pages: dict[str, str], allowed: Callable[[str, str], bool]) -> dict:
    """Each page's Visit, the pages shared out between the browsers (one thread each)."""
    names = list(pages)
    shares = [names[i :: len(browsers)] for i in range(len(browsers))]

    def visit_share(browser: Chromium, share: list[str]) -> dict[str, Visit]:
        return {name: browser.visit(pages[name], "div.post-body", allowed) for name in share}

    with ThreadPoolExecutor(max_workers=len(browsers)) as pool:
        return {name: visit for part in pool.map(visit_share, browsers, shares) for name, visit in part.items()}


def report(results: dict[str, dict[str, Visit]]) -> str:
    lines = ["| shape | mode | as loaded | after innerHTML round trip |", "|---|---|---|---|"]
    for name in (shape.name for shape in SHAPES):
        for mode, by_shape in results.items():
            visit = by_shape[name]
            lines.append(f"| {name} | {mode} | {'; '.join(visit.loaded) or 'nothing'} | "
                         f"{'; '.join(visit.round_trip) or 'nothing'} |")
    return "\n".join(lines)


def test_no_hostile_shape_does_anything_in_the_browser(visits):
    problems = [f"{mode} {name}: loaded {visit.loaded}, after round trip {visit.round_trip}"
                for mode, by_shape in visits.items() for name, visit in by_shape.items()
                if visit.loaded or visit.round_trip]
    assert not problems, "\n".join(problems)


def test_every_hostile_page_still_shows_its_article(visits):
    # The text before the shape is there in every mode; what follows a shape that swallows the
    # rest of the container for the page reader (an unclosed <style> or <xmp>) may not be.
    missing = [f"{mode} {name}" for mode, by_shape in visits.items() for name, visit in by_shape.items()
               if LEAD not in (visit.text or "")]
    assert not missing, missing


def test_the_run_summary_counts_what_was_removed(crawled):
    for mode, output in crawled.items():
        summary = run_summary(output)
        sanitized = summary["sanitized"]
        # The three shapes, and one of each other kind, are counted once per body.
        for what in ("element/math", "element/form", "css", "element/svg", "element/iframe", "element/base",
                     "element/meta", "element/noscript", "element/template", "url/javascript", "url/data",
                     "attribute/onerror"):
            assert sanitized.get(what, 0) >= 1, (mode, what, sanitized)
        assert summary["stats"]["article/sanitized"] <= len(SHAPES)
        assert summary["new"] == len(SHAPES), (mode, summary["dropped"])
