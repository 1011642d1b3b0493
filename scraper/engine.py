"""Running extraction over many inputs: locally on a process pool, or on a Dask distributed cluster.

The work is a list of tasks, one per WARC chunk (see ``scraper.warc.plan_chunks``) or per chunk of pages
or URLs, run by one driver (``_run_tasks``). Each task runs the extractor and writes its own part file,
``DEST/part-NNNNN.jsonl``, numbered by the task's place in the list; it returns only a small summary
(counts and the part's path). A part is written all or nothing (``scraper.parts``).

Output: when the destination ends in ``.jsonl``, the parts go to ``.DEST.parts/`` beside it and the client then
concatenates them, in task order, into ``DEST`` (replaced atomically) and removes the parts. Any other
destination is a folder and the parts are left there as the dataset. Either way the result does not depend
on the engine or the number of workers: it equals the single-process output, line for line.

The destination may be a local path or any fsspec URL (``s3://bucket/out.jsonl``...); on a cluster it must
be a place every worker can write to, and the inputs must be readable by every worker.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import functools
import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, Self, TypeVar

from .config import Config
from .errors import ConfigError, ScraperError
from .inputs import expand_inputs, extract_input
from .parts import absolute, finish_parts, merge_parts, plan_parts, write_part
from .urls import is_http_url
from .warc import WarcStats, extract_chunk, index_warc, plan_chunks

log = logging.getLogger(__name__)

__all__ = [
    "ENGINES",
    "Engine",
    "BatchResult",
    "BatchStats",
    "default_workers",
    "write_part",
    "merge_parts",
    "extract_pages",
    "extract_warc_files",
    "extract_batch",
]

ENGINES = ("local", "dask")
MAX_ERRORS_KEPT = 20  # error messages a batch keeps ("input: error"); the rest are only counted
T = TypeVar("T")
R = TypeVar("R")
S = TypeVar("S", bound="_Stats")


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


# -- the one batch driver --------------------------------------------------------------------------


class _Stats(Protocol):
    def add(self, other: Self) -> Self: ...


@dataclass(slots=True)
class BatchResult:
    """What a batch run did: the counts (``WarcStats`` or ``BatchStats``), tasks run and the files written."""

    stats: Any
    tasks: int = 0
    outputs: list[str] = field(default_factory=list)
    task_cpu_seconds: float = 0.0  # CPU time the tasks used, summed over workers


def _part_task(
    item_and_index: tuple[T, int], *, work: Callable[[T], tuple[list[dict[str, Any]], S]], parts_dir: str
) -> tuple[float, str, S]:
    """One task: ``work`` on one item, its lines written to the item's part file."""
    cpu = time.process_time()
    item, index = item_and_index
    lines, stats = work(item)
    part = write_part(lines, parts_dir, index)
    return time.process_time() - cpu, part, stats


def _run_tasks(
    runner: Engine,
    work: Callable[[T], tuple[list[dict[str, Any]], S]],
    items: Sequence[T],
    *,
    output: str,
    stats: S,
    sizes: Sequence[int],
    unit: str,
    progress: bool,
) -> BatchResult:
    """Run ``work`` on every item, one part file each, into ``output``; ``sizes`` weigh the progress bar."""
    from tqdm import tqdm

    plan = plan_parts(output)
    task = functools.partial(_part_task, work=work, parts_dir=plan.parts_dir)
    parts: list[str] = [""] * len(items)
    cpu = 0.0
    with tqdm(total=sum(sizes), unit=unit, disable=not progress) as bar:
        for i, (task_cpu, part, item_stats) in runner.map(task, [(item, i) for i, item in enumerate(items)]):
            parts[i] = part
            stats.add(item_stats)
            cpu += task_cpu
            bar.update(sizes[i])
    return BatchResult(stats=stats, tasks=len(items), outputs=finish_parts(plan, parts), task_cpu_seconds=cpu)


# -- WARC files ------------------------------------------------------------------------------------


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
) -> BatchResult:
    """Extract every HTML article of the WARC files into ``output`` (``.jsonl`` file or parts folder)."""
    paths = [absolute(p) for p in paths]
    with Engine(engine, workers=workers, scheduler=scheduler) as runner:
        offsets: dict[int, list[int]] = dict(runner.map(index_warc, paths))
        chunks = [
            c for i, p in enumerate(paths) for c in plan_chunks(p, offsets[i], chunk_records=chunk_records)
        ]
        log.info(
            "%d WARC files, %d records, %d tasks", len(paths), sum(map(len, offsets.values())), len(chunks)
        )
        work = functools.partial(extract_chunk, config=config)
        return _run_tasks(
            runner,
            work,
            chunks,
            output=output,
            stats=WarcStats(),
            sizes=[c.records for c in chunks],
            unit="rec",
            progress=progress,
        )


# -- saved pages and URLs --------------------------------------------------------------------------


@dataclass(slots=True)
class BatchStats:
    """Counts of a batch extraction of pages and URLs."""

    inputs: int = 0
    articles: int = 0
    failed: int = 0  # fetch errors, unreadable files, pages without an article
    errors: list[str] = field(default_factory=list)  # the first few messages, "input: error"

    def add(self, other: BatchStats) -> BatchStats:
        """Add ``other``'s counts to these; returns self."""
        self.inputs += other.inputs
        self.articles += other.articles
        self.failed += other.failed
        self.errors.extend(other.errors[: max(0, MAX_ERRORS_KEPT - len(self.errors))])
        return self

    def fail(self, message: str) -> None:
        """Count one failed input, keeping its message while there is room."""
        self.failed += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(message)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def extract_pages(sources: list[str], *, config: Config) -> tuple[list[dict[str, Any]], BatchStats]:
    """Extract each page or URL (``inputs.extract_input``); returns the records, in order, and the counts."""
    from .fetch import Fetcher

    stats = BatchStats(inputs=len(sources))
    lines: list[dict[str, Any]] = []
    fetcher = Fetcher(config.fetch) if any(is_http_url(s) for s in sources) else None
    try:
        for source in sources:
            try:
                article = extract_input(source, config=config, fetcher=fetcher)
            except ScraperError as exc:
                stats.fail(f"{source}: {exc}")
                continue
            except Exception as exc:  # one odd page must not stop a batch of millions
                log.warning("%s: extraction failed: %r", source, exc)
                stats.fail(f"{source}: extraction failed ({type(exc).__name__})")
                continue
            stats.articles += 1
            lines.append(article.to_dict())
    finally:
        if fetcher is not None:
            fetcher.close()
    return lines, stats


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
) -> BatchResult:
    """Extract saved pages and URLs (see ``inputs.expand_inputs``) in chunks of ``chunk_size``, into ``output``."""
    sources = [absolute(s) for s in expand_inputs(inputs, max_bytes=config.fetch.max_bytes)]
    size = max(1, chunk_size)
    chunks = [sources[i : i + size] for i in range(0, len(sources), size)]
    work = functools.partial(extract_pages, config=config)
    with Engine(engine, workers=workers, scheduler=scheduler) as runner:
        return _run_tasks(
            runner,
            work,
            chunks,
            output=output,
            stats=BatchStats(),
            sizes=[len(c) for c in chunks],
            unit="page",
            progress=progress,
        )
