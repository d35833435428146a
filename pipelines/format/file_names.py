"""Post file names: the reference rule (output-format.md §6), made safe for Hexo and ext4."""

from __future__ import annotations

from pipelines.format.title import sanitise_title

MAX_NAME_BYTES = 255
EXTENSION = ".md"


def post_stem(title: str, doc_id: str) -> str:
    """Sanitised title without newlines, ``#`` and ``.``; ``%`` becomes ``％`` (Hexo 8 rejects
    ``%`` in names with "URI malformed"); a leading ``_`` becomes ``＿`` (Hexo hides such files).
    An empty result falls back to the doc id."""
    stem = sanitise_title(title)
    for dropped in ("\n", "#", "."):
        stem = stem.replace(dropped, "")
    stem = stem.replace("%", "％").strip()
    if stem.startswith("_"):
        stem = "＿" + stem[1:]
    return stem or doc_id


def post_file_name(title: str, doc_id: str, *, disambiguate: bool = False) -> str:
    """``<stem>.md`` within 255 UTF-8 bytes; ``<stem> <doc id>.md`` when two articles collide."""
    suffix = f" {doc_id}{EXTENSION}" if disambiguate else EXTENSION
    return _fit(post_stem(title, doc_id), MAX_NAME_BYTES - len(suffix.encode())) + suffix


def _fit(text: str, max_bytes: int) -> str:
    encoded = text.encode()
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode(errors="ignore").rstrip()
