"""Taking over a blog the reference system filled: the 12 reference posts under their real
names, a snapshot whose roll feed lists the same articles (pages made from the posts; titles and
`intime` from them) and two new ones; crawls with `python -m crawler.cron` against the mirror."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import yaml
from scrapy.utils.test import get_crawler

from crawler.items import Article
from crawler.values import SHANGHAI
from pipelines.export import PostExportPipeline
from tests.reference_posts import POSTS, read_reference, unbrace
from tests.support.crawl import ELSEWHERE, crawl_command, run_summary, start_mirror, stop_mirror
from tests.support.pages import modern_page

# The two articles the reference blog does not have; one title holds a run of two spaces.
NEW = [("adoptnew000001", "央行开展  两个空格的逆回购操作", "2022-07-31 09:00:00"),
       ("adoptnew000002", "新发布的一篇财经新闻", "2022-07-31 10:30:00")]
# Their posts' paths, written from the titles and days above by output-format.md §4.1 and §6.
NEW_POSTS = {"2022-07-31/央行开展  两个空格的逆回购操作.md", "2022-07-31/新发布的一篇财经新闻.md"}


def reference_articles() -> list[tuple[str, str, int, Path]]:
    """(doc id, title, intime, post file) of each reference post."""
    articles = []
    for number, path in enumerate(sorted(POSTS.glob("*.md")), 1):
        post = read_reference(path)
        intime = int(parsedate_to_datetime(post.front_matter["date"]).timestamp())
        articles.append((f"adoptref{number:06d}", unbrace(post.front_matter["title"]), intime, path))
    return articles


def day_of(intime: int) -> str:
    return datetime.fromtimestamp(intime, SHANGHAI).strftime("%Y-%m-%d")


class ReferenceBlog:
    """A blog folder holding the reference posts and a mirrored snapshot listing their articles."""

    def __init__(self, root: Path, *, flat: bool = False) -> None:
        self.root = root
        self.output = root / "posts"
        self.state = root / "state" / "crawl.sqlite"
        self.snapshot = root / "snapshot"
        self.roll: list[dict] = []
        self.reference: dict[str, Path] = {}  # doc id -> its reference post in the blog
        for doc_id, title, intime, path in reference_articles():
            post = read_reference(path)
            target = self.output / path.name if flat else self.output / day_of(intime) / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            self.reference[doc_id] = target
            self.add_article(doc_id, title, intime, unbrace(post.body))
        for doc_id, title, when in NEW:
            intime = int(datetime.fromisoformat(when).replace(tzinfo=SHANGHAI).timestamp())
            self.add_article(doc_id, title, intime, f'<p cms-style="font-L">　　{title}。正文第一段。</p>')
        self.write_roll()
        self.process, self.mirror = start_mirror(self.snapshot)

    def add_article(self, doc_id: str, title: str, intime: int, body: str) -> None:
        url = f"https://finance.sina.com.cn/china/gncj/{day_of(intime)}/doc-i{doc_id}.shtml"
        page = self.snapshot / "pages" / "finance.sina.com.cn" / "china" / "gncj" / day_of(intime) / f"doc-i{doc_id}.shtml"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(modern_page(title, body), encoding="utf-8")
        self.roll.append({"docid": f"comos:{doc_id}", "url": url, "title": title, "intro": "", "ctime": str(intime),
                          "mtime": str(intime), "intime": str(intime), "media_name": "新浪财经", "keywords": "",
                          "lists": [[155, 1686]]})

    def write_roll(self) -> None:
        self.roll.sort(key=lambda item: -int(item["ctime"]))
        (self.snapshot / "roll.jsonl").write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in self.roll),
                                                  encoding="utf-8")

    def touch(self, doc_id: str) -> None:
        """The article changed: a newer API mtime."""
        for item in self.roll:
            if item["docid"] == f"comos:{doc_id}":
                item["mtime"] = str(int(item["mtime"]) + 3600)
        self.write_roll()

    def adopt(self) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "crawler.adopt", str(self.output), "--state", str(self.state)],
                              cwd=ELSEWHERE, capture_output=True, text=True, timeout=120)

    def crawl(self, *args: str) -> subprocess.CompletedProcess:
        command = crawl_command(["-m", "crawler.cron", "--lock", str(self.root / "crawl.lock"),
                                 "--log-dir", str(self.root / "logs")], mirror=self.mirror, output=self.output,
                                state=self.state, spider_args=("channels=china", "since=2021-06-01", *args))
        result = subprocess.run(command, cwd=ELSEWHERE, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    def files(self) -> dict[str, str]:
        """Every post under the blog: relative path -> sha256 of its bytes."""
        return {p.relative_to(self.output).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in self.output.rglob("*.md")}

    def close(self) -> None:
        stop_mirror(self.process)


@pytest.fixture
def blog(tmp_path):
    site = ReferenceBlog(tmp_path)
    yield site
    site.close()


def reference_files(blog: ReferenceBlog) -> dict[str, str]:
    return {p.relative_to(blog.output).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in blog.reference.values()}


def test_the_adopt_command_recognises_every_reference_post(blog):
    result = blog.adopt()
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first == f"{blog.output}: 12 posts recognised and noted in {blog.state}; 0 already this crawler's; " \
                    "0 not taken over"
    # Three reference names Hexo cannot show keep their names, and the report says so.
    assert sorted(result.stdout.splitlines()[1:]) == [
        "  Hexo will not show 2021-12-31/12月中国制造业PMI为503% 比上月上升02个百分点.md: % in a name breaks it",
        "  Hexo will not show 2022-01-13/2021年CPI上涨09%，2022年物价走势如何？.md: % in a name breaks it",
        "  Hexo will not show 2022-02-22/_3月1日起个人存取款超5万元要登记_暂缓实施！有银行停办现金业务，央行重磅发声.md: "
        "a leading _ hides it",
    ]


@pytest.mark.parametrize("adopt_first", [True, False], ids=["adopt-command", "at-first-sight"])
def test_a_crawl_takes_the_blog_over_without_a_duplicate(blog, adopt_first):
    before = reference_files(blog)
    if adopt_first:
        assert blog.adopt().returncode == 0
    result = blog.crawl()
    assert "posts      2 new, 0 updated, 0 unchanged, 12 taken over" in result.stdout
    files = blog.files()
    assert {path: files[path] for path in before} == before  # same names, same bytes
    assert set(files) == set(before) | NEW_POSTS  # no "<name> <doc id>.md"
    summary = run_summary(blog.output)
    assert (summary["new"], summary["adopted"], summary["stats"]["export/adopted"]) == (2, 12, 12)
    # The title with two spaces keeps them in the front matter (and, above, in the file name).
    text = (blog.output / "2022-07-31/央行开展  两个空格的逆回购操作.md").read_text(encoding="utf-8")
    assert yaml.safe_load(text.split("---\n")[1])["title"] == "央行开展  两个空格的逆回购操作"
    # The manifest lists all 14, the adopted ones under their own names.
    manifest = [json.loads(line) for line in (blog.output / "index.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(entry["path"] for entry in manifest) == sorted(files)
    # The reference posts are the reference's bytes: blank lines and indented markup.
    assert {e["body_mode"] for e in manifest if e["path"] in before} == {"seed-exact"}

    mtimes = {p: (blog.output / p).stat().st_mtime_ns for p in files}
    blog.crawl()
    assert {p: (blog.output / p).stat().st_mtime_ns for p in blog.files()} == mtimes
    assert run_summary(blog.output)["article_requests"] == 0


def test_a_changed_article_rewrites_its_adopted_file_in_place(blog):
    blog.crawl()
    doc_id = next(iter(blog.reference))
    adopted = blog.reference[doc_id]
    old = adopted.read_bytes()
    blog.touch(doc_id)
    blog.crawl()
    assert adopted.read_bytes() != old  # now this crawler's rendering of the article
    assert len(blog.files()) == 14
    assert run_summary(blog.output)["updated"] == 1


def test_refetch_rewrites_adopted_files_in_place(blog):
    blog.crawl()
    before = reference_files(blog)
    blog.crawl("refetch=1")
    after = reference_files(blog)
    assert set(after) == set(before) and all(after[p] != before[p] for p in before)
    assert len(blog.files()) == 14


def test_a_flat_reference_folder_is_taken_over_too(tmp_path):
    blog = ReferenceBlog(tmp_path, flat=True)
    try:
        assert "12 posts recognised" in blog.adopt().stdout
        before = reference_files(blog)
        blog.crawl()
        files = blog.files()
        assert {path: files[path] for path in before} == before
        assert set(files) == set(before) | NEW_POSTS
    finally:
        blog.close()


def test_another_article_with_the_same_title_and_day_gets_its_own_name(tmp_path):
    crawler = get_crawler(settings_dict={"OUTPUT_DIR": str(tmp_path / "out"), "STATE_PATH": str(tmp_path / "s.db")})
    crawler.stats.open_spider()
    exporter = PostExportPipeline.from_crawler(crawler)
    exporter.open_spider()
    reference = tmp_path / "out" / "2021-10-27" / "同名文章.md"
    reference.parent.mkdir(parents=True)
    reference.write_text("\n---\ntitle: '同名文章'\ndate: Wed, 27 Oct 2021 02:08:49 GMT\n---\n\n<div>   \n<p>旧</p>  \n"
                         "</div>\n", encoding="utf-8")
    when = parsedate_to_datetime("Wed, 27 Oct 2021 02:08:49 GMT").astimezone(SHANGHAI)
    first = exporter.process_item(Article(url="https://finance.sina.com.cn/a.shtml", doc_id="a", title="同名文章",
                                          published_at=when, body_html="<p>甲</p>"))
    second = exporter.process_item(Article(url="https://finance.sina.com.cn/b.shtml", doc_id="b", title="同名文章",
                                           published_at=when, body_html="<p>乙</p>"))
    assert Path(first.output_path) == reference and "<p>旧</p>" in reference.read_text(encoding="utf-8")
    assert Path(second.output_path).name == "同名文章 b.md"


def test_the_adopt_command_names_what_it_does_not_take_over(tmp_path):
    posts = tmp_path / "posts"
    (posts / "2021-10-27").mkdir(parents=True)
    (posts / "2021-10-27" / "笔记.md").write_text("随手记的笔记，没有 front matter\n", encoding="utf-8")
    (posts / "2021-10-28").mkdir()
    shutil.copyfile(POSTS / "上海全面推进城市数字化转型_十四五_规划出炉 包括3大领域20项重点任务.md",
                    posts / "2021-10-28" / "上海全面推进城市数字化转型_十四五_规划出炉 包括3大领域20项重点任务.md")
    shutil.copyfile(POSTS / "0！.md", posts / "改过名字.md")
    result = subprocess.run([sys.executable, "-m", "crawler.adopt", str(posts), "--state", str(tmp_path / "s.db")],
                            cwd=ELSEWHERE, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{posts}: 0 posts recognised and noted in {tmp_path / 's.db'}; 0 already this crawler's; 3 not taken over",
        "  not taken over: 2021-10-27/笔记.md: not a post (no front matter with a title and a date)",
        "  not taken over: 2021-10-28/上海全面推进城市数字化转型_十四五_规划出炉 包括3大领域20项重点任务.md: "
        "its date is 2021-10-27 (Beijing), not its folder's day",
        "  not taken over: 改过名字.md: its name is not the one its title gives",
    ]


def test_the_adopt_command_refuses_a_missing_folder_in_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "crawler.adopt", str(tmp_path / "nope")], cwd=ELSEWHERE,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == f"python -m crawler.adopt: no such folder: {tmp_path / 'nope'}\n"
