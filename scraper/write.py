"""Writing records: atomic files (one record each, in any output format), whole-line JSON Lines and CSV."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
from pathlib import Path
from typing import Any

from .errors import OutputError, UsageError
from .record import Article

log = logging.getLogger(__name__)

__all__ = [
    "record_json", "render", "write_record", "write_file", "append_jsonl", "append_csv", "atomic_write_bytes",
    "url_scheme", "check_url_backend", "require_local_path",
]

_RECORD_ID = re.compile(r"[0-9a-f]{32}")
_SURROGATE = re.compile("[\ud800-\udfff]")
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
        raise UsageError(f"{what} {dest}: unknown URL scheme {scheme}:// (no fsspec backend of that name)") from None
    except ImportError as exc:
        package = known_implementations.get(scheme, {}).get("class", "").split(".", 1)[0]
        hint = f"pip install {package}" if package and package != "fsspec" else str(exc)
        raise UsageError(f"{what} {dest}: {scheme}:// needs a package that is not installed ({hint})") from None


def require_local_path(dest: str | None, *, what: str = "output", hint: str = "") -> None:
    """Refuse (``UsageError``) a URL where only a local path will do (rather than make a folder named ``s3:``)."""
    scheme = url_scheme(dest)
    if scheme is not None:
        check_url_backend(dest, what=what)  # a missing backend is named first: it is what the user will look for
        raise UsageError(f"{what} {dest}: {scheme}:// URLs are not supported here; give a local path{hint}")


def _scrub(value: Any) -> Any:
    """Lone surrogates cannot be encoded as UTF-8: replace them rather than fail the record."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def record_json(record: Article | dict[str, Any], *, indent: int | None = None) -> str:
    """The record as JSON: UTF-8 text without ASCII escapes, no NaN, surrogates replaced."""
    data = record.to_dict() if isinstance(record, Article) else record
    try:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False, indent=indent)
        if not _SURROGATE.search(text):  # dumps keeps lone surrogates, which UTF-8 cannot encode
            return text
    except (UnicodeEncodeError, ValueError):
        pass
    try:
        return json.dumps(_scrub(data), ensure_ascii=False, allow_nan=False, indent=indent)
    except ValueError as exc:  # NaN or infinity: not JSON, never written
        raise OutputError(f"record is not valid JSON: {exc}") from exc


def render(article: Article, fmt: str, *, indent: int = 2, links: bool = False, images: bool = False) -> str:
    """``article`` in one of ``scraper.formats.FORMATS`` (rendering lives in ``formats.py``)."""
    from .formats import render as render_format

    return render_format(article, fmt, indent=indent, links=links, images=images)


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
            return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666), name
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


def write_record(article: Article, folder: str | Path, *, indent: int = 2, fmt: str = "json",
                 links: bool = False, images: bool = False) -> Path:
    """Write ``folder/ID.EXT`` atomically (``ID.json`` for JSON); re-extracting the same URL replaces its
    own file only."""
    if not _RECORD_ID.fullmatch(article.id):  # file names come only from ids: no "../", no "/"
        raise OutputError(f"not a record id: {article.id[:40]!r}")
    if fmt == "json":
        path = Path(folder) / f"{article.id}.json"
        atomic_write_bytes(path, (record_json(article, indent=indent) + "\n").encode("utf-8"))
        return path
    from .formats import FORMATS

    path = Path(folder) / f"{article.id}{FORMATS[fmt]}"
    return write_file(article, path, fmt=fmt, indent=indent, links=links, images=images)


def write_file(article: Article, path: str | Path, *, fmt: str, indent: int = 2, links: bool = False,
               images: bool = False) -> Path:
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


def append_jsonl(records: list[Article] | list[dict[str, Any]], path: str | Path) -> int:
    """Append records as whole lines (one write each, then fsync); returns the number written."""
    path = Path(path)
    fd = _open_for_append(path)
    try:
        _repair_tail(fd)
        for record in records:
            line = (record_json(record) + "\n").encode("utf-8")
            start = os.lseek(fd, 0, os.SEEK_END)
            written = os.write(fd, line)
            if written != len(line):  # a short write (disk full): cut it off again
                os.ftruncate(fd, start)
                raise OutputError(f"cannot write {path}: No space left on device (short write)")
        os.fsync(fd)
    except OutputError:
        raise
    except OSError as exc:
        with contextlib.suppress(OSError):
            _repair_tail(fd)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    return len(records)


def append_csv(records: list[Article], path: str | Path) -> int:
    """Append one CSV row per record (the header first when the file is new or empty); returns the rows."""
    from .formats import csv_header, csv_row

    path = Path(path)
    fd = _open_for_append(path)
    try:
        empty = os.lseek(fd, 0, os.SEEK_END) == 0
        data = (csv_header() if empty else "") + "".join(csv_row(r) for r in records)
        view = memoryview(data.encode("utf-8"))
        while view:  # os.write may write less than asked
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    return len(records)
