"""Bytes to text, the way a browser would, with GB2312/GBK pages read as GB18030."""

from __future__ import annotations

from collections.abc import Mapping

from w3lib.encoding import html_body_declared_encoding, html_to_unicode, http_content_type_encoding


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
    if declared:
        encoding, text = html_to_unicode(content_type, body)
        if encoding == "gb18030" and not body.isascii() and _decodes_cleanly(body, "utf-8"):
            return body.decode("utf-8"), "utf-8"
        if _decodes_cleanly(body, encoding):
            return text, encoding
    for encoding in ("utf-8", "gb18030"):
        if _decodes_cleanly(body, encoding):
            return body.decode(encoding), encoding
    return body.decode("gb18030", errors="replace"), "gb18030"


def _decodes_cleanly(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True
