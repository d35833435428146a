"""Every saved page against its hand-written expectations, one test per field.

The expected values in tests/fixtures/pages/<page>/expected.json were written by reading each
page, not by running the parser.
"""

from __future__ import annotations

import re

import pytest
from lxml import html as lxml_html
from parsel import Selector

from crawler.items import Article, NotArticle
from crawler.sina.pages import fields, read_page
from crawler.sina.pages.decode import decode_page
from crawler.sina.pages.indexed import IndexedSelector
from tests.support.pages import FixturePage, fixture_pages

PAGES = fixture_pages()
EXACT_FIELDS = ("doc_id", "title", "source", "author", "editor", "keywords", "channel", "description", "images",
                "stocks")


def result_for(page: FixturePage) -> Article | NotArticle:
    return read_page(page.url, page.body(), page.headers)


def squeeze(text: str) -> str:
    """Text without any whitespace: tags may or may not separate words by spaces."""
    return re.sub(r"[\s\u00a0\u3000]+", "", text)


def body_text(body_html: str) -> str:
    """Visible text of a body (no scripts, styles or comments), whitespace removed."""
    root = lxml_html.fragment_fromstring(body_html or "<div></div>", create_parent="div")
    for node in root.xpath(".//script | .//style | .//comment()"):
        node.drop_tree()
    return squeeze(root.text_content())


def cases(kind: str, fields: tuple[str, ...]) -> list:
    return [
        pytest.param(page, field, id=f"{page.stem}-{field}")
        for page in PAGES
        if page.expected()["kind"] == kind
        for field in fields
    ]


