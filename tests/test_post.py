"""The renderer against the reference system's real posts, byte for byte."""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import formatdate, parsedate_to_datetime

import frontmatter
import pytest
import yaml

from crawler.items import Article
from crawler.values import SHANGHAI
from pipelines.format.file_names import post_file_name, reference_file_name
from pipelines.format.post import first_image, render, render_post
from pipelines.format.title import quote_title, sanitise_title
from tests.reference_posts import POSTS, SEED, SEED_URL, manifest_titles, read_reference

REFERENCE_POSTS = sorted(POSTS.glob("*.md"))
QR_IMAGE = "https://n.sinaimg.cn/finance/cece9e13/20200514/343233024.png"


def article(**overrides) -> Article:
    fields = {
        "url": SEED_URL,
        "doc_id": "iktzqtyu3791404",
        "title": "标题",
        "published_at": datetime(2021, 10, 27, 10, 8, 49, tzinfo=SHANGHAI),
        "body_html": "<p>正文</p>\n",
    }
    fields.update(overrides)
    return Article(**fields)


def test_seed_post_is_reproduced_byte_for_byte():
    seed = read_reference(SEED)
    assert render_post(seed.as_article(), "seed-exact").encode("utf-8") == SEED.read_bytes()


def test_seed_fields_read_from_the_seed_itself():
    seed = read_reference(SEED)
    assert seed.front_matter["title"] == "上海全面推进城市数字化转型_十四五_规划出炉 包括3大领域20项重点任务"
    assert seed.front_matter["date"] == "Wed, 27 Oct 2021 02:08:49 GMT"
    assert seed.body.startswith('<p class="ori_titlesource">　　原标题：')
    assert "20项重点任务\u00a0</p>" in seed.body


@pytest.mark.parametrize("path", REFERENCE_POSTS, ids=lambda p: p.stem)
def test_reference_post_round_trips(path):
    post = read_reference(path)
    assert render_post(post.as_article(), "seed-exact") == post.text


@pytest.mark.parametrize("path", REFERENCE_POSTS, ids=lambda p: p.stem)
def test_file_name_follows_the_reference_rule_made_hexo_safe(path):
    original_title = manifest_titles()[path.name]
    expected = path.name.replace("%", "％")
    if expected.startswith("_"):
        expected = "＿" + expected[1:]
    assert post_file_name(original_title, "doc") == expected


@pytest.mark.parametrize("path", REFERENCE_POSTS, ids=lambda p: p.stem)
def test_reference_file_name_is_the_name_the_reference_system_gave(path):
    assert reference_file_name(manifest_titles()[path.name]) == path.name


@pytest.mark.parametrize("path", [*REFERENCE_POSTS, SEED], ids=lambda p: p.stem)
def test_reference_posts_pass_the_validator_checks(path):
    text = path.read_text(encoding="utf-8")
    meta = frontmatter.loads(text).metadata
    assert meta["categories"] == ["金融", "新浪财经", "新浪财经－国內"]
    assert meta["author"] == meta["categories"][1]
    assert meta["comments"] is False
    assert meta["headimg"] == meta["thumbnail"]
    assert formatdate(parsedate_to_datetime(meta["date"]).timestamp(), usegmt=True) == meta["date"]
    assert "{" not in text and "}" not in text


def test_title_sanitising_replaces_exactly_the_twelve_characters():
    assert sanitise_title(':/\\?*“”<>|[]') == "_" * 12
    kept = "：？（）！《》\"'()%.#@+ "
    assert sanitise_title(f"a{kept}b") == f"a{kept}b"
    assert sanitise_title("1049元/斤！") == "1049元_斤！"


def test_title_quoting():
    assert quote_title('"中国拍"？封！') == "'\"中国拍\"？封！'"
    assert quote_title("it's") == '"it\'s"'


def test_title_with_both_quote_kinds_is_valid_yaml_with_the_same_value():
    title = """他说"it's fine"吗"""
    text = render_post(article(title=title))
    assert yaml.safe_load(text.split("---\n")[1])["title"] == title
    assert frontmatter.loads(text).metadata["title"] == title


