"""The lean tokenizer calls the same HTMLParser handlers, with the same arguments, as HTMLParser.

Whenever ``feed_whole`` does not give up (``Unusual``), its events must equal those of
``HTMLParser.feed(text); close()``; and it must not give up on the bodies of real articles,
or the speed-up would be a claim only.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.items import Article
from crawler.sina.pages import read_page
from pipelines.format.html_tokens import Unusual, feed_whole
from tests.support.hostile import SHAPES
from tests.support.pages import fixture_pages


class Recorder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        self.events.append(("start", tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.events.append(("startend", tag, attrs))

    def handle_endtag(self, tag):
        self.events.append(("end", tag))

    def handle_data(self, data):
        self.events.append(("data", data))

    def handle_comment(self, data):
        self.events.append(("comment", data))

    def handle_decl(self, decl):
        self.events.append(("decl", decl))

    def handle_pi(self, data):
        self.events.append(("pi", data))

    def unknown_decl(self, data):
        self.events.append(("unknown_decl", data))


def stdlib_events(text: str) -> list[tuple]:
    parser = Recorder()
    parser.feed(text)
    parser.close()
    return parser.events


def lean_events(text: str) -> list[tuple] | None:
    parser = Recorder()
    try:
        feed_whole(parser, text)
    except Unusual:
        return None
    return parser.events


def article_bodies() -> list[tuple[str, str]]:
    bodies = []
    for page in fixture_pages():
        result = read_page(page.url, page.body(), page.headers)
        if isinstance(result, Article):
            bodies.append((page.stem, result.body_html))
    return bodies


@pytest.mark.parametrize(("name", "body"), article_bodies(), ids=lambda v: v if len(v) < 80 else None)
def test_real_article_bodies_take_the_lean_path_with_the_same_events(name, body):
    events = lean_events(body)
    assert events is not None, f"{name}: the lean tokenizer gave up on a real article body"
    assert events == stdlib_events(body)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.name)
def test_hostile_shapes_give_the_same_events_or_none(shape):
    events = lean_events(shape.html)
    assert events is None or events == stdlib_events(shape.html)


TRICKY = [
    '<a href="x"/>', "<br />", "<br/>", "<p\nclass='a'\n>x</p\n>", "<P CLASS=\"A\">X</P>", "<a href=x/>y</a>",
    "<img src=a alt=b>", '<a b="c"d>', "<o:p></o:p>", "</ p >", "< p>", "a < b > c", "1<2", "<3", "x<",
    "<!-- a -- >b", "<!---->", "<!-->", "<!-- unclosed", "<!DOCTYPE html>", "<?php ?>", "<![CDATA[x]]>",
    "<script>if (a < b && c) {}</script>", "<style>p > a { x: '&amp;' }</style>", "<script>x", "</script>",
    "<script/>a", "<SCRIPT>x</script >y", "<title>a &amp; <b>b</b></title>", '<a title="a>b">c</a>',
    "<a href='&#106;avascript:x'>", "&amp;&lt;&gt;&#60;&#x3c;&nbsp;&copy &unknown; &", '<p a="" b c=\'\'>',
    "<br/ >", "<p a=\"1\"/ >", "<p a = \"1\" >", "<p a==1>", "<div\tid=x>", "<p/x>", "<a/b='c'>", "<p \x00>", "中文<p>段落</p>",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_markup_gives_the_same_events_or_none(text):
    events = lean_events(text)
    assert events is None or events == stdlib_events(text)


def test_common_shapes_do_not_give_up():
    for text in ('<p class="a">x</p>', "<br/>", "<!-- c -->", "<script>a<b</script>", "<a href=x>y</a>", "a < b"):
        assert lean_events(text) is not None, text


PIECES = ["<p>", "</p>", "<a href=\"x&amp;y\">", "<a href=x>", "</a>", "<img src='i.png' alt>", "<br/>", "<br />",
          "<!-- c -->", "<!--", "-->", "--", "<script>", "</script>", "<style>", "</style>", "<title>", "</title>",
          "&amp;", "&#60;", "&#x3e;", "&lt", "&", "<", ">", "/", "\"", "'", "=", " ", "\n", "\t", "a", "中", "<o:p>",
          "<!DOCTYPE x>", "<?pi?>", "</ p >", "<p class=foo>", "<P CLASS=\"A\">", "<a b=\"c\"d>", "<div\nid='x'\n>",
          "<span/>", "</span >", "<textarea>", "</textarea>", "<", "<x", "<b c", "\x00"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_any_mix_of_pieces_gives_the_same_events_or_none(text):
    events = lean_events(text)
    assert events is None or events == stdlib_events(text)