def test_every_manifest_page_has_a_folder_with_its_expectations():
    manifest = (PAGES[0].folder.parent / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    files = sorted(line.split("\t", 1)[0] for line in manifest[1:] if line.strip())
    assert len(PAGES) == 11
    assert sorted(page.file for page in PAGES) == files
    for page in PAGES:
        assert page.file == f"{page.stem}.html"
        assert page.expected()["file"] == page.file
        assert page.expected()["url"] == page.url
        assert page.expected_post_path.exists() == (page.expected()["kind"] == "article")


@pytest.mark.parametrize(("page", "field"), cases("not_article", ("reason",)))
def test_non_article_is_refused_with_its_reason(page, field):
    result = result_for(page)
    assert isinstance(result, NotArticle)
    assert result.reason == page.expected()[field]
    assert result.url == page.url


@pytest.mark.parametrize(("page", "field"), cases("article", EXACT_FIELDS))
def test_article_field(page, field):
    result = result_for(page)
    assert isinstance(result, Article), str(result)
    assert getattr(result, field) == page.expected()[field]


@pytest.mark.parametrize(("page", "field"), cases("article", ("published_at",)))
def test_article_publish_time_is_beijing(page, field):
    result = result_for(page)
    assert result.published_at.isoformat() == page.expected()[field]
    assert result.published_at.utcoffset().total_seconds() == 8 * 3600


@pytest.mark.parametrize(("page", "field"), cases("article", ("body_first_text", "body_last_text")))
def test_article_body_is_the_whole_container(page, field):
    text = body_text(result_for(page).body_html)
    expected = squeeze(page.expected()[field])
    if field == "body_first_text":
        assert text.startswith(expected)
    else:
        assert text.endswith(expected)


@pytest.mark.parametrize(("page", "field"), cases("article", ("body_contains",)))
def test_article_body_holds_its_text(page, field):
    text = body_text(result_for(page).body_html)
    for phrase in page.expected()[field]:
        assert squeeze(phrase) in text


# Damaged variants of real pages (bytes changed in memory only): the fallbacks still read them.

def page_named(prefix: str) -> FixturePage:
    return next(p for p in PAGES if p.stem.startswith(prefix))


def test_modern_page_without_its_headline_markup_falls_back_to_og_title():
    page = page_named("gne_finance_roll")
    body = re.sub(rb'<h1 class="main-title">.*?</h1>', b"", page.path.read_bytes(), flags=re.S)
    body = body.replace(b'class="date-source"', b'class="ds"')
    result = read_page(page.url, body)
    assert isinstance(result, Article) and result.template == "generic"
    assert result.title == page.expected()["title"]
    assert result.published_at.isoformat() == page.expected()["published_at"]  # weibo: article:create_at
    assert squeeze(page.expected()["body_first_text"]) in body_text(result.body_html)


def test_classic_page_without_pub_date_uses_the_cms_comment():
    page = page_named("netgen_finance_chanjing")
    body = re.sub(rb'<span id="pub_date">[^<]*</span>', b"", page.path.read_bytes())
    result = read_page(page.url, body)
    assert isinstance(result, Article) and result.template == "classic"
    # <!--[31,1,11191698] published at 2012-01-13 09:53:29--> on the page's first line
    assert result.published_at.isoformat() == "2012-01-13T09:53:29+08:00"


def test_page_with_no_body_container_is_not_an_article():
    page = page_named("gne_finance_roll")
    body = page.path.read_bytes().replace(b'id="artibody"', b'id="gone"')
    body = body.replace(b'<h1 class="main-title">', b"<h1>")
    result = read_page(page.url, body)
    assert isinstance(result, NotArticle) and result.reason == "no_article_body"


@pytest.mark.parametrize("line", ["责任编辑：张三", "&#36131;&#x4EFB;编辑：张三", "责任&#x7f16;&#36753;：张三", "责任\x00编辑：张三"])
def test_classic_page_editor_line_is_found_however_it_is_written(line):
    # The editor scan is skipped when the page's text cannot hold 责任编辑: character references
    # spell it without writing it.
    page = page_named("netgen_finance_chanjing")
    assert page.expected()["editor"] is None
    body = page.path.read_bytes().replace(b"</body>", f"<p>{line}</p></body>".encode("gb18030"))
    result = read_page(page.url, body)
    assert isinstance(result, Article) and result.template == "classic"
    assert result.editor == "张三"


def test_modern_page_without_create_at_takes_the_visible_date_before_the_late_published_time():
    # create_at 00:26:45, visible span.date 00:26, article:published_time 05:54:20 (5 h 27 min late)
    page = page_named("magichtml_news.sina_2024")
    body = page.path.read_bytes().replace(b'<meta name="weibo: article:create_at" content="2024-05-10 00:26:45">', b"")
    result = read_page(page.url, body)
    assert isinstance(result, Article) and result.template == "modern"
    assert result.published_at.isoformat() == "2024-05-10T00:26:00+08:00"


# (page, its headline markup, the headline read off the page's <title> by hand)
TITLE_FALLBACKS = [
    # <title>百联集团重组腾挪术：低买高卖转手套利15亿_上市公司_新浪财经_新浪网</title>; no og:title, so the
    # generic template reads <title>
    ("zebra_finance_stock", rb'<h1 id="artibodyTitle"[^>]*>.*?</h1>', "generic", "百联集团重组腾挪术：低买高卖转手套利15亿"),
    # <title>四年前中500万现穷困潦倒 一夜暴富后如何经营__商贸_产业资讯_新浪网</title>
    ("cwced_chanye", rb"<th class=f24[^>]*>.*?</th>", "legacy2005", "四年前中500万现穷困潦倒 一夜暴富后如何经营"),
    # <title>60万"12306账号"外泄? 中铁总辟谣称消息不实|辟谣_新浪财经_新浪网</title>; og:title and the
    # date-source class (a modern marker) removed too
    ("gne_finance_roll", rb'<h1 class="main-title">.*?</h1>|<meta property="og:title"[^>]*>|class="date-source"', "generic",
     '60万"12306账号"外泄? 中铁总辟谣称消息不实'),
]


@pytest.mark.parametrize(("prefix", "headline", "template", "title"), TITLE_FALLBACKS, ids=[t[0] for t in TITLE_FALLBACKS])
def test_page_without_headline_markup_takes_the_title_element_without_its_suffix(prefix, headline, template, title):
    page = page_named(prefix)
    body, removed = re.subn(headline, b"", page.path.read_bytes(), flags=re.S)
    assert removed >= 1
    result = read_page(page.url, body)
    assert isinstance(result, Article) and result.template == template
    assert result.title == title


def test_meta_on_a_plain_selector_answers_as_on_the_page_index():
    # read_page always builds an IndexedSelector; fields.meta also serves plain parsel selectors
    names = ("keywords", "tags", "description", "og:title", "og:description", "article:published_time",
             "weibo: article:create_at", "mediaid")
    for page in PAGES:
        text, _ = decode_page(page.body(), page.headers)
        indexed, plain = IndexedSelector.document(text, page.url), Selector(text=text)
        assert [fields.meta(plain, name) for name in names] == [fields.meta(indexed, name) for name in names]
        if page.stem.startswith("gne_finance_roll"):
            assert fields.meta(plain, "weibo: article:create_at") == "2018-12-28 19:55:10"  # <meta name=…>
            assert fields.meta(plain, "article:published_time") == "2018-12-28T19:56:29+08:00"  # <meta property=…>


def damaged(prefix: str, *edits: tuple[str, str]) -> Article:
    """The page with each edit made once (UTF-8 pages; ASCII edits on the others)."""
    page = page_named(prefix)
    body = page.path.read_bytes()
    for old, new in edits:
        assert body.count(old.encode()) == 1, old
        body = body.replace(old.encode(), new.encode())
    result = read_page(page.url, body)
    assert isinstance(result, Article), str(result)
    return result


@pytest.mark.parametrize("kept", ['class="keywords"', 'id="keywords"'])
def test_the_keyword_list_is_found_by_its_id_or_its_class_alone(kept):
    other = 'id="keywords"' if kept == 'class="keywords"' else 'class="keywords"'
    assert damaged("gne_news", (other + " ", "")).keywords == ["公园", "新闻"]


def test_without_meta_keywords_the_tags_meta_gives_the_keywords():
    result = damaged("gne_finance_roll", ('<meta name="keywords" content="辟谣,外泄,账号">', ""))
    assert result.keywords == ["辟谣", "外泄", "账号"]


def test_without_meta_description_og_description_is_the_description():
    result = damaged("gne_finance_roll", ('<meta name="description"', '<meta name="gone"'))
    assert result.description == '60万"12306账号"外泄? 中铁总辟谣称消息不实'


def test_classic_page_with_no_date_but_its_url_is_dated_that_day_at_midnight():
    result = damaged("netgen_finance_chanjing", ('<span id="pub_date">', '<span id="gone">'),
                     ("published at 2012-01-13 09:53:29", "at"))
    assert result.published_at.isoformat() == "2012-01-13T00:00:00+08:00"  # /2012-01-13/ in the URL


def test_images_without_a_source_or_inline_are_skipped_lazy_and_relative_ones_made_absolute():
    images = '<img alt="none"><img src="data:image/png;base64,AAAA"><img data-src="//n.sinaimg.cn/lazy.jpg"><img src="/rel.jpg">'
    result = damaged("gne_finance_roll", ('<div class="article" id="artibody">', '<div class="article" id="artibody">' + images))
    assert result.images == ["https://n.sinaimg.cn/lazy.jpg", "https://finance.sina.com.cn/rel.jpg"]


def test_body_keeps_its_leading_text_with_quotes_as_text_and_the_text_between_children():
    result = damaged("gne_finance_roll", ('<div class="article" id="artibody">',
                                          '<div class="article" id="artibody">他说"a" &amp; \'b\' &lt;x&gt;'
                                          '<b>1</b> between <i>2</i>'))
    assert result.body_html.startswith('他说"a" &amp; \'b\' &lt;x&gt;<b>1</b> between <i>2</i>')


def test_body_starting_with_a_child_starts_with_it():
    result = damaged("gne_finance_roll", ('<div class="article" id="artibody">', '<div class="article" id="artibody"><b>1</b>'))
    assert result.body_html.startswith("<b>1</b>")


def test_modern_page_without_its_editor_line_has_no_editor():
    assert damaged("gne_finance_roll", ('<p class="article-editor">', "<p>"),
                   ("责任编辑：霍琦", "")).editor is None


def test_breadcrumb_link_texts_are_joined_and_a_final_zhengwen_link_dropped():
    result = damaged("gne_finance_roll", ('<a href="http://finance.sina.com.cn/chanjing/"> 产经</a>',
                                          '<a href="/chanjing/"> 产<b>经</b></a><a href="/x/">正文</a>'))
    assert result.channel == ["产 经"]


def test_headline_split_by_markup_is_read_with_a_space_between_the_parts():
    result = damaged("gne_finance_roll", ("外泄? 中铁总辟谣称消息不实</h1>", "外泄?<b>中铁总辟谣称消息不实</b></h1>"))
    assert result.title == '60万"12306账号"外泄? 中铁总辟谣称消息不实'
