"""A real Hexo 8 site (tests/hexo: package.json, lock file, _config.yml; `npm ci` there installs
it) and what its pages show.

- ``hexo_site``/``hexo_posts``: a fresh site, and the posts Hexo loads from it;
- ``build(mode, tmp_path_factory)``: a crawl of the demo snapshot in one BODY_MODE, built by
  ``hexo generate`` with the minimal theme tests/hexo/themes/check; one per mode and session,
  shared by test_consumers.py (pages read from disk) and test_browser.py (pages read by Chromium);
- ``Dom``: a page's visible text nodes and elements, from lxml or from Chromium's DOM dump, and
  ``page_problems``: what keeps an article page from showing its body as body text.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

import lxml.html
import pytest
import yaml

from tests.support.pages import fixture_page
from tests.support.sites import Site

HEXO = Path(__file__).resolve().parents[1] / "hexo"

MODES = ("seed", "clean", "markdown")  # the modes a Hexo blog is meant to publish
EXACT = "seed-exact"  # the reference's bytes, kept for diffing against the reference blog
EXTRA = ("link", "doc_id", "source")
CATEGORIES = ["金融", "新浪财经", "新浪财经－国內"]


class Expected(NamedTuple):
    stem: str  # tests/fixtures/pages/<stem>: its expected.json gives the sentences
    day: str  # Beijing publish date
    title: str  # the headline sanitised as in the post
    date: str  # the Beijing publish time as RFC-822 GMT
    link: str
    doc_id: str
    source: str

    @property
    def post(self) -> str:
        return f"{self.day}/{self.title}.md"

    def sentences(self) -> tuple[str, str, list[str]]:
        """The article's first and last sentence, and the fixture's other body sentences."""
        expected = fixture_page(self.stem).expected()
        return expected["clean"]["first_sentence"], expected["clean"]["last_sentence"], expected["body_contains"]


# The articles of the demo snapshot's china channel.
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


def hexo_site(root: Path) -> Path:
    if not (HEXO / "node_modules" / "hexo").is_dir():
        pytest.fail("Hexo is not installed: run `npm ci` in tests/hexo (the README's test command does)")
    root.mkdir(parents=True)
    for name in ("_config.yml", "package.json"):
        shutil.copyfile(HEXO / name, root / name)
    (root / "node_modules").symlink_to(HEXO / "node_modules")
    (root / "source" / "_posts").mkdir(parents=True)
    return root


def hexo_posts(site: Path) -> dict[str, dict]:
    """source path -> post, as Hexo loads them; Hexo's own errors fail the test."""
    result = subprocess.run(["node", str(HEXO / "list-posts.js"), str(site)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return {post["source"].removeprefix("_posts/"): post for post in json.loads(result.stdout)}


def hexo_generate(site: Path, posts: dict[str, Path]) -> subprocess.CompletedProcess:
    """`hexo generate` of ``site`` holding ``posts`` (relative name -> file), with the minimal theme
    of tests/hexo/themes/check, in Beijing time (TZ: Hexo's `timezone` setting instead would shift
    the posts' GMT dates by 8 hours), and with hexo-renderer-marked's `figcaption` on: Markdown
    mode writes an image's caption as its alt text, which a page shows only with it."""
    config = yaml.safe_load((site / "_config.yml").read_text(encoding="utf-8"))
    config.update(theme="check", marked={"figcaption": True})
    (site / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    (site / "themes").mkdir()
    (site / "themes" / "check").symlink_to(HEXO / "themes" / "check")
    for name, path in posts.items():
        (site / "source" / "_posts" / name).parent.mkdir(exist_ok=True)
        shutil.copyfile(path, site / "source" / "_posts" / name)
    result = subprocess.run([str(site / "node_modules" / ".bin" / "hexo"), "generate"], cwd=site, capture_output=True,
                            text=True, timeout=300, env={**os.environ, "TZ": "Asia/Shanghai"})
    (site / "generate.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    return result


@dataclass
class Build:
    """A crawl of the demo snapshot in one body mode, and its `hexo generate`."""

    mode: str
    posts: dict[str, Path]  # the crawl's posts by relative name
    result: subprocess.CompletedProcess  # hexo generate
    public: Path

    def pages(self) -> dict[str, Path]:
        """Each generated post page by the title its <h1 class="post-title"> shows."""
        pages = {}
        for path in self.public.rglob("index.html"):
            doc = lxml.html.document_fromstring(path.read_text(encoding="utf-8"))
            pages[doc.xpath("string(//h1[@class='post-title'])")] = path
        return pages


_BUILDS: dict[str, Build] = {}


def build(mode: str, tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The crawl (the cron command against a real mirror of the demo snapshot, BODY_MODE=mode,
    EXTRA_FRONT_MATTER=link,doc_id,source) and Hexo build of ``mode``: made once per session."""
    if mode not in _BUILDS:
        site = Site(tmp_path_factory.mktemp(f"crawl-{mode}"))
        try:
            result = site.cron("channels=china", "since=2005-01-01", BODY_MODE=mode, EXTRA_FRONT_MATTER=",".join(EXTRA))
        finally:
            site.close()
        assert result.returncode == 0, result.stdout + result.stderr
        posts = site.posts()
        hexo = hexo_site(tmp_path_factory.mktemp(f"hexo-{mode}") / "site")
        _BUILDS[mode] = Build(mode, posts, hexo_generate(hexo, posts), hexo / "public")
    return _BUILDS[mode]


# --- what a page shows -------------------------------------------------------------------------

# Markup shown as text: a tag or comment opening, raw or escaped once more (`&lt;p` on screen).
RAW_TAG = re.compile(r"(?:<|&lt;|&#0*60;|&#x0*3c;)\s*(?:/|!--|[a-z][a-z0-9]*(?:[\s/>]|$))", re.I)
HIDDEN = {"script", "style", "template", "noscript", "head", "title"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Dom:
    """A page as text nodes and elements, each with its path: the ``tag.class`` of every
    ancestor, itself last for an element. Text of script/style/head is not visible, so left out."""

    texts: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    elements: list[tuple[str, ...]] = field(default_factory=list)

    @classmethod
    def from_lxml(cls, html: str) -> Dom:
        dom = cls()

        def walk(element: lxml.html.HtmlElement, path: tuple[str, ...]) -> None:
            if not isinstance(element.tag, str):  # comments, processing instructions
                if element.tail:
                    dom.texts.append((element.tail, path))
                return
            here = (*path, step(element.tag, element.get("class")))
            dom.elements.append(here)
            if element.text and element.tag not in HIDDEN:
                dom.texts.append((element.text, here))
            if element.tag not in HIDDEN:
                for child in element:
                    walk(child, here)
            if element.tail:
                dom.texts.append((element.tail, path))

        walk(lxml.html.document_fromstring(html), ())
        return dom

    @classmethod
    def from_dump(cls, html: str) -> Dom:
        """From Chromium's --dump-dom output: its serializer closes every non-void element and
        escapes every `<`/`&` of a text node, so the tokens are the DOM, with no second parser's
        guesswork."""
        reader = _DumpReader()
        reader.feed(html)
        reader.close()
        return reader.dom

    def under(self, tag_class: str) -> Dom:
        """The part of the page inside the (first kind of) element ``tag.class``."""
        return Dom([(text, path) for text, path in self.texts if tag_class in path],
                   [path for path in self.elements if tag_class in path[:-1]])

    def text(self) -> str:
        return "".join(text for text, _ in self.texts)

    def code_elements(self) -> list[tuple[str, ...]]:
        return [path for path in self.elements if path[-1].split(".")[0] in ("pre", "code")]

    def code_text(self) -> str:
        """The text shown inside <pre>/<code>."""
        return "".join(text for text, path in self.texts if {"pre", "code"} & {p.split(".")[0] for p in path})


def step(tag: str, classes: str | None) -> str:
    return f"{tag}.{classes}" if classes else tag


class _DumpReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.dom = Dom()
        self.path: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        here = (*self.path, step(tag, dict(attrs).get("class")))
        self.dom.elements.append(here)
        if tag not in VOID:
            self.path.append(here[-1])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.dom.elements.append((*self.path, step(tag, dict(attrs).get("class"))))

    def handle_endtag(self, tag: str) -> None:
        names = [p.split(".")[0] for p in self.path]
        assert tag in names, f"</{tag}> closes nothing in {self.path}"  # not a DOM serialization
        del self.path[len(names) - 1 - names[::-1].index(tag):]

    def handle_data(self, data: str) -> None:
        if not HIDDEN & {p.split(".")[0] for p in self.path}:
            self.dom.texts.append((data, tuple(self.path)))


def squeeze(text: str) -> str:
    """Text without any whitespace (HTML collapses it; Sina indents with U+3000)."""
    return re.sub(r"[\s\u00a0\u3000]+", "", text)


def article_code_elements(article: Expected) -> int:
    """<pre>/<code> elements of the article itself: its fixture post's body (the reference's)."""
    body = fixture_page(article.stem).expected_post().decode("utf-8").split("\n---\n", 2)[2]
    return len(lxml.html.fragment_fromstring(body, create_parent="div").xpath(".//pre | .//code"))


def page_problems(dom: Dom, article: Expected, mode: str) -> list[str]:
    """What keeps an article page from showing its article as body text: a sentence not visible
    (in clean and Markdown mode: the body not starting and ending with the article's first and
    last sentence; seed mode shows the boilerplate around them), markup visible as text anywhere
    on the page, or a <pre>/<code> in the body that the article did not have."""
    problems = []
    raw = sorted({match.group(0) + "…" for text, _ in dom.texts for match in RAW_TAG.finditer(text)})
    if raw:
        problems.append(f"markup visible as text: {raw}")
    body = dom.under("div.post-body")
    text = squeeze(body.text())
    first, last, others = article.sentences()
    for sentence in (first, last, *others):
        if squeeze(sentence) not in text:
            problems.append(f"not visible: {sentence}")
    if mode != "seed" and not text.startswith(squeeze(first)):
        problems.append(f"body does not start with its first sentence: {text[:60]}")
    if mode != "seed" and not text.endswith(squeeze(last)):
        problems.append(f"body does not end with its last sentence: {text[-60:]}")
    code = body.code_elements()
    if len(code) != article_code_elements(article):
        problems.append(f"{len(code)} <pre>/<code> in the body, the article has {article_code_elements(article)}: "
                        f"{squeeze(body.code_text())[:80]}")
    return problems


def shows_as_code(dom: Dom) -> bool:
    """The page's body shows some of the post as code: a <pre>/<code> holding text (the fixtures'
    articles have none)."""
    return bool(squeeze(dom.under("div.post-body").code_text()))
