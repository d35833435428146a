"""Feed exports with the manifest's field names: ``scrapy crawl … -O items.jsonl`` (or ``.json``).

``FEED_EXPORTERS`` maps ``jsonlines``/``jsonl``/``jl`` and ``json`` to these exporters. Each
writes, for every item, the post's manifest line that the exporter pipeline put on the item
(``Article.manifest``: ``crawler.manifest.FIELDS``, the values of ``OUTPUT_DIR/index.jsonl``),
in UTF-8 (``FEED_EXPORT_ENCODING``) without ``\\u`` escapes. An item without one (the exporter
pipeline disabled) is written as Scrapy would write it. ``FEED_EXPORT_FIELDS`` still selects
fields, by the manifest's names.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.exporters import JsonItemExporter, JsonLinesItemExporter


def feed_record(item: Any) -> Any:
    """What a feed writes for ``item``: its manifest line, else the item itself."""
    record = ItemAdapter(item).get("manifest")
    return record if record is not None else item


class ManifestJsonLinesItemExporter(JsonLinesItemExporter):
    """JSON lines, one manifest line per item."""

    def export_item(self, item: Any) -> None:
        super().export_item(feed_record(item))


class ManifestJsonItemExporter(JsonItemExporter):
    """A JSON array of manifest lines."""

    def export_item(self, item: Any) -> None:
        super().export_item(feed_record(item))
