"""The part files of a batch run: one ``part-NNNNN.jsonl`` per task, written all or nothing, merged in order.

When the destination ends in ``.jsonl``, the parts go to ``.DEST.parts/`` beside it and are then
concatenated, in task order, into ``DEST`` (replaced atomically) and removed. Any other destination is a
folder and the parts are left there as the dataset. Paths may be local or any fsspec URL.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fsspec
from fsspec.implementations.local import LocalFileSystem

from .errors import OutputError
from .write import atomic_write_bytes, record_json

__all__ = ["PartsPlan", "absolute", "finish_parts", "merge_parts", "part_name", "plan_parts", "write_part"]


def absolute(path: str) -> str:
    """Local paths made absolute, so that workers with another working folder find them."""
    if "://" in path:
        return path
    return os.path.abspath(path)


def part_name(index: int) -> str:
    """The file name of task ``index``'s part."""
    return f"part-{index:05d}.jsonl"


def write_part(lines: list[dict[str, Any]], parts_dir: str, index: int) -> str:
    """Write ``parts_dir/part-NNNNN.jsonl`` all or nothing; returns its path or URL."""
    data = "".join(record_json(line) + "\n" for line in lines).encode("utf-8")
    fs, root = fsspec.core.url_to_fs(parts_dir)
    path = f"{root.rstrip('/')}/{part_name(index)}"
    if isinstance(fs, LocalFileSystem):
        atomic_write_bytes(Path(path), data)
        return path
    tmp = f"{root.rstrip('/')}/.{part_name(index)}.{uuid.uuid4().hex}.tmp"
    try:
        fs.makedirs(root, exist_ok=True)
        fs.pipe_file(tmp, data)
        fs.mv(tmp, path)
    except OSError as exc:
        raise OutputError(f"cannot write {parts_dir}/{part_name(index)}: {exc}") from exc
    return fs.unstrip_protocol(path)


def merge_parts(parts: Sequence[str], dest: str) -> None:
    """Concatenate the part files, in the given order, into ``dest`` (replaced all or nothing)."""
    fs, root = fsspec.core.url_to_fs(dest)
    tmp = f"{root}.{uuid.uuid4().hex}.tmp"
    try:
        parent = os.path.dirname(root)
        if parent:
            fs.makedirs(parent, exist_ok=True)
        with fs.open(tmp, "wb") as out:
            for part in parts:
                with fsspec.open(part, "rb") as fh:
                    shutil.copyfileobj(fh, out, 1 << 20)
            if isinstance(fs, LocalFileSystem):
                out.flush()
                os.fsync(out.fileno())
        fs.mv(tmp, root)
    except OSError as exc:
        with contextlib.suppress(OSError):
            fs.rm(tmp)
        raise OutputError(f"cannot write {dest}: {exc}") from exc


def _clear_parts(parts_dir: str, *, whole: bool) -> None:
    """Remove the parts of an earlier run (or the whole staging folder)."""
    fs, root = fsspec.core.url_to_fs(parts_dir)
    try:
        if whole:
            if fs.exists(root):
                fs.rm(root, recursive=True)
            return
        for path in fs.glob(f"{root.rstrip('/')}/part-*.jsonl"):
            fs.rm(path)
    except OSError as exc:
        raise OutputError(f"cannot clear {parts_dir}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class PartsPlan:
    """Where a run's parts go, and the single JSONL file they are merged into (None: leave the parts)."""

    parts_dir: str
    merged: str | None


def plan_parts(output: str) -> PartsPlan:
    """The plan for ``output`` (a ``.jsonl`` file or a folder), with the parts of an earlier run cleared."""
    output = absolute(output)
    if output.endswith(".jsonl"):
        # hidden, so that a crashed run's parts are not read by ``scraper export`` as records
        head, _, name = output.rpartition("/")
        plan = PartsPlan(f"{head}/.{name}.parts", output)
    else:
        plan = PartsPlan(output.rstrip("/"), None)
    _clear_parts(plan.parts_dir, whole=plan.merged is not None)
    return plan


def finish_parts(plan: PartsPlan, parts: list[str]) -> list[str]:
    """Merge the parts if the plan says so; returns the files that hold the output."""
    if plan.merged is None:
        return parts
    merge_parts(parts, plan.merged)
    _clear_parts(plan.parts_dir, whole=True)
    return [plan.merged]
