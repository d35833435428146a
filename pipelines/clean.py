"""CleanArticlePipeline: control characters and runs of whitespace out of the short text fields.

The title only loses its control characters (and its ends' whitespace): the reference system
kept the API title as given, runs of spaces included, and its posts' titles and file names are
what a blog taken over from it holds.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter

from crawler.values import clean_text, printable

SHORT_TEXT_FIELDS = ("title", "source", "author", "editor", "description")


class CleanArticlePipeline:
    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        for name in SHORT_TEXT_FIELDS:
            value = adapter.get(name)
            if isinstance(value, str) and name == "title":
                adapter[name] = printable(value).strip()
            elif isinstance(value, str):
                adapter[name] = clean_text(printable(value)) or None
        adapter["keywords"] = [clean_text(k) for k in adapter.get("keywords") or [] if clean_text(k)]
        return item
