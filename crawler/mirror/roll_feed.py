"""The roll API of a snapshot: ``SNAPSHOT/roll.jsonl`` served as ``/api/roll/get``.

Each line is one roll item: ``docid``, ``url``, ``title``, ``intro``, ``ctime``, ``mtime``,
``intime``, ``media_name``, ``keywords`` and ``lists``: the ``[pageid, lid]`` pairs it is
listed under. Replies follow sina-site.md §1.1: newest first, ``num`` ≤ 50, ``page``, the
``ctime`` cursor (items older than it), ``callback`` for JSONP; a pageid/lid pair that no
item is listed under answers status code 1, 未注册, as Sina does for a mismatched pair.
``max_page`` imitates lists whose page numbers stop reaching old items: pages past it are
empty, and only the ``ctime`` cursor gets further.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import parse_qs

from crawler.mirror.files import ReloadingFile
from crawler.sina.roll import MAX_NUM


def read_items(path: Path) -> list[dict]:
    """roll.jsonl's items, newest first."""
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return sorted(items, key=lambda item: int(item["ctime"]), reverse=True)


class RollFeed:
    def __init__(self, path: Path, max_page: int | None = None) -> None:
        self.items = ReloadingFile(path, read_items, list)
        self.max_page = max_page

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
            pair = [int(params["pageid"]), int(params["lid"])]
            num = max(1, min(int(params.get("num", 20)), MAX_NUM))
            page = max(1, int(params.get("page", 1)))
            cursor = int(params["ctime"]) if params.get("ctime") else None
        except (KeyError, ValueError):
            return {"status": {"code": 2, "msg": "参数错误"}, "data": []}
        listed = [item for item in self.items.value() if pair in item.get("lists", [])]
        if not listed:
            return {"status": {"code": 1, "msg": "未注册"}, "data": []}
        if cursor is not None:
            listed = [item for item in listed if int(item["ctime"]) < cursor]
        chunk = [] if self.max_page and page > self.max_page else listed[(page - 1) * num : page * num]
        data = [{k: v for k, v in item.items() if k != "lists"} for item in chunk]
        return {
            "status": {"code": 0, "msg": "succ"},
            "timestamp": time.strftime("%a %b %d %H:%M:%S +0800 %Y"),
            "total": len(listed),
            "start": int(chunk[0]["ctime"]) if chunk else None,
            "end": int(chunk[-1]["ctime"]) if chunk else None,
            "data": data,
        }
