"""Escaped markup in a page's text stays text in the post, wherever it stands in the body."""

from __future__ import annotations

from pathlib import Path

from crawler.items import Article
from crawler.sina.pages import read_page
from pipelines.format import render_post

# A real 2018 page (the same bytes as the fixture), whose body container opens on this line.
PAGE = Path(__file__).resolve().parents[1] / "demo/snapshot/pages/finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml"
URL = "https://finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml"
OPENING = b'<div class="article" id="artibody">'


def post_with_text_after_opening(text: bytes) -> str:
    body = PAGE.read_bytes()
    assert body.count(OPENING) == 1
    result = read_page(URL, body.replace(OPENING, OPENING + text))
    assert isinstance(result, Article)
    return render_post(result)


def test_escaped_tags_before_the_first_child_stay_text():
    post = post_with_text_after_opening(b"A &lt;script&gt;x&lt;/script&gt; B")
    assert "A &lt;script>x&lt;/script> B" in post
    assert "<script>" not in post


def test_escaped_ampersand_and_angle_before_the_first_child_read_as_text():
    post = post_with_text_after_opening(b"1 &lt; 2 &amp;&amp; 3 &gt; 2")
    assert "1 < 2 && 3 > 2" in post


def test_escaped_tags_in_a_childs_tail_stay_text():
    body = PAGE.read_bytes().replace(OPENING, OPENING + b"<br>tail &lt;iframe src=x&gt;")
    post = render_post(read_page(URL, body))
    assert "<br>tail &lt;iframe src=x>" in post
    assert "<iframe" not in post
