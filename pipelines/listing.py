"""ApplyListingPipeline: the roll API's fields win where the reference system used them.

The post date is the API ``intime`` and the title the API title (as the seed system did);
the page's own values stay as fallbacks, and fill what the API leaves empty.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter


class ApplyListingPipeline:
    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        listing = adapter.get("listing")
        if listing is None:
            return item
        adapter["doc_id"] = listing.doc_id
        adapter["published_at"] = listing.intime
        adapter["title"] = listing.title or adapter.get("title")
        adapter["source"] = adapter.get("source") or listing.media_name or None
        adapter["keywords"] = adapter.get("keywords") or list(listing.keywords)
        adapter["description"] = adapter.get("description") or listing.intro or None
        return item