def test_control_characters_in_title_become_spaces():
    text = render_post(article(title="第一行\n第二行\t\x00尾"))
    assert frontmatter.loads(text).metadata["title"] == "第一行 第二行 尾"


def test_braces_are_escaped_everywhere():
    text = render_post(article(title="a{b}", body_html="<style>.x{color:red}</style><p>{{ x }}{% y %}</p>"))
    assert "{" not in text and "}" not in text
    assert "title: 'a&#123;b&#125;'" in text
    assert "&#123;&#123; x &#125;&#125;&#123;% y %&#125;" in text


def test_headimg_is_first_image_outside_comments_then_qr_then_empty():
    commented = '<!--article_adlist[<img src="//n.sinaimg.cn/ad.jpg"/>]article_adlist-->'
    qr = f'<div class="appendQr_normal"><img src="{QR_IMAGE}"></div>'
    assert first_image(commented + qr) == QR_IMAGE
    text = render_post(article(body_html=commented + '<img src="//n.sinaimg.cn/a.jpg">' + qr))
    assert "headimg: 'https://n.sinaimg.cn/a.jpg'" in text
    assert "thumbnail: 'https://n.sinaimg.cn/a.jpg'" in text
    assert "headimg: ''" in render_post(article(body_html="<p>无图</p>"))


def test_date_is_rfc822_gmt_of_the_beijing_time():
    text = render_post(article(published_at=datetime(2021, 10, 27, 10, 8, 49, tzinfo=SHANGHAI)))
    assert re.search(r"^date: Wed, 27 Oct 2021 02:08:49 GMT$", text, re.M)


def test_article_without_date_is_refused_not_rendered_with_a_made_up_one():
    with pytest.raises(ValueError, match="no publish time"):
        render_post(article(published_at=None))


def test_categories_come_from_the_article_and_author_is_the_second():
    text = render_post(article(categories=["金融", "新浪财经", "新浪财经－股市"]))
    meta = frontmatter.loads(text).metadata
    assert meta["categories"] == ["金融", "新浪财经", "新浪财经－股市"]
    assert meta["author"] == "新浪财经"


def test_file_layout_head_and_tail():
    text = render_post(article())
    assert text.startswith("\n---\ntitle: '标题'\ncategories: \n - 金融\n")
    assert text.endswith("<p>正文</p>  \n</div>\n" + " " * 12)  # one HTML block: no blank line before </div>
    assert render_post(article(), "seed-exact").endswith("<p>正文</p>\n  \n</div>\n" + " " * 12)
    assert "\r" not in text


def test_seed_exact_keeps_sinas_inert_cms_attributes_and_the_style_blocks():
    # Sina's CMS scores paragraphs (<p nodescore="4" extrascore="0">): inert, kept byte for byte,
    # and so are the <style> blocks of the seed post.
    text = SEED.read_text(encoding="utf-8").replace('<p cms-style="font-L">', '<p nodescore="4" extrascore="0">', 1)
    text = text.replace('<p class="article-editor">', '<p class="article-editor" data-sudaclick="x" nodescore="0">')
    marked = read_reference(SEED).as_article()
    marked.body_html = text.split("\n---\n\n<div>   \n", 1)[1][: -len("  \n</div>\n" + " " * 12)].replace(
        "&#123;", "{").replace("&#125;", "}")
    rendered = render(marked, "seed-exact")
    assert rendered.text == text
    assert rendered.sanitized == ()


def test_seed_modes_keep_the_style_blocks_when_something_else_is_removed():
    seed = read_reference(SEED).as_article()
    seed.body_html = seed.body_html.replace('<p cms-style="font-L">', '<p nodescore="4"><svg><p>x</p></svg>', 1)
    for mode in ("seed", "seed-exact"):
        rendered = render(seed, mode)
        assert rendered.sanitized == ("element/svg",)
        assert rendered.text.count("<style>") == 1 and ".appendQr_wrap&#123;" in rendered.text
        assert '<p nodescore="4">' in rendered.text
