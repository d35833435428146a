"""Hostile and odd content: every written file is valid YAML front matter with the item's
values, stays inside OUTPUT_DIR, and carries no executable markup."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import frontmatter
import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.items import Article
from crawler.values import SHANGHAI
from pipelines.clean import CleanArticlePipeline
from pipelines.export import PostExportPipeline
from pipelines.format.post import render_post
from pipelines.validate import ValidateArticlePipeline

# Each hostile title and the title its post must carry, written out by the rules of
# output-format.md §4.1 (the 12 characters : / \ ? * “ ” < > | [ ] become _) plus ours (control
# characters and runs of whitespace become one space; the ends are trimmed).
HOSTILE_TITLES = [
    ("""他说"it's fine"吗""", """他说"it's fine"吗"""),
    ("--- 三条横线 ---", "--- 三条横线 ---"),
    ("key: value: 冒号", "key_ value_ 冒号"),
    ("# 井号开头", "# 井号开头"),
    ("- 减号开头", "- 减号开头"),
    ("* 星号开头", "_ 星号开头"),
    ("& 锚点开头", "& 锚点开头"),
    ("! 标签开头", "! 标签开头"),
    ("第一行\n第二行", "第一行 第二行"),
    ("制表\t符", "制表 符"),
    ("NUL\x00和\x07控制\x1b字符", "NUL 和 控制 字符"),
    ("../../etc/passwd", ".._.._etc_passwd"),
    ("a/b\\c", "a_b_c"),
    ("长" * 500, "长" * 500),
    ("{{ page.title }} {% raw %}", "{{ page.title }} {% raw %}"),
    ("'单引号开头", "'单引号开头"),
    ('"双引号开头', '"双引号开头'),
    ("%E4%B8%AD 百分号", "%E4%B8%AD 百分号"),
    ("...", "..."),
]
HOSTILE_BODY = (
    '<p onclick="steal()">正文</p><script>alert(1)</script><a href="javascript:alert(2)">链接</a>'
    '<iframe src="https://evil.example/"></iframe><img src="x.jpg" onerror="alert(3)">'
    "<p>{{ site.secret }} {% include x %}</p><object data=x></object>"
)
EXECUTABLE = re.compile(r"<script|<iframe|<object|<embed|\son\w+=|javascript:", re.I)


def article(title: str = "标题", n: int = 0, **overrides) -> Article:
    fields = {
        "url": f"https://finance.sina.com.cn/roll/2021-10-27/doc-ihostile{n:06d}.shtml",
        "doc_id": f"hostile{n:06d}",
        "title": title,
        "published_at": datetime(2021, 10, 27, 10, 8, 49, tzinfo=SHANGHAI),
        "body_html": HOSTILE_BODY,
    }
    fields.update(overrides)
    return Article(**fields)


def exporter(root: Path):
    crawler = get_crawler(settings_dict={"OUTPUT_DIR": str(root), "STATE_PATH": str(root.parent / f"{root.name}.sqlite")})
    crawler.stats.open_spider()
    stages = [CleanArticlePipeline(), ValidateArticlePipeline.from_crawler(crawler),
              PostExportPipeline.from_crawler(crawler)]
    stages[-1].open_spider()

    def run(item):
        for stage in stages:
            item = stage.process_item(item)
        return item

    return run, crawler.stats


def test_every_hostile_title_gives_a_valid_contained_inert_file(tmp_path):
    run, _ = exporter(tmp_path)
    for n, (title, want) in enumerate(HOSTILE_TITLES):
        item = run(article(title, n))
        path = Path(item.output_path).resolve()
        assert path.is_relative_to(tmp_path.resolve())
        assert len(path.name.encode()) <= 255
        text = path.read_text(encoding="utf-8")
        meta = yaml.safe_load(text.split("---\n")[1])
        assert meta == frontmatter.loads(text).metadata
        assert meta["title"].replace("&#123;", "{").replace("&#125;", "}") == want, title
        assert meta["date"] == "Wed, 27 Oct 2021 02:08:49 GMT"
        assert meta["comments"] is False
        assert not EXECUTABLE.search(text), title
        assert "{" not in text and "}" not in text
    assert len(list(tmp_path.rglob("*.md"))) == len(HOSTILE_TITLES)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"title": ""}, "missing_title"),
        ({"title": "\x00\x01\n"}, "missing_title"),
        ({"published_at": None}, "missing_published_at"),
        ({"published_at": datetime(2021, 10, 27, 10, 8)}, "naive_published_at"),
        ({"published_at": datetime.now(SHANGHAI) + timedelta(days=30)}, "future_published_at"),
        ({"body_html": "  "}, "missing_body_html"),
    ],
)
def test_unwritable_items_are_dropped_with_a_reason(tmp_path, overrides, reason):
    run, stats = exporter(tmp_path)
    with pytest.raises(DropItem, match=reason):
        run(article(**{"title": "标题", **overrides}))
    assert stats.get_value(f"article/dropped/{reason}") == 1
    assert list(tmp_path.rglob("*.md")) == []


def test_todays_article_is_not_a_future_one(tmp_path):
    run, _ = exporter(tmp_path)
    run(article("今天", published_at=datetime.now(SHANGHAI) + timedelta(hours=2)))
    assert len(list(tmp_path.rglob("*.md"))) == 1


# Printable titles only (control characters are covered above), so that the expected title is
# the reference rule alone, stated here independently of the renderer.
titles = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cf", "Co", "Cn", "Zl", "Zp")),
                 min_size=1, max_size=120)
REFERENCE_RULE = str.maketrans({c: "_" for c in ':/\\?*“”<>|[]'})
bodies = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40),
        st.sampled_from(["<p>", "</p>", "<script>x()</script>", '<a href="javascript:x">', "</a>", "{{", "}}",
                         "{%", "%}", '<img src="//n.sinaimg.cn/a.jpg" onerror="x">', "&amp;", "&lt;b&gt;",
                         "<!-- c -->", "<iframe>", "</iframe>", "'", '"']),
    ),
    max_size=25,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(title=titles, body=bodies)
def test_render_then_parse_round_trips(title, body):
    assume("&#12" not in title)  # the format writes { and } as &#123; and &#125;: such a title is ambiguous
    item = article(title, body_html=body)
    text = render_post(item)
    meta = frontmatter.loads(text).metadata
    assert meta == yaml.safe_load(text.split("---\n")[1])
    assert meta["title"].replace("&#123;", "{").replace("&#125;", "}") == title.translate(REFERENCE_RULE).strip()
    assert meta["date"] == "Wed, 27 Oct 2021 02:08:49 GMT"
    assert meta["categories"] == ["金融", "新浪财经", "新浪财经－国內"]
    assert meta["headimg"] == meta["thumbnail"]
    assert "{" not in text and "}" not in text
    assert not re.search(r"<script|<iframe|\son\w+=|javascript:", text.split("<div>   \n", 1)[1], re.I)
    assert text.endswith("  \n</div>\n" + " " * 12)
