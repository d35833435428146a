"""What every template reader receives (the URL, the decoded text, one parsed tree), and the
one place an Article is built from the parts a template located."""

from __future__ import annotations

from dataclasses import dataclass

from parsel import Selector

from crawler.items import Article, NotArticle
from crawler.sina.pages import fields
from crawler.sina.pages.stocks import stock_mentions
from crawler.values import doc_id_from_url


@dataclass
class Page:
    url: str
    text: str
    sel: Selector

    def not_article(self, reason: str, detail: str = "") -> NotArticle:
        return NotArticle(url=self.url, reason=reason, detail=detail)


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
        doc_id=doc_id_from_url(page.url),
        title=title,
        published_at=fields.published_at(page.sel, page.text, page.url, visible_date),
        body_html=fields.inner_html(body),
        source=source or None,
        author=author or None,
        editor=editor,
        keywords=fields.keywords(page.sel),
        channel=channel,
        images=fields.image_urls(body, page.url),
        stocks=stock_mentions(body, page.text),
        description=fields.description(page.sel),
        template=template,
    )
