"""Clean-mode body (issue 9): the article only, checked on the 8 saved articles and on fragments.

Each article fixture's expected.json holds a hand-read ``clean`` entry: the article's first and
last sentence and the boilerplate markers its seed body has before cleaning (table in
tests/fixtures/pages/NOTES.md, "Clean body").
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from lxml import html as lxml_html
from lxml.cssselect import CSSSelector

from crawler.sina.pages import read_page
from pipelines.format.clean_body import BOILERPLATE_SELECTORS, clean_body
from pipelines.format.seed_body import seed_body
from tests.support.pages import FixturePage, fixture_pages

BASE = "https://finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml"
ARTICLES = [page for page in fixture_pages() if page.is_article]
ARTICLE_IDS = [page.stem for page in ARTICLES]

# Words of boilerplate, looked for in the visible text (whitespace removed) and in the HTML.
TEXT_MARKERS = (
    "海量资讯、精准解读，尽在新浪财经APP",
    "责任编辑",
    "欢迎发表评论",
    "我要评论",
    "点击查看最新行情",
    "进入【新浪财经股吧】讨论",
    "NEWSZW_HZH",  # the 2005 画中画 ad slot's comment markers
)
# Markup that must not be left, looked for in the HTML only (escaped text "&lt;!--" is text).
TAG_MARKERS = ("<!--", "<script", "<style", "<iframe")


def squeeze(text: str) -> str:
    """Text without any whitespace, as tests/test_pages.py compares page text."""
    return re.sub(r"[\s\u00a0\u3000]+", "", text)


def parse(fragment: str) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(fragment or "<div></div>", create_parent="div")


def text_of(fragment: str) -> str:
    return squeeze(parse(fragment).text_content())


@cache
def seed_of(page: FixturePage) -> str:
    return seed_body(read_page(page.url, page.body(), page.headers).body_html, page.url)


@cache
def clean_of(page: FixturePage) -> str:
    return clean_body(seed_of(page))


def expected_clean(page: FixturePage) -> dict:
    return page.expected()["clean"]


def markers_in(fragment: str) -> set[str]:
    """Every boilerplate marker (selector of the module's list, text or tag marker) in ``fragment``."""
    root, text = parse(fragment), text_of(fragment)
    found = {selector for selector in BOILERPLATE_SELECTORS if CSSSelector(selector, translator="html")(root)}
    found |= {marker for marker in TEXT_MARKERS if marker in text or marker in fragment}
    found |= {marker for marker in TAG_MARKERS if marker in fragment}
    return found


def article_images(fragment: str) -> list[str]:
    """src of the images that are article content: inside ``.img_wrapper`` or a plain ``<p>``."""
    return [
        image.get("src")
        for image in parse(fragment).iter("img")
        if image.getparent().tag == "p"
        or image.xpath("ancestor::*[contains(concat(' ', normalize-space(@class), ' '), ' img_wrapper ')]")
    ]


def test_the_eight_article_fixtures_have_hand_read_clean_expectations():
    assert len(ARTICLES) == 8
    for page in ARTICLES:
        clean = expected_clean(page)
        assert set(clean) == {"first_sentence", "last_sentence", "markers_before"}, page.stem
        assert clean["first_sentence"] and clean["last_sentence"], page.stem


@pytest.mark.parametrize("page", ARTICLES, ids=ARTICLE_IDS)
def test_clean_body_starts_and_ends_with_the_article(page):
    text = text_of(clean_of(page))
    first, last = (squeeze(expected_clean(page)[key]) for key in ("first_sentence", "last_sentence"))
    assert first in text and last in text
    assert text.startswith(first), text[:80]
    assert text.endswith(last), text[-80:]


@pytest.mark.parametrize("page", ARTICLES, ids=ARTICLE_IDS)
def test_clean_body_has_no_boilerplate_marker(page):
    assert markers_in(clean_of(page)) == set()


@pytest.mark.parametrize("page", ARTICLES, ids=ARTICLE_IDS)
def test_markers_before_cleaning_are_the_ones_read_off_the_seed_body(page):
    listed = expected_clean(page)["markers_before"]
    known = set(BOILERPLATE_SELECTORS) | set(TEXT_MARKERS) | set(TAG_MARKERS)
    assert listed, "every article fixture carries boilerplate"
    assert set(listed) <= known, set(listed) - known
    assert markers_in(seed_of(page)) == set(listed)


@pytest.mark.parametrize("page", ARTICLES, ids=ARTICLE_IDS)
def test_article_images_captions_and_tables_survive(page):
    seed, clean = parse(seed_of(page)), parse(clean_of(page))
    images = clean.xpath(".//img")
    assert [image.get("src") for image in images] == article_images(seed_of(page))
    assert all(image.get("referrerpolicy") == "no-referrer" for image in images)
    captions = [squeeze(span.text_content()) for span in seed.find_class("img_descr")]
    assert [squeeze(span.text_content()) for span in clean.find_class("img_descr")] == [c for c in captions if c]
    # Tables holding text are article tables; the only table of the fixtures is the 2005 page's
    # image-only 画中画 ad, which goes.
    text_tables = [squeeze(table.text_content()) for table in seed.iter("table") if squeeze(table.text_content())]
    assert [squeeze(table.text_content()) for table in clean.iter("table")] == text_tables


@pytest.mark.parametrize("page", ARTICLES, ids=ARTICLE_IDS)
def test_clean_body_has_no_empty_paragraph_or_div(page):
    clean = clean_of(page)
    assert not re.search(r"<(p|div)\b[^>]*>\s*</\1>", clean)
    for element in parse(clean).iter("p", "div"):
        assert squeeze(element.text_content()) or element.xpath(".//img | .//table"), lxml_html.tostring(element)


@pytest.mark.parametrize("page", ARTICLES, ids=ARTICLE_IDS)
def test_clean_body_is_idempotent(page):
    assert clean_body(clean_of(page)) == clean_of(page)


def test_escaped_script_stays_text():
    seed = seed_body("<p>写 &lt;script&gt;alert(1)&lt;/script&gt; 与 1 &lt; 2</p>", BASE)
    out = clean_body(seed)
    assert out == "<p>写 &lt;script&gt;alert(1)&lt;/script&gt; 与 1 &lt; 2</p>"
    assert parse(out).xpath(".//script") == []


def test_qr_block_and_the_style_before_it_go():
    seed = (
        "<p>　　正文。</p><!-- 文末二维码 start -->\n<style>\n.appendQr_wrap{border:1px solid #E6E6E6;}\n</style>\n"
        '<div class="clearfix appendQr_wrap"><div class="appendQr_normal">'
        '<img src="https://n.sinaimg.cn/finance/cece9e13/20200514/343233024.png" referrerpolicy="no-referrer"></div>'
        '<div class="appendQr_normal_txt">海量资讯、精准解读，尽在新浪财经APP</div></div>\n'
        '<p class="article-editor">责任编辑：邓健 </p>'
    )
    assert clean_body(seed) == "<p>　　正文。</p>"


def test_image_with_caption_stays_as_it_is():
    seed = (
        '<div class="img_wrapper"><img src="https://n.sinaimg.cn/a.jpg" alt="图" referrerpolicy="no-referrer">'
        '<span class="img_descr">图说：公园</span></div>'
    )
    assert clean_body(seed) == seed


def test_bold_forms_stay():
    seed = '<p>　　<strong>甲</strong><b>乙</b><font cms-style="font-L strong-Bold">丙</font></p>'
    assert clean_body(seed) == seed


def test_article_table_stays_with_its_empty_cells():
    seed = "<p>表：</p><table><tr><td></td><td>1</td></tr></table>"
    assert clean_body(seed) == seed


def test_styled_div_with_text_stays():
    seed = '<div style="text-align:center">居中的正文</div><div style="clear:both"></div>'
    assert clean_body(seed) == '<div style="text-align:center">居中的正文</div>'


def test_ad_slot_cut_into_a_paragraph_goes_and_the_words_rejoin():
    seed = (
        '<p>获得了5<!--NEWSZW_HZH_BEGIN--></p><table><tr><td><a href="http://x/">'
        '<img src="http://x/ad.jpg" referrerpolicy="no-referrer"></a></td></tr></table>'
        "<!--NEWSZW_HZH_END-->00万元的大奖。\n\n<p>下一段</p>"
    )
    assert clean_body(seed) == "<p>获得了500万元的大奖。</p>\n<p>下一段</p>"


def test_promo_line_goes_but_a_sentence_quoting_it_stays():
    promo = "炒股就看金麒麟分析师研报，权威，专业，及时，全面，助您挖掘潜力主题机会！"
    kept = f"<p>他说“{promo}”是广告。</p>"
    assert clean_body(f"<p>{promo}</p>{kept}") == kept


def test_empty_seed_gives_empty_body():
    assert clean_body("") == ""
    assert clean_body("\n<!-- only a comment -->\n") == ""
