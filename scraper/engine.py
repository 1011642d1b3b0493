"""Running extraction over many inputs: locally on a process pool, or on a Dask distributed cluster.

The work is a list of tasks, one per WARC chunk (see ``scraper.warc.plan_chunks``) or per chunk of pages
or URLs. Each task runs the extractor and writes its own part file, ``DEST/part-NNNNN.jsonl``, numbered by
the task's place in the list; it returns only a small summary (counts and the part's path). A part is
written all or nothing: to a temporary name, then moved into place.

Output: when the destination ends in ``.jsonl``, the parts go to ``.DEST.parts/`` beside it and the client then
concatenates them, in task order, into ``DEST`` (replaced atomically) and removes the parts. Any other
destination is a folder and the parts are left there as the dataset. Either way the result does not depend
on the engine or the number of workers: it equals the single-process output, line for line.

The destination may be a local path or any fsspec URL (``s3://bucket/out.jsonl``...); on a cluster it must
be a place every worker can write to, and the inputs must be readable by every worker.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import functools
import logging
import multiprocessing
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import fsspec
from fsspec.implementations.local import LocalFileSystem

from .config import Config
from .errors import ConfigError, OutputError, ScraperError
from .warc import WarcChunk, WarcStats, extract_chunk, index_warc, plan_chunks
from .write import atomic_write_bytes, record_json

log = logging.getLogger(__name__)

__all__ = [
    "ENGINES",
    "Engine",
    "RunSummary",
    "BatchStats",
    "default_workers",
    "write_part",
    "merge_parts",
    "extract_warc_files",
    "extract_batch",
    "expand_inputs",
]

ENGINES = ("local", "dask")
T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


class Engine:
    """Runs tasks on local processes (``workers`` of them; 1 runs in this process) or on a Dask cluster.

    Use as a context manager. ``map`` yields ``(index, result)`` as tasks finish.
    """

    def __init__(
        self, kind: str = "local", *, workers: int | None = None, scheduler: str | None = None
    ) -> None:
        if kind not in ENGINES:
            raise ConfigError(f"unknown engine {kind!r} (known: {', '.join(ENGINES)})")
        if kind == "dask" and not scheduler:
            raise ConfigError("--engine dask needs --scheduler tcp://HOST:PORT")
        if workers is not None and workers < 1:
            raise ConfigError(f"--workers must be at least 1, got {workers}")
        self.kind = kind
        self.workers = workers or default_workers()
        self.scheduler = scheduler
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._client: Any = None

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Shut the process pool down, or disconnect from the cluster (which keeps running)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._client is not None:
            self._client.close()
            self._client = None

    def _dask_client(self) -> Any:
        if self._client is None:
            try:
                from dask.distributed import Client
            except ImportError as exc:
                raise ConfigError(
                    "--engine dask needs dask[distributed]: pip install 'scraper[dask]'"
                ) from exc
            try:
                self._client = Client(self.scheduler, timeout="30s")
            except (OSError, TimeoutError) as exc:
                raise ScraperError(
                    f"cannot connect to the Dask scheduler at {self.scheduler}: {exc}"
                ) from exc
        return self._client

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[int, R]]:
        """Run ``fn`` on every item; yields ``(index, result)`` in completion order. A failure is raised."""
        if not items:
            return
        if self.kind == "dask":
            yield from self._map_dask(fn, items)
        elif self.workers == 1 or len(items) == 1:
            for i, item in enumerate(items):
                yield i, fn(item)
        else:
            yield from self._map_local(fn, items)

    def _map_local(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[int, R]]:
        if self._pool is None:
            # not fork: the caller may run threads (a Dask client, a progress bar). A fork server that
            # has imported the extractor once starts each worker faster than spawn does.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["scraper.engine"])
            self._pool = concurrent.futures.ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        futures = {self._pool.submit(fn, item): i for i, item in enumerate(items)}
        try:
            for future in concurrent.futures.as_completed(futures):
                yield futures[future], future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise

    def _map_dask(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[int, R]]:
        from dask.distributed import as_completed

        client = self._dask_client()
        futures = client.map(fn, list(items), pure=False)
        index = {future.key: i for i, future in enumerate(futures)}
        try:
            for future, result in as_completed(futures, with_results=True):
                yield index[future.key], result
        except BaseException:
            client.cancel(futures)
            raise


# -- part files ------------------------------------------------------------------------------------


def _local(path: str) -> bool:
    return "://" not in path or path.startswith("file://")


def _absolute(path: str) -> str:
    """Local paths made absolute, so that workers with another working folder find them."""
    if "://" in path:
        return path
    return os.path.abspath(path)


def part_name(index: int) -> str:
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
class _Output:
    parts_dir: str
    merged: str | None  # the single JSONL file, or None to leave the parts


def _plan_output(output: str) -> _Output:
    output = _absolute(output)
    if output.endswith(".jsonl"):
        # hidden, so that a crashed run's parts are not read by ``scraper export`` as records
        head, _, name = output.rpartition("/")
        return _Output(f"{head}/.{name}.parts", output)
    return _Output(output.rstrip("/"), None)


def _finish_output(out: _Output, parts: list[str]) -> list[str]:
    if out.merged is None:
        return parts
    merge_parts(parts, out.merged)
    _clear_parts(out.parts_dir, whole=True)
    return [out.merged]


# -- WARC extraction -------------------------------------------------------------------------------


@dataclass(slots=True)
class RunSummary:
    """What a run did: counts (``WarcStats`` or ``BatchStats``), tasks run and the files written."""

    stats: Any
    tasks: int = 0
    outputs: list[str] = field(default_factory=list)
    task_cpu_seconds: float = 0.0  # CPU time the tasks used, summed over workers


def _warc_task(
    chunk_and_index: tuple[WarcChunk, int], *, config: Config, parts_dir: str
) -> tuple[float, str, WarcStats]:
    cpu = time.process_time()
    chunk, index = chunk_and_index
    lines, stats = extract_chunk(chunk, config=config)
    part = write_part(lines, parts_dir, index)
    return time.process_time() - cpu, part, stats


def extract_warc_files(
    paths: Sequence[str],
    output: str,
    *,
    config: Config,
    engine: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_records: int = 100,
    progress: bool = False,
) -> RunSummary:
    """Extract every HTML article of the WARC files into ``output`` (``.jsonl`` file or parts folder)."""
    from tqdm import tqdm

    paths = [_absolute(p) for p in paths]
    out = _plan_output(output)
    _clear_parts(out.parts_dir, whole=out.merged is not None)
    stats = WarcStats()
    with Engine(engine, workers=workers, scheduler=scheduler) as runner:
        offsets: dict[int, list[int]] = dict(runner.map(index_warc, paths))
        chunks = [
            c for i, p in enumerate(paths) for c in plan_chunks(p, offsets[i], chunk_records=chunk_records)
        ]
        log.info(
            "%d WARC files, %d records, %d tasks", len(paths), sum(map(len, offsets.values())), len(chunks)
        )
        task = functools.partial(_warc_task, config=config, parts_dir=out.parts_dir)
        parts: list[str] = [""] * len(chunks)
        cpu = 0.0
        with tqdm(total=sum(c.records for c in chunks), unit="rec", disable=not progress) as bar:
            for i, (task_cpu, part, chunk_stats) in runner.map(task, [(c, i) for i, c in enumerate(chunks)]):
                parts[i] = part
                stats.add(chunk_stats)
                cpu += task_cpu
                bar.update(chunks[i].records)
    return RunSummary(
        stats=stats, tasks=len(chunks), outputs=_finish_output(out, parts), task_cpu_seconds=cpu
    )


# -- batch extraction of pages and URLs ------------------------------------------------------------

PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz")


@dataclass(slots=True)
class BatchStats:
    """Counts of a batch extraction."""

    inputs: int = 0
    articles: int = 0
    failed: int = 0  # fetch errors, unreadable files, pages without an article
    errors: list[str] = field(default_factory=list)  # the first few messages, "input: error"

    def add(self, other: BatchStats) -> BatchStats:
        """Add ``other``'s counts to these; returns self."""
        self.inputs += other.inputs
        self.articles += other.articles
        self.failed += other.failed
        self.errors.extend(other.errors[: max(0, 20 - len(self.errors))])
        return self

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def expand_inputs(inputs: Sequence[str]) -> list[str]:
    """URLs as given; a folder becomes its saved pages (sorted, recursive); ``*.txt`` lists one input a line."""
    out: list[str] = []
    for item in inputs:
        if "://" in item:
            out.append(item)
            continue
        path = Path(item)
        if path.is_dir():
            out.extend(
                str(p)
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.name.lower().endswith(PAGE_SUFFIXES)
            )
        elif path.suffix.lower() == ".txt":
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise ScraperError(f"cannot read {item}: {exc.strerror or exc}") from exc
            lines = [ln.strip() for ln in text.splitlines()]
            out.extend(ln for ln in lines if ln and not ln.startswith("#"))
        else:
            out.append(item)
    return out


