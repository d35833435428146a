"""Reading WARC archives, ours or any other tool's (warcio, Heritrix, Common Crawl; gzipped or
not, WARC/1.0 or 1.1; ARC goes through warcio's ARC reader, untested here): every HTTP response
capture, the newest of each URL, and its payload as the client saw it (de-chunked,
Content-Encoding undone). A ``revisit`` with an
identical payload digest is read with the payload of the capture it repeats.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_datetime

ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
# The payload below is decoded: these headers described the bytes on the wire.
WIRE_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}
# Answers that say nothing about the page (the server was busy or refused for a while).
TRANSIENT = {403, 408, 429}


def url_key(url: str) -> str:
    """The URL without its scheme (http and https captures are the same page): ``host/path?query``."""
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")


@dataclass(frozen=True)
class Capture:
    """One response (or revisit) record: where it is and what it says about its URL."""

    url: str
    moment: datetime
    status: int
    kind: str  # response | revisit
    digest: str | None
    path: Path
    offset: int
    order: int  # position among all records read, for captures of the same moment

    @property
    def key(self) -> str:
        return url_key(self.url)

    @property
    def transient(self) -> bool:
        return self.status in TRANSIENT or self.status >= 500


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def archive_files(paths: Iterable[Path]) -> list[Path]:
    """The files named, and the archive files of the folders named (sorted; ``.open`` ones left out)."""
    files = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(ARCHIVE_SUFFIXES))
        else:
            files.append(path)
    return files


def _moment(value: str | None) -> datetime:
    if not value:
        return datetime.min.replace(tzinfo=UTC)
    return iso_date_to_datetime(value).replace(tzinfo=UTC)


class Archive:
    """Every HTTP response capture of some WARC (or ARC) files, read once on creation."""

    def __init__(self, paths: Iterable[Path]) -> None:
        self.files = archive_files(paths)
        self.captures: list[Capture] = []
        self.originals: dict[str, Capture] = {}
        for path in self.files:
            self.captures += self._scan(path, len(self.captures))
        for capture in self.captures:
            if capture.kind == "response" and capture.digest:
                self.originals.setdefault(capture.digest, capture)

    @staticmethod
    def _scan(path: Path, start: int) -> Iterator[Capture]:
        with open(path, "rb") as handle:
            iterator = ArchiveIterator(handle, arc2warc=True)
            for number, record in enumerate(iterator, start):
                if record.rec_type not in ("response", "revisit") or not record.http_headers:
                    continue
                if not record.http_headers.protocol.upper().startswith("HTTP"):
                    continue  # a response of another protocol (dns:, whois:)
                url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip("<>")
                yield Capture(url=url, moment=_moment(record.rec_headers.get_header("WARC-Date")),
                              status=int(record.http_headers.get_statuscode() or 0), kind=record.rec_type,
                              digest=record.rec_headers.get_header("WARC-Payload-Digest"), path=path,
                              offset=iterator.get_record_offset(), order=number)

    def newest(self, wanted: Callable[[Capture], bool]) -> dict[str, Capture]:
        """URL key -> its newest capture among those ``wanted`` accepts."""
        found: dict[str, Capture] = {}
        for capture in self.captures:
            if not wanted(capture):
                continue
            known = found.get(capture.key)
            if known is None or (capture.moment, capture.order) > (known.moment, known.order):
                found[capture.key] = capture
        return found

    def read(self, capture: Capture) -> Reply | None:
        """The capture's status, headers and decoded payload; None for a revisit whose original
        is not in these files."""
        with open(capture.path, "rb") as handle:
            handle.seek(capture.offset)
            record = next(iter(ArchiveIterator(handle, arc2warc=True)))
            status = int(record.http_headers.get_statuscode() or 0)
            headers = [(k, v) for k, v in record.http_headers.headers if k.lower() not in WIRE_HEADERS]
            if capture.kind == "response":
                return Reply(status, headers, record.content_stream().read())
        original = self.originals.get(capture.digest or "")
        if original is None:
            return None
        payload = self.read(original)
        return Reply(status, headers, payload.body) if payload else None
