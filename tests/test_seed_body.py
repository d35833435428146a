"""Seed-mode body rules (output-format.md §5.2-5.3), one behaviour per test."""

from __future__ import annotations

import pytest

from pipelines.format.seed_body import seed_body

BASE = "https://finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml"


def test_scripts_are_removed_with_their_content():
    assert seed_body("<p>a</p><script>var x = '<p>';</script><p>b</p>", BASE) == "<p>a</p><p>b</p>"


def test_event_handlers_are_removed_from_every_element():
    out = seed_body('<div onclick="x()"><img src="a.jpg" onerror="y()" onload="z()"></div>', BASE)
    assert "on" not in out.replace("no-referrer", "")


def test_links_are_made_absolute_and_http_links_stay_http():
    out = seed_body('<a href="/a.html">x</a><a href="//b.com/p">y</a><a href="http://c.com/">z</a>', BASE)
    assert out == (
        '<a href="https://finance.sina.com.cn/a.html">x</a>'
        '<a href="https://b.com/p">y</a><a href="http://c.com/">z</a>'
    )


def test_javascript_links_lose_their_href():
    assert seed_body('<a href="javascript:alert(1)">x</a>', BASE) == "<a>x</a>"


def test_images_absolute_with_one_referrerpolicy_last_and_no_slash():
    out = seed_body('<img referrerpolicy="origin" src="//n.sinaimg.cn/a.jpg" alt=""/>', BASE)
    assert out == '<img src="https://n.sinaimg.cn/a.jpg" alt referrerpolicy="no-referrer">'


def test_lazy_image_gets_src_from_first_image_like_attribute():
    out = seed_body('<img class="x" data-src="//n.sinaimg.cn/a.png">', BASE)
    assert out == (
        '<img class="x" data-src="//n.sinaimg.cn/a.png" src="https://n.sinaimg.cn/a.png" '
        'referrerpolicy="no-referrer">'
    )


def test_empty_attributes_are_bare_and_others_double_quoted():
    assert seed_body("<div class='v' id=x style=\"\"></div>", BASE) == '<div class="v" id="x" style></div>'


def test_comments_are_kept_untouched():
    comment = '<!--article_adlist[<img src="//n.sinaimg.cn/a.jpg" cms-width="677"/>]article_adlist-->'
    assert seed_body(comment, BASE) == comment


def test_character_references_are_decoded_but_escaped_markup_stays_text():
    out = seed_body("<p>A&amp;B&nbsp;C &#123; &lt;script&gt;alert(1)&lt;/script&gt; 1 &lt; 2</p>", BASE)
    assert out == "<p>A&B\u00a0C { &lt;script>alert(1)&lt;/script> 1 < 2</p>"


def test_whitespace_and_style_blocks_are_verbatim():
    body = "\n\n\t<style>\n.a{b:c}\n</style>\n  <p>\u3000\u3000x</p>\n\n"
    assert seed_body(body, BASE) == body


def test_quote_inside_attribute_value_stays_inside_the_attribute():
    assert seed_body('<img alt="a &quot;b&quot;" src="x.jpg">', BASE).startswith('<img alt="a &quot;b&quot;"')


def test_active_elements_are_removed_with_their_content():
    body = ('<p>a</p><iframe src="https://x.com/"><p>inner</p></iframe><object data="x.swf"><param name="a">'
            '</object><embed src="x.swf"><noscript><img src="t.gif"></noscript><meta http-equiv="refresh">'
            '<base href="https://evil/"><p>b</p>')
    assert seed_body(body, BASE) == "<p>a</p><p>b</p>"


def test_script_urls_are_removed_from_every_url_attribute():
    out = seed_body('<img src="javascript:alert(1)" alt="x"><a href=" JavaScript:x()">y</a>'
                    '<form action="javascript:z()"></form><a href="data:text/html,<script>">d</a>', BASE)
    assert "javascript" not in out.lower() and "data:text/html" not in out
    assert out.startswith('<img alt="x" referrerpolicy="no-referrer">')


@pytest.mark.parametrize(("body", "expected"), [
    ("<SCRIPT", "&lt;SCRIPT"),
    ("<p>x</p><scr", "<p>x</p>&lt;scr"),
    ("<SCRIPT<", "&lt;SCRIPT<"),  # a last lone "<" is text to a browser
    ("<?<SCRIPT>", "<?&lt;SCRIPT>"),
    ("1 < 2", "1 < 2"),
])
def test_unterminated_and_odd_tags_stay_text(body, expected):
    # Found by the property test of test_hostile.py: an unterminated tag at the very end came
    # out as live markup.
    assert seed_body(body, "https://finance.sina.com.cn/") == expected
