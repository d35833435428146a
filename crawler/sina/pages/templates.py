"""The desktop and mobile templates as selector tables, read by one shared reader.

Each field lists its sources in fallback order; the first that yields text wins. A source is a
CSS query, ``meta:NAME`` (``<meta name|property=NAME>``), ``<title>`` (the page title without
its ``_频道_新浪网`` suffix) or a function of the page, for the one difference that is code.
Editors are read from the listed editor-line elements, or by scanning the page or the body for
责任编辑 (``SCAN_PAGE`` / ``SCAN_BODY``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from parsel import Selector

from crawler.items import Article, NotArticle
from crawler.sina.pages import fields
from crawler.sina.pages.page import Page, assemble
from crawler.values import parse_beijing_time

Source = str | Callable[[Page], str]
SCAN_PAGE = "scan page"
SCAN_BODY = "scan body"


@dataclass(frozen=True)
class Template:
    name: str
    # Every group must select something (a group is one CSS query; commas mean "any of").
    markers: tuple[str, ...]
    title: tuple[Source, ...]
    body: tuple[str, ...]
    date: tuple[str, ...] = ()
    source: tuple[Source, ...] = ()
    author: tuple[str, ...] = ()
    editor: tuple[str, ...] | str = ()
    breadcrumb: str = ""
    # Pages on these hosts use the template whatever their markup.
    hosts: tuple[str, ...] = ()

    def matches(self, page: Page) -> bool:
        host = urlsplit(page.url).hostname or ""
        if any(host.endswith(suffix) for suffix in self.hosts):
            return True
        return all(page.sel.css(group) for group in self.markers)

    def parse(self, page: Page) -> Article | NotArticle:
        body = self._body(page.sel)
        return assemble(
            page,
            template=self.name,
            title=first_of(page, self.title),
            body=body,
            visible_date=fields.first_text(page.sel, *self.date),
            source=first_of(page, self.source),
            author=fields.first_text(page.sel, *self.author),
            editor=self._editor(page, body),
            channel=fields.link_texts(next(iter(page.sel.css(self.breadcrumb)), None)) if self.breadcrumb else [],
        )

    def _body(self, sel: Selector) -> Selector | None:
        for query in self.body:
            found = sel.css(query)
            if found:
                return found[0]
        return None

    def _editor(self, page: Page, body: Selector | None) -> str | None:
        if self.editor == SCAN_PAGE:
            return fields.editor_in(page.sel, page.text)
        if self.editor == SCAN_BODY:
            return fields.editor_in(body, page.text) if body is not None else None
        return fields.editor_from(fields.first_text(page.sel, *self.editor))


def first_of(page: Page, sources: tuple[Source, ...]) -> str:
    for source in sources:
        if callable(source):
            value = source(page)
        elif source == "<title>":
            value = fields.strip_title_suffix(fields.first_text(page.sel, "title"))
        elif source.startswith("meta:"):
            value = fields.meta(page.sel, source.removeprefix("meta:"))
        else:
            value = fields.first_text(page.sel, source)
        if value:
            return value
    return ""


def plain_time_source(page: Page) -> str:
    """A 2016 source written as plain text: whatever follows the time inside .time-source."""
    text = fields.first_text(page.sel, ".time-source")
    date = parse_beijing_time(text)
    if date is None:
        return ""
    return text.split(f"{date:%H:%M}", 1)[-1].strip()


# 2017+ desktop (h1.main-title, .date-source, #artibody / #article); also cj/k self-media.
MODERN = Template(
    name="modern",
    markers=("h1.main-title, div.main-content h1, .date-source",),
    title=("h1.main-title", "div.main-content h1", "meta:og:title"),
    body=("div#artibody", "div#article"),
    date=(".date-source span.date", "#top_bar .date", "span.date"),
    source=(".date-source .source", 'a[data-sudaclick="content_media_p"]', "meta:mediaid", "meta:article:author"),
    editor=("p.article-editor", "p.show_author"),
    breadcrumb=".channel-path",
)

# 2012–2017 desktop: h1#artibodyTitle with span.time-source, div.article#artibody.
TRANSITIONAL = Template(
    name="transitional",
    markers=("h1#artibodyTitle", ".time-source"),
    title=("h1#artibodyTitle", "meta:og:title"),
    body=("div#artibody",),
    date=(".time-source",),
    source=('.time-source [data-sudaclick="media_name"]', ".time-source a", plain_time_source, "meta:mediaid"),
    editor=(".article-editor",),
    breadcrumb=".bread",
)

# 2006–2012 desktop, GB2312: any other h1#artibodyTitle page. A missing #pub_date falls back
# to the metas, the CMS comment and the URL date.
CLASSIC = Template(
    name="classic",
    markers=("h1#artibodyTitle",),
    title=("h1#artibodyTitle",),
    body=("#artibody",),
    date=("#pub_date",),
    source=("#media_name",),
    author=("#author_ename",),
    editor=SCAN_PAGE,
    breadcrumb="#lo_links",
)

# Mobile finance.sina.cn: h1.art_tit_h1, time.art_time, .art_content.
MOBILE = Template(
    name="mobile",
    hosts=("sina.cn",),
    markers=("h1.art_tit_h1, .art_content",),
    title=("h1.art_tit_h1", "meta:og:title"),
    body=(".art_content",),
    date=("time.art_time",),
    source=("cite.art_cite", ".weibo_user", "meta:mediaid"),
    editor=SCAN_BODY,
)

# Last resort for article pages whose headline markup no dated template knows: the body
# container is there; headline from og:title or <title>, date from the metas or the URL.
GENERIC = Template(
    name="generic",
    markers=("#artibody, div#article",),
    title=("meta:og:title", "<title>"),
    body=("#artibody", "div#article"),
    date=(".date", "#pub_date", ".time-source", "span.time"),
    source=("meta:mediaid", "meta:article:author"),
    editor=SCAN_PAGE,
)
