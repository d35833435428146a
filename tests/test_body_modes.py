"""Body modes and extra front matter: what each mode writes, the same front matter in every
mode, per-channel modes, and re-rendering seed posts without a crawl."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime

import pytest
import yaml

from crawler.items import Article
from crawler.sina.pages import read_page
from crawler.values import SHANGHAI
from pipelines.format import render_post
from tests.reference_posts import POSTS, read_reference
from tests.support.crawl import ELSEWHERE, PROJECT
from tests.support.pages import fixture_pages
from tests.support.sites import Site

ARTICLES = [page for page in fixture_pages() if page.is_article]
FRONT_MATTER = re.compile(r"\A\n---\n(.*?)\n---\n", re.S)


def article(body: str, **fields) -> Article:
    values = {"url": "https://finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml",
              "doc_id": "hqfskcn2160999", "title": "标题", "body_html": body,
              "published_at": datetime(2018, 12, 28, 19, 55, 10, tzinfo=SHANGHAI)}
    return Article(**{**values, **fields})


def front_matter(post: str) -> str:
    return FRONT_MATTER.match(post).group(1)


QR = "https://n.sinaimg.cn/finance/cece9e13/20200514/343233024.png"  # the 新浪财经APP QR code
# The first image of each article's own text (read off the pages and the reference posts): the
# seed's first image is a promo, chart, share picture or QR code where these differ from it.
OWN_IMAGE = {
    "cwced_chanye.finance_2005-03-21_244339": "",  # only the 画中画 promo banner (U435P111…jpg)
    "gne_finance_roll_2018-12-28_ihqfskcn2160999": "",
    "gne_news.sina_2019-11-25_iihnzahi3275702":  # the video poster (1947-…jpg) goes with the player
        "https://n.sinaimg.cn/news/crawl/89/w550h339/20191125/2b6c-iittafs2905468.jpg",
    "magichtml_finance_forex_2016-05-25_ifxsktkp9337164": "",  # only the USDCNH quote chart
    "magichtml_mobile_finance.sina.cn_sa_2005-08-26_ikknscsi2623250": "",  # only the hidden #wx_pic
    "magichtml_news.sina_2024-05-10_inausehc2630922": "https://k.sinaimg.cn/n/spider20240510/398/w1080h918/20240510/"
        "6c87-7834b477c2ddb6987f077265e60f3fc2.jpg/w700d1q75cms.jpg?by=cms_fixed_width",
    "netgen_finance_chanjing_2012-01-13_11191698": "",
    "zebra_finance_stock_2011-08-22_145810356592.shtml": "",  # only the K-line chart
}
QR_ONLY_REFERENCES = ("0！", "RCEP将于2月1日起对韩国生效 商务部表示将有利于推动双边贸易投资高质量发展",
                      "1049元_斤！天价荔枝什么来头？", '"100种方法刑事你"的女书记登门道歉，当事人：没诚意')


def without_picture(front: str) -> str:
    return re.sub(r"^(headimg|thumbnail): .*$", "", front, flags=re.M)


@pytest.mark.parametrize("page", ARTICLES, ids=lambda page: page.stem)
def test_every_mode_writes_the_seed_front_matter_with_the_picture_of_its_own_body(page):
    item = read_page(page.url, page.body())
    seed = front_matter(render_post(item, "seed"))
    images = page.expected()["images"]
    assert f"\nheadimg: '{images[0] if images else ''}'\n" in seed  # the reference rule: the first <img>
    for mode in ("clean", "markdown"):
        own = front_matter(render_post(item, mode))
        assert without_picture(own) == without_picture(seed), mode
        image = OWN_IMAGE[page.stem]
        assert f"\nheadimg: '{image}'\n" in own and own.endswith(f"\nthumbnail: '{image}'"), mode


@pytest.mark.parametrize("name", QR_ONLY_REFERENCES)
def test_a_reference_post_whose_only_picture_is_the_app_qr_code_has_none_in_clean_and_markdown(name):
    post = read_reference(POSTS / f"{name}.md")
    assert post.front_matter["headimg"] == QR
    for mode in ("clean", "markdown"):
        assert "\nheadimg: ''\n" in render_post(post.as_article(), mode), mode
    assert f"\nheadimg: '{QR}'\n" in render_post(post.as_article(), "seed")


def test_a_reference_post_keeps_its_article_picture_in_every_mode():
    post = read_reference(POSTS / "2021年CPI上涨09%，2022年物价走势如何？.md")
    image = "https://n.sinaimg.cn/spider20220113/65/w1080h585/20220113/7e7d-f88ed07afe6ef36d3dd047e7f348b836.png"
    for mode in ("seed", "seed-exact", "clean", "markdown"):
        assert f"\nheadimg: '{image}'\n" in render_post(post.as_article(), mode), mode


def test_markdown_is_real_markdown():
    body = ('<p>\u3000\u3000第一段 <strong>要点</strong></p>'
            '<div class="img_wrapper"><img src="//n.sinaimg.cn/a.jpg"><span class="img_descr">图一</span></div>'
            '<table><tr><th>指标</th><th>数值</th></tr><tr><td>CPI</td><td>0.9%</td></tr></table>'
            '<p>{{ site.title }} {% raw %} &lt;script&gt;x&lt;/script&gt;</p>')
    post = render_post(article(body), "markdown")
    text = post.split("\n---\n\n", 1)[1]
    assert text.startswith("第一段 **要点**\n\n![图一](https://n.sinaimg.cn/a.jpg)\n\n| 指标 | 数值 |\n| --- | --- |\n")
    assert "&#123;&#123; site.title &#125;&#125; &#123;% raw %&#125;" in text  # Hexo shows it literally
    assert "<script" not in text and "&lt;script\\>x&lt;/script\\>" in text
    assert "<div>" not in text and not post.endswith(" ")
    assert "headimg: 'https://n.sinaimg.cn/a.jpg'" in post


def test_a_table_with_merged_cells_stays_html_in_markdown():
    body = '<table><tr><td rowspan="2">合并</td><td>a</td></tr><tr><td>b</td></tr></table>'
    text = render_post(article(body), "markdown").split("\n---\n\n", 1)[1]
    assert '<td rowspan="2">合并</td>' in text and "| ---" not in text


def test_extra_front_matter_comes_after_the_seed_keys_as_valid_yaml():
    item = article("<p>正文</p>", source='新京报: "独家"', keywords=["辟谣", "12306"],
                   api_mtime=datetime(2018, 12, 28, 19, 56, 29, tzinfo=SHANGHAI))
    post = render_post(item, "seed", ["link", "doc_id", "source", "keywords", "updated", "description"])
    lines = front_matter(post).split("\n")
    assert lines.index("thumbnail: ''") < lines.index("link: https://finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml")
    meta = yaml.safe_load(front_matter(post))
    assert meta["doc_id"] == "hqfskcn2160999"
    assert meta["source"] == '新京报: "独家"'
    assert meta["keywords"] == ["辟谣", "12306"]
    assert meta["updated"] == "2018-12-28T19:56:29+08:00"
    assert "description" not in meta  # no value, no key
    with pytest.raises(ValueError, match="unknown extra front matter key 'nope'"):
        render_post(item, "seed", ["nope"])


@pytest.fixture(scope="module")
def seed_and_markdown_crawls(tmp_path_factory):
    """The demo crawl twice: seed (with link/doc_id/source) and markdown with the same keys."""
    site = Site(tmp_path_factory.mktemp("modes"))
    try:
        keys = {"EXTRA_FRONT_MATTER": "link,doc_id,source"}
        assert site.cron("channels=china", "since=2005-01-01", **keys).returncode == 0
        seed = {name: path.read_bytes() for name, path in site.posts().items()}
        assert site.cron("channels=china", "since=2005-01-01", "refetch=1", BODY_MODE="markdown", **keys).returncode == 0
        markdown = {name: path.read_bytes() for name, path in site.posts().items()}
        assert site.cron("channels=china", "since=2005-01-01", "refetch=1", BODY_MODE="clean", **keys).returncode == 0
        clean = {name: path.read_bytes() for name, path in site.posts().items()}
    finally:
        site.close()
    return seed, markdown, clean


def test_a_crawl_in_each_mode_writes_the_same_files_with_that_modes_bodies(seed_and_markdown_crawls):
    seed, markdown, clean = seed_and_markdown_crawls
    assert set(seed) == set(markdown) == set(clean) and len(seed) == 8
    for name in seed:
        assert seed[name].startswith(b"\n---\n") and b"\n---\n\n<div>   \n" in seed[name]
        assert b"\n---\n\n<div>" not in markdown[name], name
        assert len(clean[name]) < len(seed[name]), name


@pytest.mark.parametrize("mode", ["markdown", "clean"])
def test_export_rerenders_seed_posts_as_a_crawl_in_that_mode_writes_them(tmp_path, seed_and_markdown_crawls, mode):
    seed, markdown, clean = seed_and_markdown_crawls
    source = tmp_path / "seed"
    for name, data in seed.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(data)
    result = subprocess.run([sys.executable, "-m", "crawler.export", "--mode", mode, "--from", str(source),
                             "--to", str(tmp_path / mode)], cwd=ELSEWHERE, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("8 written, 0 unchanged, 0 skipped")
    written = {str(p.relative_to(tmp_path / mode)): p.read_bytes() for p in (tmp_path / mode).rglob("*.md")}
    assert written == (markdown if mode == "markdown" else clean)


def test_export_refuses_a_markdown_post_with_one_line(tmp_path, seed_and_markdown_crawls):
    _, markdown, _ = seed_and_markdown_crawls
    name, data = sorted(markdown.items())[0]
    (tmp_path / "md" / name).parent.mkdir(parents=True)
    (tmp_path / "md" / name).write_bytes(data)
    result = subprocess.run([sys.executable, "-m", "crawler.export", "--mode", "clean", "--from", str(tmp_path / "md"),
                             "--to", str(tmp_path / "out")], cwd=ELSEWHERE, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "a Markdown post cannot be re-rendered" in result.stderr and "Traceback" not in result.stderr


def test_a_channel_sets_its_own_body_mode(tmp_path):
    table = (PROJECT / "crawler" / "sina" / "channels.yaml").read_text(encoding="utf-8")
    table = table.replace("  default: true\n", "  default: true\n  body_mode: markdown\n", 1)
    (tmp_path / "channels.yaml").write_text(table, encoding="utf-8")
    site = Site(tmp_path / "site")
    try:
        result = site.cron("channels=china", "since=2005-01-01", CHANNELS_FILE=str(tmp_path / "channels.yaml"))
        assert result.returncode == 0, result.stdout + result.stderr
        posts = site.posts()
        assert len(posts) == 8
        assert all(b"<div>   \n" not in path.read_bytes() for path in posts.values())
    finally:
        site.close()


def test_an_unknown_body_mode_in_the_channel_table_is_named(tmp_path):
    table = (PROJECT / "crawler" / "sina" / "channels.yaml").read_text(encoding="utf-8")
    (tmp_path / "channels.yaml").write_text(table.replace("  default: true\n", "  default: true\n  body_mode: md\n", 1),
                                            encoding="utf-8")
    from crawler.sina.channels import ChannelError, load_channels

    with pytest.raises(ChannelError, match="channel 'china' has body_mode 'md'; known: seed, seed-exact, clean, markdown"):
        load_channels(tmp_path / "channels.yaml")
