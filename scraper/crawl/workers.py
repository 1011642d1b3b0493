"""The run loop: queue what is due and every source, then fetch workers take jobs host by host."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, wait

from .articles import ArticleStep
from .context import Run, source_key
from .sourcing import SourceSteps

__all__ = ["run_crawl"]


def run_crawl(run: Run, sources: SourceSteps, articles: ArticleStep) -> None:
    """Queue the URLs due from earlier runs and the sources, then work until done or stopped."""
    try:
        _queue_due(run)
        sources.queue_all()
        workers = max(1, run.cfg.workers)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="crawl") as pool:
            futures = [pool.submit(_worker, run, sources, articles) for _ in range(workers)]
            pending = set(futures)
            while pending:  # short waits so signal handlers run promptly in the main thread
                _, pending = wait(pending, timeout=0.25)
                if run.stop.is_set():
                    run.sched.wake()
            for future in futures:
                future.result()
    finally:
        # the pages already fetched are records in flight: they are finished, even when stopping
        articles.close()
        run.fetcher.close()


def _queue_due(run: Run) -> None:
    """Queue the URLs left pending by earlier runs (within ``max_articles``) and failed ones now due."""
    sources = run.config.sources
    by_key = {source_key(i, src): i for i, src in reversed(list(enumerate(sources)))}
    groups: dict[int, list[tuple[str, str]]] = {}
    for row in run.state.due():
        index = by_key.get(row.source, -1)
        limit = sources[index].max_articles if index >= 0 else 0
        if limit and row.status == "pending":  # kept from an earlier run: still within max_articles
            if run.taken[index] >= limit:
                continue
            run.taken[index] += 1
        groups.setdefault(index, []).append((row.key, row.url))
    run.summary.retried = sum(len(pairs) for pairs in groups.values())
    for index, pairs in groups.items():
        run.enqueue_articles(pairs, index)


def _worker(run: Run, sources: SourceSteps, articles: ArticleStep) -> None:
    while True:
        item = run.sched.next_job()
        if item is None:
            return
        lane, job = item
        released = False
        run.local.extra_requests = False

        def release(lane: str = lane) -> None:
            nonlocal released
            if not released:
                released = True
                hold = run.sched.delay_of(lane) if run.local.extra_requests else 0.0
                run.sched.release(lane, hold=hold)

        step = articles if job.kind == "article" else sources.site if job.kind == "site" else sources.source
        try:
            run.guarded(job, step, lane, job, release)
        finally:
            release()
            run.sched.finished()
