"""Bytes to text, the way a browser would, with GB2312/GBK pages read as GB18030."""

from __future__ import annotations

from collections.abc import Mapping

from w3lib.encoding import html_body_declared_encoding, html_to_unicode, http_content_type_encoding, read_bom


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def decode_page(body: bytes, headers: Mapping[str, str] | None = None) -> tuple[str, str]:
    """Return (text, encoding used).

    Order: BOM, HTTP charset, ``<meta>`` charset (w3lib maps gb2312/gbk to gb18030),
    then a strict UTF-8 try, then GB18030. Two Sina realities shape the fallbacks: GBK
    pages served with no declaration at all (w3lib alone would read them as cp1252), and
    re-saved pages whose bytes are UTF-8 under a stale ``charset=gb2312``. Text that is
    valid multi-byte UTF-8 is practically never GBK, so it wins over a GB declaration.
    """
    content_type = _header(headers, "Content-Type")
    declared = http_content_type_encoding(content_type) or html_body_declared_encoding(body)
    if declared and read_bom(body)[0]:
        declared, _ = html_to_unicode(content_type, body)  # a byte-order mark wins (rare: decode twice)
    if declared:
        if declared == "gb18030" and not body.isascii() and (text := _strict(body, "utf-8")) is not None:
            return text, "utf-8"
        if (text := _strict(body, declared)) is not None:
            return text, declared
    for encoding in ("utf-8", "gb18030"):
        if (text := _strict(body, encoding)) is not None:
            return text, encoding
    return body.decode("gb18030", errors="replace"), "gb18030"


def _strict(body: bytes, encoding: str) -> str | None:
    """The text when ``body`` decodes without error (a BOM of that encoding dropped), else None."""
    try:
        text = body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return text.removeprefix("\ufeff")
