"""A real Hexo 8 site reads the posts the exporter writes (tests/hexo: package.json, lock file,
_config.yml; `npm ci` there installs it; the site helpers are in tests/support/hexo.py)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from scrapy.utils.test import get_crawler

from crawler.items import Article
from crawler.values import SHANGHAI
from pipelines.export import PostExportPipeline
from tests.reference_posts import POSTS, read_reference
from tests.support.hexo import hexo_posts, hexo_site


def write_posts(output: Path, articles: list[Article]) -> list[Article]:
    crawler = get_crawler(settings_dict={"OUTPUT_DIR": str(output), "STATE_PATH": str(output.parent / "state.sqlite")})
    crawler.stats.open_spider()
    exporter = PostExportPipeline.from_crawler(crawler)
    exporter.open_spider()
    return [exporter.process_item(article) for article in articles]


def test_hexo_reads_every_post_the_exporter_writes(tmp_path):
    site = hexo_site(tmp_path / "site")
    posts_dir = site / "source" / "_posts"
    articles = [read_reference(path).as_article() for path in sorted(POSTS.glob("*.md"))]
    for n, article in enumerate(articles):
        article.doc_id = f"reference{n:02d}"
    odd_titles = ["""他说"it's fine"吗""", "{{ 双花括号 }} {% 标签 %}", "--- 三条横线", "key: value", "_下划线开头",
                  "百分之50%", "# 井号"]
    for n, title in enumerate(odd_titles):
        articles.append(Article(
            url=f"https://finance.sina.com.cn/roll/2021-10-27/doc-iodd{n:010d}.shtml", doc_id=f"odd{n:010d}",
            title=title, published_at=datetime(2021, 10, 27, 10, 8, 49, tzinfo=SHANGHAI),
            body_html=f"<p>正文 {n} {{{{ x }}}}</p>\n",
        ))
    written = write_posts(posts_dir, articles)
    loaded = hexo_posts(site)
    assert len(loaded) == len(written) == 12 + len(odd_titles)
    for article in written:
        relative = str(Path(article.output_path).relative_to(posts_dir))
        post = loaded[relative]
        assert post["date"] == article.published_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        assert post["categories"] == ["金融", "新浪财经", "新浪财经－国內"]
        assert post["comments"] is False
    by_title = {post["title"]: post for post in loaded.values()}
    assert """他说"it's fine"吗""" in by_title
    assert "&#123;&#123; 双花括号 &#125;&#125; &#123;% 标签 %&#125;" in by_title


def test_hexo_drops_the_reference_file_names_the_exporter_avoids(tmp_path):
    """Why names map % and a leading _: Hexo 8 loses the reference's own files named so."""
    site = hexo_site(tmp_path / "site")
    for path in POSTS.glob("*.md"):
        shutil.copyfile(path, site / "source" / "_posts" / path.name)
    loaded = hexo_posts(site)
    dropped = {p.name for p in POSTS.glob("*.md")} - set(loaded)
    assert dropped == {
        "12月中国制造业PMI为503% 比上月上升02个百分点.md",
        "2021年CPI上涨09%，2022年物价走势如何？.md",
        "_3月1日起个人存取款超5万元要登记_暂缓实施！有银行停办现金业务，央行重磅发声.md",
    }
