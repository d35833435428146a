"""The allowlist sanitizer: what it finds on the tree a browser builds, what it keeps byte for
byte, and what its rewrite leaves (tests/test_publish_safety.py judges the same bodies in
Chromium)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from crawler.items import Article
from crawler.sina.pages import read_page
from crawler.values import SHANGHAI
from pipelines.export import PostExportPipeline
from pipelines.format import render
from pipelines.format.sanitize import (
    Sanitized,
    findings,
    inert_attribute,
    rewrite,
    safe_css,
    safe_style_element,
    sanitize,
)
from pipelines.format.seed_body import seed_rewrite
from tests.reference_posts import POSTS, SEED, read_reference
from tests.support.hostile import SHAPES, page, url
from tests.support.pages import fixture_pages

BASE = "https://finance.sina.com.cn/roll/2021-10-27/doc-iktzqtyu3791404.shtml"
REFERENCE = [*sorted(POSTS.glob("*.md")), SEED]


@pytest.mark.parametrize("path", REFERENCE, ids=lambda p: p.name)
def test_reference_bodies_hold_nothing_to_remove(path):
    body = read_reference(path).body
    assert findings(body, style_elements=True) == ()
    assert sanitize(body, BASE, style_elements=True).html == body


@pytest.mark.parametrize("fixture", [p for p in fixture_pages() if p.is_article], ids=lambda p: p.stem)
def test_a_sina_article_loses_only_what_the_token_pass_removes(fixture):
    """Real articles: the token-level pass removes their ad iframes, handlers and background
    images one by one; what is left holds nothing to remove, so no article is re-serialised."""
    article = read_page(fixture.url, fixture.body(), fixture.headers)
    seed = seed_rewrite(article.body_html, article.url)
    assert findings(seed.html, style_elements=True) == ()


# What a browser would find in each of the issue's shapes, read off the HTML5 parsing rules.
ISSUE_SHAPES = [
    ('<math><mtext><table><mglyph><style><img src=x onerror=alert(15)></style></mglyph></table></mtext></math>',
     {"element/math", "element/mtext", "element/mglyph", "element/style"}),
    ('<form action="https://evil.example/"><input name=q></form>',
     {"element/form", "element/input"}),
    ('<div style="background:url(javascript:alert(14))">x</div>', {"css"}),
    ('<svg><style><img src=x onerror=alert(1)></style></svg>', {"element/svg", "element/style", "attribute/onerror",
                                                                 "url/relative"}),
    ("<body onload=alert(1)>", {"element/body", "attribute/onload"}),
    # Word's namespace declarations in pasted articles: a comment to an HTML parser.
    ('<?xml:namespace prefix = o ns = "urn:schemas-microsoft-com:office:office" /><p>x</p>', set()),
]


@pytest.mark.parametrize(("body", "expected"), ISSUE_SHAPES)
def test_findings_name_what_a_browser_would_build(body, expected):
    assert set(findings(body)) == expected


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.name)
def test_a_rewritten_hostile_body_holds_nothing_to_remove(shape):
    out = rewrite(shape.html, BASE)
    assert findings(out) == (), out
    assert rewrite(out, BASE) == out  # a second pass changes nothing


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.name)
@pytest.mark.parametrize("mode", ["seed", "seed-exact", "clean"])
def test_every_mode_writes_a_body_with_nothing_to_remove(shape, mode):
    number = SHAPES.index(shape) + 1
    text = render(read_page(url(number), page(shape, number).encode(), {}), mode).text
    body = text.split("\n---\n", 2)[2].replace("&#123;", "{").replace("&#125;", "}")
    assert findings(body, style_elements=True) == ()


def test_rewrite_keeps_links_safe_and_absolute():
    out = rewrite('<a href="/x.html" target="_blank" onclick="y()">a</a><img src="//n.sinaimg.cn/a.jpg" onerror=z>'
                  '<form><input></form>', BASE)
    assert out == ('<a href="https://finance.sina.com.cn/x.html" target="_blank" rel="noopener noreferrer">a</a>'
                   '<img src="https://n.sinaimg.cn/a.jpg">')


def test_rewrite_drops_other_schemes_and_frames_with_their_text_and_keeps_comments():
    # comments stay for clean mode (Sina's ad comment pairs); nh3's defaults would allow mailto:,
    # keep an <iframe>'s text and strip comments
    out = rewrite('<p>a<!-- ad start --></p><a href="mailto:x@y.cn">m</a><iframe>frame text</iframe>', BASE)
    assert out == '<p>a<!-- ad start --></p><a rel="noopener noreferrer">m</a>'


def test_an_attribute_name_no_browser_would_write_is_named_malformed():
    assert findings('<p a"b=1>x</p>') == ("attribute/malformed",)


def test_rewrite_drops_styles_that_load_or_cover():
    out = rewrite('<p style="color:red">a</p><p style="background:url(http://evil.example/t.png)">b</p>'
                  '<p style="position: fixed; top:0">c</p><style>.x{color:red}</style>', BASE)
    assert out == '<p style="color:red">a</p><p>b</p><p>c</p>'


@pytest.mark.parametrize(
    ("css", "safe"),
    [
        ("max-width: 640px;", True),
        ("color: rgb(0, 0, 0); width: calc(100% - 2px)", True),
        ("background:url(http://i1.sinaimg.cn/a.gif) no-repeat", False),
        ("background-image: u\\72l(x)", False),
        ("width: expression(alert(1))", False),
        ("xss:expr/*XSS*/ession(alert(1))", False),
        ("behavior: url(x.htc)", False),
        ("position:fixed;top:0", False),
        ("position: relative", True),
        ("background: image-set('x.png' 1x)", False),
    ],
)
def test_safe_css(css, safe):
    assert safe_css(css) is safe


def test_style_elements_must_hold_class_rules_only():
    assert safe_style_element(".appendQr_wrap{border:1px solid #E6E6E6;padding:8px;}")
    assert not safe_style_element("body{display:none}")
    assert not safe_style_element("@import 'http://evil.example/x.css';")
    assert not safe_style_element(".x{color:red} </style><img src=x>")


def test_the_exporter_counts_each_kind_once_per_body(tmp_path: Path):
    crawler = get_crawler(settings_dict={"OUTPUT_DIR": str(tmp_path / "out"), "STATE_PATH": str(tmp_path / "s.db")})
    crawler.stats.open_spider()
    exporter = PostExportPipeline.from_crawler(crawler)
    exporter.open_spider()
    when = datetime(2021, 10, 27, 10, 8, 49, tzinfo=SHANGHAI)
    bodies = ['<p>a</p><iframe src="https://evil.example/"></iframe><iframe></iframe>',
              '<p>b</p><svg><a onclick="x()">s</a></svg>', "<p>c</p>"]
    for n, body in enumerate(bodies):
        exporter.process_item(Article(url=f"{BASE[:-20]}{n:06d}.shtml", doc_id=f"x{n}", title=f"标题{n}",
                                      published_at=when, body_html=body))
    stats = crawler.stats.get_stats()
    # The token pass removes the iframes and the handler; the tree check then finds the <svg>.
    assert {k: v for k, v in stats.items() if k.startswith("article/sanitized")} == {
        "article/sanitized": 2, "article/sanitized/element/iframe": 1, "article/sanitized/attribute/onclick": 1,
        "article/sanitized/element/svg": 1,
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('<p nodescore="4" extrascore="0">x</p>', set()),  # Sina's CMS scores: inert
        ('<p width="3" data-page="2/3" data-t="a b">x</p>', set()),
        # URLs: a lazy-loading theme script fetches data-src/data-original
        ('<img src="https://n.sinaimg.cn/a.png" data-original="https://evil.example/t.png">',
         {"attribute/data-original"}),
        ('<p data-src="//evil.example/t.png">x</p>', {"attribute/data-src"}),
        ('<p data-href="javascript:alert(1)">x</p>', {"attribute/data-href"}),
        ('<p data-x=" data:text/html,x">x</p>', {"attribute/data-x"}),
        ('<table background="https://evil.example/t.png"><tr><td>x</td></tr></table>', {"attribute/background"}),
        ('<img src="https://n.sinaimg.cn/a.png" srcset="https://evil.example/b.png 2x">', {"attribute/srcset"}),
        ('<p is="x-run">x</p>', {"attribute/is"}),
    ],
)
def test_attributes_outside_the_allowlist_are_kept_only_when_inert(body, expected):
    assert set(findings(body)) == expected
    kept = sanitize(body, BASE).html
    assert findings(kept) == ()
    if not expected:
        assert kept == body


def test_a_rewrite_keeps_inert_attributes_and_only_reports_what_it_removed():
    out = sanitize('<p nodescore="4">a</p><svg><p data-x="javascript:x" extrascore="0">b</p></svg>', BASE)
    assert out == Sanitized('<p nodescore="4">a</p><p extrascore="0">b</p>', ("attribute/data-x", "element/svg"))


def test_a_rewrite_keeps_inert_style_blocks_in_place_and_style_in_comments_as_comments():
    body = ('<style>.a{color:red}</style><p data-x="7" onclick="go()">t</p>'
            '<!--<style>.b{color:blue}</style>--><style>body{display:none}</style><style>.c{color:green}</style>')
    kept = sanitize(body, BASE, style_elements=True)
    assert kept == Sanitized('<style>.a{color:red}</style><p data-x="7">t</p><!--<style>.b{color:blue}</style>-->'
                             '<style>.c{color:green}</style>', ("attribute/onclick", "css"))


def test_a_body_holding_the_style_marker_keeps_it_as_it_was():
    body = '<!--sanitize-style-0--><p onclick="go()">sanitize-style-0</p><style>.a{color:red}</style>'
    assert sanitize(body, BASE, style_elements=True) == Sanitized(
        '<!--sanitize-style-0--><p>sanitize-style-0</p><style>.a{color:red}</style>', ("attribute/onclick",))


def test_a_style_block_with_an_active_attribute_is_dropped_with_the_rest_of_the_rewrite():
    body = '<p onclick="go()">t</p><style onload="go()">.a{color:red}</style>'
    assert sanitize(body, BASE, style_elements=True) == Sanitized("<p>t</p>", ("attribute/onclick", "attribute/onload"))


def test_an_inert_attribute_name_keeps_only_its_inert_values():
    body = '<p data-src="x.jpg">a</p><p data-src="//evil.example/t.js">b</p>'
    assert sanitize(body, BASE) == Sanitized('<p data-src="x.jpg">a</p><p>b</p>', ("attribute/data-src",))


def test_style_and_hosts_behind_a_backslash_or_a_tab_are_never_inert():
    assert inert_attribute("data-x", "x") and not inert_attribute("style", "x")
    assert not inert_attribute("data-src", "\\/evil.example/t.js")
    assert not inert_attribute("data-src", "/\\evil.example/t.js")
    assert not inert_attribute("data-src", "/\t/evil.example/t.js")  # a URL parser drops the tab: //evil.example