def _batch_task(
    sources_and_index: tuple[list[str], int], *, config: Config, parts_dir: str
) -> tuple[str, BatchStats]:
    from .fetch import Fetcher
    from .inputs import extract_input, is_url

    sources, index = sources_and_index
    stats = BatchStats(inputs=len(sources))
    lines: list[dict[str, Any]] = []
    fetcher = (
        Fetcher(config.fetch) if any(is_url(s) for s in sources) else None
    )
    try:
        for source in sources:
            try:
                article = extract_input(source, config=config, fetcher=fetcher)
            except ScraperError as exc:
                stats.failed += 1
                if len(stats.errors) < 20:
                    stats.errors.append(f"{source}: {exc}")
                continue
            except Exception as exc:  # one odd page must not stop a batch of millions
                log.warning("%s: extraction failed: %r", source, exc)
                stats.failed += 1
                if len(stats.errors) < 20:
                    stats.errors.append(f"{source}: extraction failed ({type(exc).__name__})")
                continue
            stats.articles += 1
            lines.append(article.to_dict())
    finally:
        if fetcher is not None:
            fetcher.close()
    return write_part(lines, parts_dir, index), stats


def extract_batch(
    inputs: Sequence[str],
    output: str,
    *,
    config: Config,
    engine: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int = 20,
    progress: bool = False,
) -> RunSummary:
    """Extract saved pages and URLs (see ``expand_inputs``) in chunks of ``chunk_size``, into ``output``."""
    from tqdm import tqdm

    sources = [_absolute(s) if "://" not in s else s for s in expand_inputs(inputs)]
    out = _plan_output(output)
    _clear_parts(out.parts_dir, whole=out.merged is not None)
    size = max(1, chunk_size)
    chunks = [sources[i : i + size] for i in range(0, len(sources), size)]
    stats = BatchStats()
    parts: list[str] = [""] * len(chunks)
    task = functools.partial(_batch_task, config=config, parts_dir=out.parts_dir)
    with (
        Engine(engine, workers=workers, scheduler=scheduler) as runner,
        tqdm(total=len(sources), unit="page", disable=not progress) as bar,
    ):
        for i, (part, chunk_stats) in runner.map(task, [(c, i) for i, c in enumerate(chunks)]):
            parts[i] = part
            stats.add(chunk_stats)
            bar.update(len(chunks[i]))
    return RunSummary(stats=stats, tasks=len(chunks), outputs=_finish_output(out, parts))
