"""The archive of fetched responses: WARC/1.1 files (ISO 28500) written with warcio.

Each exchange is a ``response`` record (or a ``revisit`` when the same URL came back with the same
payload digest as a capture already in the folder) and its ``request`` record, gzipped per record
and appended with one write, so a process killed mid-write tears at most its last record. A file
is named ``sina-<UTC time to the ms>-<serial>-<pid>-<host>.warc.gz`` (names sort by time) and
carries ``.open`` while its writer has it; the next writer on that host cuts a dead writer's
torn last record off and closes the file (``close_orphans``). Each process writes its own files.
The digests of earlier captures, for revisits, are kept in ``FOLDER/.revisits.sqlite``.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import threading
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import BufferWARCWriter

PREFIX = "sina"
OPEN = ".open"
SUFFIX = ".warc.gz"
# zlib's default: as small as level 9 on these pages (within 1 %), a third less CPU.
GZIP_LEVEL = 6
# Hop-by-hop framing the HTTP client already undid: the stored payload is the de-chunked body.
UNFRAMED = {"transfer-encoding"}


@dataclass
class Exchange:
    """One request and the response received for it."""

    url: str
    started: datetime  # aware
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    body: bytes
    method: str = "GET"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: bytes = b""


def warc_date(moment: datetime) -> str:
    return datetime_to_iso_date(moment.astimezone(UTC).replace(tzinfo=None), use_micros=True)


def file_name(serial: int, moment: datetime, pid: int | None = None, host: str | None = None) -> str:
    stamp = moment.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")[:17]
    host = (host or socket.gethostname()).replace("-", "_")
    return f"{PREFIX}-{stamp}-{serial:05d}-{pid or os.getpid()}-{host}{SUFFIX}"


def writer_of(name: str) -> tuple[int, str] | None:
    """(pid, host) from an archive file name, None for a name of another form."""
    parts = name.removesuffix(OPEN).removesuffix(SUFFIX).split("-", 4)
    if len(parts) != 5 or parts[0] != PREFIX or not parts[3].isdigit():
        return None
    return int(parts[3]), parts[4]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def complete_length(path: Path) -> int:
    """Bytes up to the end of the last whole gzip member (one record each) of ``path``."""
    good = consumed = 0
    inflater = zlib.decompressobj(31)
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            data = chunk
            while data:
                try:
                    inflater.decompress(data)
                except zlib.error:
                    return good
                if not inflater.eof:
                    consumed += len(data)
                    break
                good += consumed + len(data) - len(inflater.unused_data)
                consumed = 0
                data = inflater.unused_data
                inflater = zlib.decompressobj(31)
    return good


def close_file(path: Path) -> Path | None:
    """Cut a torn last record off an ``.open`` file and give it its final name; None when
    nothing whole was in it (the file is removed)."""
    length = complete_length(path)
    if length == 0:
        path.unlink()
        return None
    with open(path, "r+b") as handle:
        handle.truncate(length)
        os.fsync(handle.fileno())
    final = path.with_name(path.name.removesuffix(OPEN))
    os.replace(path, final)
    return final


def close_orphans(folder: Path) -> list[Path]:
    """Close the ``.open`` files that dead writers of this host left in ``folder``."""
    host = socket.gethostname().replace("-", "_")
    closed = []
    for path in sorted(folder.glob(f"*{SUFFIX}{OPEN}")):
        writer = writer_of(path.name)
        if writer is None or writer[1] != host or (writer[0] != os.getpid() and alive(writer[0])):
            continue
        final = close_file(path)
        if final is not None:
            closed.append(final)
    return closed


def gzipped(record: ArcWarcRecord) -> bytes:
    """One record as one gzip member (the WARC standard's "record at a time" compression)."""
    buffer = BufferWARCWriter(gzip=False, warc_version="1.1")
    buffer.write_record(record)
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
    return compressor.compress(buffer.get_contents()) + compressor.flush()


class RevisitIndex:
    """(URL, payload digest) -> the first capture's date and record id, shared by the writers
    of one folder."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS captures (url TEXT, digest TEXT, date TEXT, record_id TEXT, "
                        "PRIMARY KEY (url, digest))")

    def first(self, url: str, digest: str) -> tuple[str, str] | None:
        row = self.db.execute("SELECT date, record_id FROM captures WHERE url = ? AND digest = ?",
                              (url, digest)).fetchone()
        return (row[0], row[1]) if row else None

    def add(self, url: str, digest: str, date: str, record_id: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO captures VALUES (?, ?, ?, ?)", (url, digest, date, record_id))

    def close(self) -> None:
        self.db.close()


class WarcWriter:
    """Appends exchanges to size-rotated WARC files in ``folder``; ``close()`` finishes the last.

    ``write`` may be called from several threads: digests and compression run in the caller's
    thread (both let go of the GIL), the revisit check and the append one at a time.
    """

    def __init__(self, folder: Path, max_bytes: int, info: dict[str, str]) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.repaired = close_orphans(folder)
        self.max_bytes = max_bytes
        self.info = info
        self.index = RevisitIndex(folder / ".revisits.sqlite")
        self.fd: int | None = None
        self.path: Path | None = None
        self.size = 0
        self.serial = 0
        self.written: list[Path] = []
        self.lock = threading.Lock()

    def write(self, exchange: Exchange) -> str:
        """Append one exchange; returns the type of its main record (``response`` or ``revisit``)."""
        builder = BufferWARCWriter(gzip=False, warc_version="1.1")
        date = warc_date(exchange.started)
        headers = [(k, v) for k, v in exchange.response_headers if k.lower() not in UNFRAMED]
        http = StatusAndHeaders(f"{exchange.status} {exchange.reason}".strip(), headers, protocol="HTTP/1.1")
        response = builder.create_warc_record(exchange.url, "response", payload=BytesIO(exchange.body),
                                              length=len(exchange.body), http_headers=http,
                                              warc_headers_dict={"WARC-Date": date})
        digest = response.rec_headers.get_header("WARC-Payload-Digest")
        with self.lock:
            first = self.index.first(exchange.url, digest) if exchange.status == 200 else None
        if first is not None:
            response = builder.create_revisit_record(exchange.url, digest, exchange.url, first[0], http_headers=http,
                                                     warc_headers_dict={"WARC-Date": date,
                                                                        "WARC-Refers-To": first[1]})
        request = self._request(builder, exchange)
        request.rec_headers.replace_header("WARC-Date", date)
        request.rec_headers.add_header("WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID"))
        data = gzipped(response) + gzipped(request)
        with self.lock:
            self._append(data)
            if first is None and exchange.status == 200:
                self.index.add(exchange.url, digest, date, response.rec_headers.get_header("WARC-Record-ID"))
        return response.rec_type

    @staticmethod
    def _request(builder: BufferWARCWriter, exchange: Exchange) -> ArcWarcRecord:
        parts = urlsplit(exchange.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = list(exchange.request_headers)
        if not any(k.lower() == "host" for k, _ in headers):
            headers.insert(0, ("Host", parts.netloc))
        http = StatusAndHeaders(f"{exchange.method} {target} HTTP/1.1", headers, is_http_request=True)
        return builder.create_warc_record(exchange.url, "request", payload=BytesIO(exchange.request_body),
                                          length=len(exchange.request_body), http_headers=http)

    def _append(self, data: bytes) -> None:
        if self.fd is not None and self.size >= self.max_bytes:
            self._finish()
        if self.fd is None:
            self._open()
        self._write_all(data)

    def _write_all(self, data: bytes) -> None:
        assert self.fd is not None
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]
        self.size += len(data)

    def _open(self) -> None:
        self.serial += 1
        now = datetime.now(UTC)
        name = file_name(self.serial, now)
        self.path = self.folder / (name + OPEN)
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o666)
        self.size = 0
        builder = BufferWARCWriter(gzip=False, warc_version="1.1")
        self._write_all(gzipped(builder.create_warcinfo_record(name, self.info)))

    def _finish(self) -> None:
        assert self.fd is not None and self.path is not None
        os.fsync(self.fd)
        os.close(self.fd)
        final = self.path.with_name(self.path.name.removesuffix(OPEN))
        os.replace(self.path, final)
        self.written.append(final)
        self.fd, self.path = None, None

    def close(self) -> None:
        with self.lock:
            if self.fd is not None:
                self._finish()
            with contextlib.suppress(sqlite3.Error):
                self.index.close()
