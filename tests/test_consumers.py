"""The real consumers of the posts, for every BODY_MODE: a crawl of the demo snapshot (the cron
command against a real mirror) read by a real Hexo 8 site (`hexo generate`, pages read as a
browser shows them) and by python-frontmatter and PyYAML."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

import frontmatter
import lxml.html
import pytest
import yaml
from lxml import etree

from tests.support.pages import fixture_page
from tests.support.sites import Site
from tests.test_hexo import HEXO, hexo_site

MODES = ("seed", "clean", "markdown")
EXTRA = ("link", "doc_id", "source")
CATEGORIES = ["金融", "新浪财经", "新浪财经－国內"]


class Expected(NamedTuple):
    stem: str  # tests/fixtures/pages/<stem>: its expected.json gives body_contains
    day: str  # Beijing publish date
    title: str  # the headline sanitised as in the post
    date: str  # the Beijing publish time as RFC-822 GMT
    link: str
    doc_id: str
    source: str

    @property
    def post(self) -> str:
        return f"{self.day}/{self.title}.md"


ARTICLES = [
    Expected("cwced_chanye.finance_2005-03-21_244339", "2005-03-21", "四年前中500万现穷困潦倒 一夜暴富后如何经营",
             "Mon, 21 Mar 2005 03:21:00 GMT", "https://chanye.finance.sina.com.cn/sm/2005-03-21/244339.shtml",
             "244339", "《理财周刊》"),
    Expected("magichtml_mobile_finance.sina.cn_sa_2005-08-26_ikknscsi2623250", "2005-08-26",
             "创业环保第一季度报告会计差错的提示性公告", "Thu, 25 Aug 2005 21:39:00 GMT",
             "https://finance.sina.cn/sa/2005-08-26/detail-ikknscsi2623250.d.html", "kknscsi2623250",
             "上海证券报网络版"),
    Expected("zebra_finance_stock_2011-08-22_145810356592.shtml", "2011-08-22", "百联集团重组腾挪术：低买高卖转手套利15亿",
             "Mon, 22 Aug 2011 06:58:00 GMT", "https://finance.sina.com.cn/stock/s/20110822/145810356592.shtml",
             "145810356592", "证券市场周刊"),
    Expected("netgen_finance_chanjing_2012-01-13_11191698", "2012-01-13", "去年汽车销量增幅创13年新低 政策退潮致销量下滑",
             "Thu, 12 Jan 2012 18:30:00 GMT", "https://finance.sina.com.cn/chanjing/cyxw/20120113/023011191698.shtml",
             "023011191698", "新京报"),
    Expected("magichtml_finance_forex_2016-05-25_ifxsktkp9337164", "2016-05-25", "人民币中间价创逾五年新低 做市商称符合预期",
             "Wed, 25 May 2016 02:10:19 GMT",
             "https://finance.sina.com.cn/money/forex/forexroll/2016-05-25/doc-ifxsktkp9337164.shtml",
             "fxsktkp9337164", "新浪财经"),
    Expected("gne_finance_roll_2018-12-28_ihqfskcn2160999", "2018-12-28", '60万"12306账号"外泄_ 中铁总辟谣称消息不实',
             "Fri, 28 Dec 2018 11:55:10 GMT", "https://finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml",
             "hqfskcn2160999", "新京报"),
    Expected("gne_news.sina_2019-11-25_iihnzahi3275702", "2019-11-25", "中国人习以为常的地方 为何老外却说_了不得_？",
             "Mon, 25 Nov 2019 10:57:38 GMT", "https://news.sina.com.cn/c/2019-11-25/doc-iihnzahi3275702.shtml",
             "ihnzahi3275702", "参考消息"),
    Expected("magichtml_news.sina_2024-05-10_inausehc2630922", "2024-05-10", "城市有轨电车之困：一边争相上马，一边接连叫停",
             "Thu, 09 May 2024 16:26:45 GMT", "https://news.sina.com.cn/c/2024-05-10/doc-inausehc2630922.shtml",
             "nausehc2630922", "每日经济新闻"),
]


@pytest.fixture(scope="module", params=MODES)
def crawl(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Path]]:
    """One crawl per mode: BODY_MODE=mode, EXTRA_FRONT_MATTER=link,doc_id,source; its posts by name."""
    site = Site(tmp_path_factory.mktemp(f"crawl-{request.param}"))
    try:
        result = site.cron("channels=china", "since=2005-01-01", BODY_MODE=request.param,
                           EXTRA_FRONT_MATTER=",".join(EXTRA))
    finally:
        site.close()
    assert result.returncode == 0, result.stdout + result.stderr
    posts = site.posts()
    assert sorted(posts) == sorted(a.post for a in ARTICLES)
    return request.param, posts


@pytest.fixture(scope="module")
def hexo_build(crawl, tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path]:
    """`hexo generate` of a fresh site holding the crawl's posts, with the minimal theme of
    tests/hexo/themes/check, in Beijing time (TZ) as a Beijing blog's server would run it."""
    mode, posts = crawl
    site = hexo_site(tmp_path_factory.mktemp(f"hexo-{mode}") / "site")
    config = yaml.safe_load((site / "_config.yml").read_text(encoding="utf-8"))
    (site / "_config.yml").write_text(yaml.safe_dump({**config, "theme": "check"}, allow_unicode=True), encoding="utf-8")
    (site / "themes").mkdir()
    (site / "themes" / "check").symlink_to(HEXO / "themes" / "check")
    for name, path in posts.items():
        (site / "source" / "_posts" / name).parent.mkdir(exist_ok=True)
        shutil.copyfile(path, site / "source" / "_posts" / name)
    result = subprocess.run([str(site / "node_modules" / ".bin" / "hexo"), "generate"], cwd=site, capture_output=True,
                            text=True, timeout=300, env={**os.environ, "TZ": "Asia/Shanghai"})
    (site / "generate.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    return result, site / "public"


def squash(text: str) -> str:
    return " ".join(text.split())


def body_problems(body: lxml.html.HtmlElement, sentences: list[str]) -> list[str]:
    """What keeps each sentence from showing as body text: absent, or set as code."""
    etree.strip_elements(body, etree.Comment, "script", "style", with_tail=False)
    problems = []
    for sentence in map(squash, sentences):
        if sentence not in squash(body.text_content()):
            problems.append(f"not visible: {sentence}")
            continue
        holders = [el for el in body.iter() if sentence in squash(el.text_content())
                   and not any(sentence in squash(child.text_content()) for child in el)]
        if any(el.xpath("boolean(ancestor-or-self::pre | ancestor-or-self::code)") for el in holders):
            problems.append(f"inside <pre>/<code>: {sentence}")
    return problems


def test_hexo_generate_shows_every_article(crawl, hexo_build):
    mode, _ = crawl
    result, public = hexo_build
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert not [line for line in log.splitlines() if "WARN" in line or "ERROR" in line or "FATAL" in line], log
    pages = {}
    for path in public.rglob("index.html"):
        doc = lxml.html.document_fromstring(path.read_text(encoding="utf-8"))
        pages[doc.xpath("string(//h1[@class='post-title'])")] = (path.relative_to(public).parts, doc)
    assert sorted(pages) == sorted(a.title for a in ARTICLES)
    problems = []
    for article in ARTICLES:
        parts, doc = pages[article.title]
        assert parts[:3] == tuple(article.day.split("-")), parts  # permalink :year/:month/:day/:title/
        assert doc.xpath("string(//time[@class='post-date'])") == article.day
        assert [li.text_content() for li in doc.xpath("//ul[@class='post-categories']/li")] == CATEGORIES
        body = doc.xpath("//div[@class='post-body']")[0]
        sentences = fixture_page(article.stem).expected()["body_contains"]
        problems += [f"{article.post}: {problem}" for problem in body_problems(body, sentences)]
    if mode == "seed":
        # Known (the next issue): marked sets the seed body's indented HTML lines as code. The
        # text is there; clean and Markdown bodies must show it as body text.
        problems = [problem for problem in problems if "inside <pre>/<code>" not in problem]
    assert not problems, "\n".join(problems)


def test_frontmatter_and_yaml_read_every_post(crawl):
    mode, posts = crawl
    for article in ARTICLES:
        expected = {"title": article.title, "categories": CATEGORIES, "comments": False, "date": article.date,
                    "link": article.link, "doc_id": article.doc_id, "source": article.source}
        post = frontmatter.load(posts[article.post])
        assert {key: post.metadata.get(key) for key in expected} == expected
        assert post.content.startswith("<div>") == (mode != "markdown")
        lines = posts[article.post].read_text(encoding="utf-8").replace("&#123;", "{").replace("&#125;", "}").split("\n")
        start = lines.index("---")
        data = yaml.safe_load("\n".join(lines[start + 1:lines.index("---", start + 1)]))
        assert {key: data.get(key) for key in expected} == expected
        assert list(data)[-len(EXTRA):] == list(EXTRA)
