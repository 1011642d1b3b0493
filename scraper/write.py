"""Writing records: atomic files (one record each, in any output format), appended JSON Lines and CSV.

What a format writes comes from its entry in ``scraper.formats.OUTPUT_FORMATS``; this module does the I/O.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
from pathlib import Path
from typing import Any

from .errors import OutputError, UsageError
from .formats import output_format, record_json, render
from .record import Article

log = logging.getLogger(__name__)

__all__ = [
    "record_json",
    "render",
    "write_record",
    "write_file",
    "append_records",
    "append_jsonl",
    "append_csv",
    "atomic_write_bytes",
    "url_scheme",
    "check_url_backend",
    "require_local_path",
]

_RECORD_ID = re.compile(r"[0-9a-f]{32}")
_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def url_scheme(dest: str | os.PathLike[str] | None) -> str | None:
    """The scheme of an output given as a URL (``s3://...`` -> ``s3``), None for a local path."""
    match = _URL_SCHEME.match(str(dest)) if dest is not None else None
    return match.group(1).lower() if match else None


def check_url_backend(dest: str | None, *, what: str = "output") -> None:
    """Refuse (``UsageError``) a URL (output or input) whose fsspec backend is unknown or not installed."""
    scheme = url_scheme(dest)
    if scheme is None:
        return
    import fsspec
    from fsspec.registry import known_implementations

    try:
        fsspec.get_filesystem_class(scheme)
    except ValueError:
        raise UsageError(
            f"{what} {dest}: unknown URL scheme {scheme}:// (no fsspec backend of that name)"
        ) from None
    except ImportError as exc:
        package = known_implementations.get(scheme, {}).get("class", "").split(".", 1)[0]
        hint = f"pip install {package}" if package and package != "fsspec" else str(exc)
        raise UsageError(
            f"{what} {dest}: {scheme}:// needs a package that is not installed ({hint})"
        ) from None


def require_local_path(dest: str | None, *, what: str = "output", hint: str = "") -> None:
    """Refuse (``UsageError``) a URL where only a local path will do (rather than make a folder named ``s3:``)."""
    scheme = url_scheme(dest)
    if scheme is not None:
        check_url_backend(
            dest, what=what
        )  # a missing backend is named first: it is what the user will look for
        raise UsageError(f"{what} {dest}: {scheme}:// URLs are not supported here; give a local path{hint}")


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform or filesystem allows it
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _create_temporary(path: Path) -> tuple[int, str]:
    """A new ``.NAME.RANDOM.tmp`` beside ``path``, mode 0666 less the umask (mkstemp would give 0600)."""
    for _ in range(100):
        name = str(path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(
                name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666
            ), name
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all or nothing: temporary file in the same folder, fsync, rename.

    The file gets the mode the umask gives (0644 under umask 022), as an appended file does.
    """
    path = Path(path)
    tmp_name = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = _create_temporary(path)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, path)
        tmp_name = None
        _fsync_dir(path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


def write_record(
    article: Article,
    folder: str | Path,
    *,
    indent: int = 2,
    fmt: str = "json",
    links: bool = False,
    images: bool = False,
) -> Path:
    """Write ``folder/ID.EXT`` atomically (``ID.json`` for JSON); re-extracting the same URL replaces its
    own file only."""
    if not _RECORD_ID.fullmatch(article.id):  # file names come only from ids: no "../", no "/"
        raise OutputError(f"not a record id: {article.id[:40]!r}")
    path = Path(folder) / f"{article.id}{output_format(fmt).extension}"
    return write_file(article, path, fmt=fmt, indent=indent, links=links, images=images)


def write_file(
    article: Article,
    path: str | Path,
    *,
    fmt: str,
    indent: int = 2,
    links: bool = False,
    images: bool = False,
) -> Path:
    """Write one record, rendered in ``fmt``, to ``path`` atomically (replacing it)."""
    text = render(article, fmt, indent=indent, links=links, images=images)
    path = Path(path)
    atomic_write_bytes(path, (text if text.endswith("\n") else text + "\n").encode("utf-8"))
    return path


def _repair_tail(fd: int) -> None:
    """Cut a partial last line left by a crash, so appends always start on a line of their own."""
    size = os.lseek(fd, 0, os.SEEK_END)
    if size == 0:
        return
    pos = size
    chunk = 4096
    while pos > 0:
        start = max(0, pos - chunk)
        os.lseek(fd, start, os.SEEK_SET)
        data = os.read(fd, pos - start)
        if start + len(data) == size and data.endswith(b"\n"):
            return
        nl = data.rfind(b"\n")
        if nl >= 0:
            os.ftruncate(fd, start + nl + 1)
            log.warning("removed a partial last line from a JSON Lines file")
            return
        pos = start
    os.ftruncate(fd, 0)


def _open_for_append(path: Path) -> int:
    """A descriptor appending to ``path`` (created with the umask's mode, folders too)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o666)  # less the umask
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc


def append_records(
    records: list[Article] | list[dict[str, Any]], path: str | Path, *, fmt: str = "jsonl"
) -> int:
    """Append records to a file of ``fmt`` (one with a ``row``: jsonl, csv), each row in one write, then
    fsync; a new or empty file gets the format's header first. Returns the number written.

    A row cut short (disk full) is cut off again, so the file holds whole rows only.
    """
    entry = output_format(fmt)
    if entry.row is None:
        raise ValueError(f"{fmt} is not a format that is appended to")
    path = Path(path)
    fd = _open_for_append(path)
    try:
        if entry.whole_lines:
            _repair_tail(fd)
        header = entry.header() if entry.header is not None and os.lseek(fd, 0, os.SEEK_END) == 0 else ""
        rows: list[Article | dict[str, Any]] = list(records)
        for n, record in enumerate(rows):
            data = ((header if n == 0 else "") + entry.row(record)).encode("utf-8")
            start = os.lseek(fd, 0, os.SEEK_END)
            written = os.write(fd, data)
            if written != len(data):  # a short write (disk full): cut it off again
                os.ftruncate(fd, start)
                raise OutputError(f"cannot write {path}: No space left on device (short write)")
        os.fsync(fd)
    except OutputError:
        raise
    except OSError as exc:
        if entry.whole_lines:
            with contextlib.suppress(OSError):
                _repair_tail(fd)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    return len(records)


def append_jsonl(records: list[Article] | list[dict[str, Any]], path: str | Path) -> int:
    """Append records as whole JSON lines (one write each, then fsync); returns the number written."""
    return append_records(records, path, fmt="jsonl")


def append_csv(records: list[Article], path: str | Path) -> int:
    """Append one CSV row per record (the header first when the file is new or empty); returns the rows."""
    return append_records(records, path, fmt="csv")
