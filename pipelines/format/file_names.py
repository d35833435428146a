"""Post file names: the reference rule (output-format.md §6), made safe for Hexo and ext4."""

from __future__ import annotations

from pipelines.format.title import sanitise_title

MAX_NAME_BYTES = 255
EXTENSION = ".md"


def reference_stem(title: str) -> str:
    """The reference rule (§6): the sanitised title without newlines, ``#`` and ``.``."""
    stem = sanitise_title(title)
    for dropped in ("\n", "#", "."):
        stem = stem.replace(dropped, "")
    return stem


def reference_file_name(title: str) -> str:
    """The name the reference system gave the post of ``title`` (no length limit, no Hexo fixes)."""
    return reference_stem(title) + EXTENSION


def post_stem(title: str, doc_id: str) -> str:
    """``reference_stem``, with ``%`` made ``％`` (Hexo 8 rejects ``%`` in names with "URI
    malformed") and a leading ``_`` made ``＿`` (Hexo hides such files). An empty result falls
    back to the doc id."""
    stem = reference_stem(title).replace("%", "％").strip()
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
