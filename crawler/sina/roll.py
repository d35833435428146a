"""Sina's roll ("滚动") list API: request URLs and reply parsing. Framework-free.

``https://feed.mix.sina.com.cn/api/roll/get?pageid=155&lid=1686&num=50&page=1`` answers
``{"result": {"status": {"code": 0}, "end": <ctime>, "data": [...]}}``, optionally wrapped in
JSONP (``try{cb(...);}catch(e){};``). See sina-site.md §1.1.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from crawler.items import RollEntry
from crawler.values import epoch

ROLL_HOSTS = ("feed.mix.sina.com.cn", "feed.sina.com.cn")
MAX_NUM = 50


class RollError(Exception):
    """A roll reply that cannot be used; ``reason`` is a short stable code for stats."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass
class RollPage:
    entries: list[RollEntry]
    end: int | None  # ctime cursor for the next, older batch
    total: int | None
    skipped: list[str] = field(default_factory=list)  # reasons for unusable items


def roll_url(pageid: int, lid: int, page: int = 1, *, num: int = MAX_NUM, ctime: int | None = None,
             host: str = ROLL_HOSTS[0]) -> str:
    params: dict[str, object] = {"pageid": pageid, "lid": lid, "num": min(num, MAX_NUM), "page": page}
    if ctime is not None:
        params["ctime"] = ctime
    return f"https://{host}/api/roll/get?{urlencode(params)}"


def parse_roll(body: bytes, channel: str = "") -> RollPage:
    """Parse one reply; raise RollError when the reply as a whole is unusable."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RollError("roll_not_utf8", str(error)) from None
    reply = _json_or_jsonp(text.strip())
    result = reply.get("result") if isinstance(reply, dict) else None
    if not isinstance(result, dict):
        raise RollError("roll_no_result", "reply has no result object")
    status = result.get("status") or {}
    code = status.get("code") if isinstance(status, dict) else None
    if code not in (0, "0"):
        message = status.get("msg", "") if isinstance(status, dict) else ""
        if "未注册" in str(message):  # the pageid/lid pair is wrong or retired (sina-site.md §1.2)
            raise RollError("roll_unregistered", f"status code {code!r} ({message})")
        raise RollError("roll_status", f"status code {code!r} ({message})")
    data = result.get("data")
    if not isinstance(data, list):
        raise RollError("roll_no_data", "result.data is not a list")
    entries, skipped = [], []
    for raw in data:
        try:
            entries.append(roll_entry(raw, channel))
        except (KeyError, TypeError, ValueError) as error:
            skipped.append(f"{type(error).__name__}: {error}")
    return RollPage(entries, _int_or_none(result.get("end")), _int_or_none(result.get("total")), skipped)


def _json_or_jsonp(text: str) -> object:
    """Plain JSON, or the first JSON value after the first ``(`` of a JSONP wrapper
    (``try{cb({...});}catch(e){};``, ``jQuery123_456({...})``)."""
    start = 0
    if not text.startswith("{"):
        paren = text.find("(")
        if paren < 0:
            raise RollError("roll_not_json", f"neither JSON nor JSONP: {text[:80]!r}")
        start = paren + 1
        while start < len(text) and text[start].isspace():
            start += 1
    try:
        value, _end = json.JSONDecoder().raw_decode(text, start)
    except ValueError as error:
        raise RollError("roll_not_json", str(error)) from None
    return value


def roll_entry(raw: dict, channel: str = "") -> RollEntry:
    if not isinstance(raw, dict):
        raise TypeError("item is not an object")
    doc_id = str(raw["docid"]).removeprefix("comos:").strip()
    url = str(raw["url"]).strip()
    if not doc_id or not url.startswith(("http://", "https://")):
        raise ValueError(f"item without doc id or url: {raw.get('docid')!r} {raw.get('url')!r}")
    ctime = epoch(raw["ctime"])
    return RollEntry(
        doc_id=doc_id,
        url="https://" + url.removeprefix("http://").removeprefix("https://"),
        title=html.unescape(str(raw.get("title") or "")).strip(),
        ctime=ctime,
        mtime=epoch(raw.get("mtime") or raw["ctime"]),
        intime=epoch(raw.get("intime") or raw["ctime"]),
        intro=html.unescape(str(raw.get("intro") or "")).strip(),
        media_name=str(raw.get("media_name") or "").strip(),
        keywords=[k.strip() for k in re.split(r"[,，]", str(raw.get("keywords") or "")) if k.strip()],
        channel=channel,
    )


def _int_or_none(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None
