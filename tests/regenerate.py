"""Rewrite the golden outputs of the saved pages from the code's current output, as a diff.

    python -m tests.regenerate [--check] [STEM ...]

For every page of tests/fixtures/pages (or only the STEMs given) it runs ``read_page`` on the
saved bytes and, for an article, ``render_post`` on the item, then rewrites:

- ``expected.md``: the exact post bytes (removed when the page is no longer an article);
- in ``expected.json``, only the machine-checkable exact fields (``kind``, ``reason`` of a
  refused page; ``doc_id``, ``title``, ``published_at``, ``source``, ``author``, ``editor``,
  ``keywords``, ``channel``, ``description``, ``images``, ``stocks`` of an article). Hand-written fields
  (``body_container``, ``body_first_text``, ``body_last_text``, ``body_contains``, ``notes``, ...)
  and the key order are kept; a missing exact field is put back after the one before it.

Every file it changes is printed as a unified diff, then a one-line summary: any change of
output becomes a diff to review (and, for expected.json, to check against the page by hand).
With ``--check`` it writes nothing and exits 1 when anything would change, 0 otherwise.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path

from crawler.sina.pages import read_page
from pipelines.format import render_post
from tests.support.pages import PAGES_DIR, FixturePage, fixture_page, fixture_pages

ARTICLE_FIELDS = (
    "doc_id",
    "title",
    "published_at",
    "source",
    "author",
    "editor",
    "keywords",
    "channel",
    "description",
    "images",
    "stocks",
)
NOT_ARTICLE_FIELDS = ("reason",)
PROJECT = PAGES_DIR.parents[2]


def exact_fields(result) -> dict:
    """The machine-checkable fields of a read_page result, as JSON values."""
    if not hasattr(result, "body_html"):  # NotArticle: read_page's typed refusal
        return {"kind": "not_article", "reason": result.reason}
    values = {"kind": "article"}
    for name in ARTICLE_FIELDS:
        value = getattr(result, name)
        if name == "published_at" and value is not None:
            value = value.isoformat()
        values[name] = list(value) if isinstance(value, list) else value
    return values


def updated_expectation(current: dict, fields: dict) -> dict:
    """``current`` with ``fields`` set: existing keys keep their place, hand-written ones their
    value; a missing exact field goes right after the exact field before it (else last)."""
    stale = NOT_ARTICLE_FIELDS if fields["kind"] == "article" else ARTICLE_FIELDS
    keys = [key for key in current if key not in stale]
    canonical = ["file", "url", *fields]
    for name in fields:
        if name in keys:
            continue
        before = [key for key in canonical[: canonical.index(name)] if key in keys]
        keys.insert(keys.index(before[-1]) + 1 if before else len(keys), name)
    return {key: fields[key] if key in fields else current[key] for key in keys}


def dump_json(data: dict) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def diff(path: Path, old: bytes | None, new: bytes | None) -> str:
    name = path.relative_to(PROJECT).as_posix()

    def lines(data: bytes | None) -> list[str]:
        if not data:
            return []
        text = data.decode("utf-8").splitlines(keepends=True)
        if not text[-1].endswith("\n"):
            text[-1] += "\n\\ No newline at end of file\n"
        return text

    return "".join(
        difflib.unified_diff(
            lines(old),
            lines(new),
            fromfile=f"a/{name}" if old is not None else "/dev/null",
            tofile=f"b/{name}" if new is not None else "/dev/null",
        )
    )


def planned_changes(page: FixturePage) -> list[tuple[Path, bytes | None, bytes | None]]:
    """(path, current bytes or None, new bytes or None) of every golden file that would change."""
    result = read_page(page.url, page.body(), page.headers)
    fields = exact_fields(result)
    old_json = page.expected_path.read_bytes()
    new_json = dump_json(updated_expectation(json.loads(old_json), fields))
    post = page.expected_post_path
    old_post = post.read_bytes() if post.exists() else None
    new_post = render_post(result).encode("utf-8") if fields["kind"] == "article" else None
    changes = []
    if new_json != old_json:
        changes.append((page.expected_path, old_json, new_json))
    if new_post != old_post:
        changes.append((post, old_post, new_post))
    return changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.regenerate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if anything would change")
    parser.add_argument("stems", nargs="*", metavar="STEM", help="page folders to regenerate (default: all)")
    args = parser.parse_args(argv)
    known = {page.stem for page in fixture_pages()}
    unknown = [stem for stem in args.stems if stem not in known]
    if unknown:
        parser.error(f"no such page folder under {PAGES_DIR}: {', '.join(unknown)}")
    pages = [fixture_page(stem) for stem in args.stems] if args.stems else fixture_pages()

    changed = []
    for page in pages:
        for path, old, new in planned_changes(page):
            sys.stdout.write(diff(path, old, new))
            changed.append(path)
            if args.check:
                continue
            if new is None:
                path.unlink()
            else:
                path.write_bytes(new)

    verb = "would change" if args.check else "changed"
    names = ", ".join(path.relative_to(PAGES_DIR).as_posix() for path in changed)
    print(f"regenerate: {len(pages)} page(s), {len(changed)} file(s) {verb}" + (f": {names}" if names else ""))
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
