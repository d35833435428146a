"""Atomic file replacement: readers see the old bytes or the new bytes, never a mix.

The file gets the mode a plain ``open(path, "w")`` would give it: an existing file keeps its
mode, a new one gets 0o666 less the process umask (0644 under umask 022), so a web server
running as another user can read the posts.

A temp file is named after its writer's pid (``.<pid>-<random>.tmp``). A writer killed mid-write
(SIGKILL, power cut) leaves one behind; ``writing(root)`` marks a folder as written by this
process (``root/.writing-<host>-<pid>``) and ``sweep_orphans(root)`` removes the temp files of
this host's writers that died with their mark still there.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import socket
import stat
from collections.abc import Iterable
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temp file in the same folder, flush, fsync, then ``os.replace``.

    On any error the temp file is removed and the previous file (if any) is untouched.
    """
    _replace(path, (data,), only_if_changed=False)


def replace_if_changed(path: Path, chunks: Iterable[bytes]) -> bool:
    """``write_atomic`` for content made piece by piece (never held whole in memory), replacing
    ``path`` only when the bytes differ from the file's (compared by SHA-256), so an unchanged file
    keeps its mtime. True when ``path`` was replaced. An error while making the pieces leaves
    ``path`` as it was and no temp file."""
    return _replace(path, chunks, only_if_changed=True)


def _replace(path: Path, chunks: Iterable[bytes], *, only_if_changed: bool) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = _create_temp(path)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as handle:
            with contextlib.suppress(FileNotFoundError):
                os.fchmod(handle.fileno(), stat.S_IMODE(os.stat(path).st_mode))
            for chunk in chunks:
                handle.write(chunk)
                if only_if_changed:
                    digest.update(chunk)
            handle.flush()
            if only_if_changed and _sha256_of(path) == digest.digest():
                os.unlink(tmp_name)
                return False
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(path.parent)
    return True


def _sha256_of(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").digest()
    except FileNotFoundError:
        return None


def _create_temp(path: Path) -> tuple[int, str]:
    # Like mkstemp, but created with 0o666 so the umask applies as it does to open() (mkstemp: 0600).
    while True:
        name = str(path.parent / f".{os.getpid()}-{secrets.token_hex(4)}.tmp")
        try:
            return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666), name
        except FileExistsError:
            continue


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not every platform lets a directory be opened.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def writing(root: Path) -> Path:
    """Mark ``root`` as written by this process until ``done_writing`` (the mark survives a kill)."""
    root.mkdir(parents=True, exist_ok=True)
    mark = root / f".writing-{_host()}-{os.getpid()}"
    mark.touch()
    return mark


def done_writing(mark: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        mark.unlink()


def sweep_orphans(root: Path) -> int:
    """Remove the temp files under ``root`` of this host's writers that died while writing (their
    mark left, their pid gone); the number removed. Writers on other hosts are not judged."""
    removed = 0
    for mark in root.glob(f".writing-{_host()}-*"):
        pid = mark.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        for orphan in root.rglob(f".{pid}-*.tmp"):
            with contextlib.suppress(FileNotFoundError):
                orphan.unlink()
                removed += 1
        done_writing(mark)
    return removed


def _host() -> str:
    return socket.gethostname().replace("-", "_")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
