"""Recovery after a killed run: the rows it left in ``writing`` become done or pending again."""

from __future__ import annotations

import contextlib
import json
import logging
from pathlib import Path

from ..state import CrawlState, UrlRow
from ..write import append_jsonl

log = logging.getLogger(__name__)

__all__ = ["settle"]


def settle(state: CrawlState) -> tuple[int, int]:
    """Finish what a killed run left in ``writing``: done if its record is on disk, else pending again.

    Files: the record file must parse with the expected id (a stray temporary file beside it is
    removed). JSON Lines: the file's partial last line is cut, then the record id must be in it.
    Returns (done, back to pending).
    """
    done = again = 0
    jsonl_ids: dict[str, set[str]] = {}
    for row in state.unfinished_writes():
        if _on_disk(row, jsonl_ids):
            state.done(row.key)
            done += 1
        else:
            state.back_to_pending(row.key)
            again += 1
    if done or again:
        log.info("settled an interrupted run: %d records confirmed, %d URLs to fetch again", done, again)
    return done, again


def _on_disk(row: UrlRow, jsonl_ids: dict[str, set[str]]) -> bool:
    """Whether the record of ``row`` made it to its file (``jsonl_ids``: the ids read per JSONL file)."""
    path = Path(row.path or "")
    if path.suffix == ".jsonl":
        ids = jsonl_ids.get(str(path))
        if ids is None:
            ids = jsonl_ids[str(path)] = _jsonl_ids(path)
        return row.record_id in ids
    if not row.path:
        return False
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            tmp.unlink()
    try:
        return bool(json.loads(path.read_text(encoding="utf-8")).get("id") == row.record_id)
    except (OSError, ValueError, AttributeError):
        return False


def _jsonl_ids(path: Path) -> set[str]:
    if not path.exists():
        return set()
    append_jsonl([], path)  # cuts a partial last line
    ids: set[str] = set()
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            with contextlib.suppress(ValueError, AttributeError):
                ids.add(json.loads(line).get("id"))
    return ids
