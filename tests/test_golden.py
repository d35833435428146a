"""Golden outputs: every saved page, raw bytes to the exact post (or the refusal) it must give.

The expected posts (tests/fixtures/pages/<page>/expected.md) were written once by
``python -m tests.regenerate`` and reviewed by hand against the page (NOTES.md, "Golden
review"); a change of output shows up here, and ``python -m tests.regenerate`` turns it into a
diff to review.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from crawler.items import Article, NotArticle
from crawler.sina.pages import read_page
from pipelines.format import render_post
from tests.support.crawl import ELSEWHERE
from tests.support.pages import fixture_pages

PAGES = fixture_pages()
ARTICLES = [pytest.param(page, id=page.stem) for page in PAGES if page.is_article]
NOT_ARTICLES = [pytest.param(page, id=page.stem) for page in PAGES if not page.is_article]


def test_every_page_is_covered():
    assert (len(ARTICLES), len(NOT_ARTICLES)) == (8, 3)


@pytest.mark.parametrize("page", ARTICLES)
def test_article_page_renders_its_expected_post_byte_for_byte(page):
    result = read_page(page.url, page.body(), page.headers)
    assert isinstance(result, Article), str(result)
    assert render_post(result).encode("utf-8") == page.expected_post()


@pytest.mark.parametrize("page", NOT_ARTICLES)
def test_non_article_page_is_refused_with_its_expected_reason(page):
    result = read_page(page.url, page.body(), page.headers)
    assert isinstance(result, NotArticle)
    assert result.reason == page.expected()["reason"]
    assert not page.expected_post_path.exists()


def test_regenerate_check_finds_nothing_to_change():
    result = subprocess.run(
        [sys.executable, "-m", "tests.regenerate", "--check"],
        cwd=ELSEWHERE,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "regenerate: 11 page(s), 0 file(s) would change"
