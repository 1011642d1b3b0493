"""The per-host scheduler: one job at a time per host, spaced by the delay, hosts in parallel."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

from scraper.politeness import HostScheduler, host_key


def run_jobs(sched: HostScheduler, workers: int, work: float) -> dict[str, list[tuple[float, float]]]:
    """Drain the scheduler with ``workers`` threads; each job 'requests' for ``work`` seconds."""
    spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
    lock = threading.Lock()

    def worker() -> None:
        while (item := sched.next_job()) is not None:
            lane, url = item
            start = time.monotonic()
            time.sleep(work)
            with lock:
                spans[lane].append((start, time.monotonic()))
            sched.release(lane)
            sched.finished()

    with ThreadPoolExecutor(workers) as pool:
        for f in [pool.submit(worker) for _ in range(workers)]:
            f.result()
    return spans


def test_host_key() -> None:
    assert host_key("HTTPS://News.Example:8443/a?b") == "https://news.example:8443"
    assert host_key("http://news.example/x") == "http://news.example"


def test_one_request_at_a_time_per_host_spaced_by_delay_hosts_in_parallel() -> None:
    sched: HostScheduler[str] = HostScheduler(delay=0.05)
    for host in ("a", "b", "c"):
        for n in range(6):
            sched.add(f"http://{host}.example/{n}", f"{host}{n}")
    for n in range(12):  # the busiest host
        sched.add(f"http://d.example/{n}", f"d{n}")
    start = time.monotonic()
    spans = run_jobs(sched, workers=4, work=0.01)
    wall = time.monotonic() - start
    for lane, items in spans.items():
        items.sort()
        for (s1, e1), (s2, _) in zip(items, items[1:], strict=False):
            assert s2 >= e1, f"{lane}: overlapping requests"
            assert s2 - s1 >= 0.045, f"{lane}: requests {s2 - s1:.3f} s apart"
    # the bound is the busiest host: 12 requests, 11 gaps of 0.05 s, plus the last request
    assert 0.56 <= wall < 0.56 * 1.5, wall


def test_crawl_delay_raises_the_lane_delay_and_stop_ends_waiting_workers() -> None:
    sched: HostScheduler[str] = HostScheduler(delay=0.01)
    for n in range(3):
        sched.add("http://a.example/x", f"a{n}")
    lane, _ = sched.next_job()
    sched.set_delay(lane, 0.2)
    sched.release(lane)
    sched.finished()
    t0 = time.monotonic()
    assert sched.next_job() is not None
    assert time.monotonic() - t0 >= 0.18
    sched.release(lane)
    sched.finished()
    threading.Timer(0.05, lambda: (sched.stop.set(), sched.wake())).start()
    t0 = time.monotonic()
    assert sched.next_job() is None  # stopped while waiting for the lane
    assert time.monotonic() - t0 < 0.19


def test_release_hold_after_retries() -> None:
    sched: HostScheduler[str] = HostScheduler(delay=0.1)
    sched.add("http://a.example/1", "1")
    sched.add("http://a.example/2", "2")
    lane, _ = sched.next_job()
    time.sleep(0.15)  # a job with retries: longer than the delay
    sched.release(lane, hold=0.1)
    sched.finished()
    t0 = time.monotonic()
    assert sched.next_job() is not None
    assert time.monotonic() - t0 >= 0.09
