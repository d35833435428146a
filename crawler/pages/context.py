"""What every template parser receives: the URL, the decoded text and one parsed tree."""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsel import Selector

from crawler.items import Article, NotArticle
from crawler.pages import fields

_EDITOR = re.compile(r"责任编辑\s*[:：]\s*(.+)")


@dataclass
class Page:
    url: str
    text: str
    sel: Selector

    def not_article(self, reason: str, detail: str = "") -> NotArticle:
        return NotArticle(url=self.url, reason=reason, detail=detail)


def editor_from(text: str) -> str | None:
    match = _EDITOR.search(fields.clean_text(text))
    return match.group(1).strip() if match else None


def editor_in(node: Selector) -> str | None:
    """The editor named by the first text node under ``node`` that holds 责任编辑."""
    for text in node.xpath(".//text()[contains(., '责任编辑')]").getall():
        editor = editor_from(text)
        if editor:
            return editor
    return None


def assemble(
    page: Page,
    *,
    template: str,
    title: str,
    body: Selector | None,
    visible_date: str,
    source: str | None,
    editor: str | None,
    channel: list[str],
    author: str | None = None,
) -> Article | NotArticle:
    """Build the Article once a template has located its parts; refuse pages missing the core."""
    if body is None:
        return page.not_article("no_article_body", f"{template} template without its body container")
    if not title:
        return page.not_article("no_title", f"{template} template without a headline")
    return Article(
        url=page.url,
        doc_id=fields.doc_id_from_url(page.url),
        title=title,
        published_at=fields.published_at(page.sel, page.text, page.url, visible_date),
        body_html=fields.inner_html(body),
        source=source or None,
        author=author or None,
        editor=editor,
        keywords=fields.keywords(page.sel),
        channel=channel,
        images=fields.image_urls(body, page.url),
        description=fields.description(page.sel),
        template=template,
    )
