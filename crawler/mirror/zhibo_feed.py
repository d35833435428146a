"""The 7x24 live feed of a snapshot: ``SNAPSHOT/zhibo.jsonl`` served as ``/api/zhibo/feed``.

Each line is one feed item in the reply's own schema (sina-site.md §1.6): ``id``, ``zhibo_id``,
``rich_text``, ``create_time`` (Beijing), ``update_time``, ``tag`` (``[{"id", "name"}]``),
``ext`` (a JSON string: ``docurl``, ``stocks``) and so on; whatever a line holds is served as
it is, so a snapshot can drift (a renamed field, a string where a number was). Replies: items of
the asked ``zhibo_id`` (and ``tag_id`` when not 0), newest id first, ``page`` and ``page_size``
(capped at ``max_page_size``, 10 by default as RSSHub reports for Sina), ``page_info``
(``totalPage``, ``page``, ``nextPage``, ``pageSize``, ``totalNum``) and ``callback`` for JSONP.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs

from crawler.mirror.files import ReloadingFile

DEFAULT_MAX_PAGE_SIZE = 10


def read_items(path: Path) -> list[dict]:
    """zhibo.jsonl's items, newest id first (an id that is not a number sorts last)."""
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return sorted(items, key=lambda item: int(item["id"]) if str(item.get("id")).isdigit() else -1, reverse=True)


class ZhiboFeed:
    def __init__(self, path: Path, max_page_size: int = DEFAULT_MAX_PAGE_SIZE) -> None:
        self.items = ReloadingFile(path, read_items, list)
        self.max_page_size = max_page_size

    def reply(self, query: str) -> tuple[str, bytes]:
        """(Content-Type, body) for a query string."""
        params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        body = json.dumps({"result": self._result(params)}, ensure_ascii=False)
        callback = params.get("callback")
        if callback:
            return "application/javascript; charset=utf-8", f"try{{{callback}({body});}}catch(e){{}};".encode()
        return "application/json; charset=utf-8", body.encode()

    def _result(self, params: dict[str, str]) -> dict:
        try:
            zhibo_id = int(params.get("zhibo_id", 152))
            tag_id = int(params.get("tag_id") or 0)
            page = max(1, int(params.get("page", 1)))
            size = max(1, min(int(params.get("page_size") or params.get("pagesize") or 20), self.max_page_size))
        except ValueError:
            return {"status": {"code": 2, "msg": "参数错误"}, "data": {}}
        listed = [item for item in self.items.value() if str(item.get("zhibo_id", 152)) == str(zhibo_id)
                  and (not tag_id or any(str(tag.get("id")) == str(tag_id) for tag in item.get("tag") or []))]
        pages = max(1, -(-len(listed) // size))
        chunk = listed[(page - 1) * size : page * size]
        info = {"totalPage": pages, "page": page, "nextPage": min(page + 1, pages), "pageSize": size,
                "totalNum": len(listed)}
        return {"status": {"code": 0, "msg": "OK"}, "data": {"feed": {"list": chunk, "page_info": info}}}
