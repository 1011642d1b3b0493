"""WARC extraction throughput: single process, a local pool of 2, and a 2-worker Dask LocalCluster.

Builds a gzip WARC of 1,000+ HTML responses from the aeb-dev benchmark pages
(``../shared/bench/aeb-dev/html/*.html.gz`` next to the repository) and the saved fixtures
(``fixtures/pages/*.html``), repeated under different URLs, in a temporary folder. Prints pages per second
for each engine beside the bound set by the extractor's own CPU time per page (measured in this process):
``cores / cpu_seconds_per_page``.

    python benchmarks/warc.py [--pages 1000] [--chunk-records 50]
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scraper.config import Config  # noqa: E402
from scraper.engine import extract_warc_files  # noqa: E402
from scraper.errors import ExtractionError  # noqa: E402
from scraper.extract import extract  # noqa: E402


def load_pages() -> list[tuple[str, bytes]]:
    """(name, HTML) of every benchmark page and fixture."""
    pages = []
    for path in sorted((ROOT / ".." / "shared" / "bench" / "aeb-dev" / "html").glob("*.html.gz")):
        pages.append((path.name.removesuffix(".html.gz"), gzip.decompress(path.read_bytes())))
    for path in sorted((ROOT / "fixtures" / "pages").glob("*.html")):
        pages.append((path.stem, path.read_bytes()))
    if not pages:
        sys.exit("no pages found under ../shared/bench/aeb-dev/html or fixtures/pages")
    return pages


def build_warc(path: Path, pages: list[tuple[str, bytes]], total: int) -> int:
    """Write ``total`` responses (the pages, round-robin, each round on its own host); returns the count."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for n in range(total):
            name, html = pages[n % len(pages)]
            url = f"https://round{n // len(pages)}.bench.example/{name}"
            http = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            writer.write_record(
                writer.create_warc_record(url, "response", payload=io.BytesIO(html), http_headers=http)
            )
    return total


def cpu_per_page(pages: list[tuple[str, bytes]], config: Config) -> float:
    """Mean CPU seconds of ``extract()`` per page, in this process, after one warm-up page."""
    extract(pages[0][1], "https://warmup.example/", config=config)
    start = time.process_time()
    for name, html in pages:
        with contextlib.suppress(ExtractionError):
            extract(html, f"https://cpu.bench.example/{name}", config=config)
    return (time.process_time() - start) / len(pages)


def timed(label: str, warc: Path, out: Path, **kwargs: object) -> tuple[str, float, float, int]:
    """Run one extraction; (label, wall seconds, CPU seconds used by its tasks, HTML pages)."""
    start = time.perf_counter()
    summary = extract_warc_files([str(warc)], str(out), config=Config(), **kwargs)  # type: ignore[arg-type]
    return label, time.perf_counter() - start, summary.task_cpu_seconds, summary.stats.html


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000, help="responses in the WARC (at least)")
    parser.add_argument("--chunk-records", type=int, default=50, help="records per task")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)

    pages = load_pages()
    total = -(-args.pages // len(pages)) * len(pages)  # whole rounds
    config = Config()
    cpu = cpu_per_page(pages, config)
    cores = len(os.sched_getaffinity(0))
    load_before = f"{os.getloadavg()[0]:.2f}"
    with tempfile.TemporaryDirectory(prefix="warc-bench-") as tmp:
        warc = Path(tmp) / "bench.warc.gz"
        build_warc(warc, pages, total)
        size_mb = warc.stat().st_size / 1e6
        rows = [
            timed(
                "single process (--workers 1)",
                warc,
                Path(tmp) / "a.jsonl",
                workers=1,
                chunk_records=args.chunk_records,
            )
        ]
        rows.append(
            timed(
                "local pool (--workers 2)",
                warc,
                Path(tmp) / "b.jsonl",
                workers=2,
                chunk_records=args.chunk_records,
            )
        )
        from dask.distributed import LocalCluster

        logging.getLogger("distributed").setLevel(logging.ERROR)

        with LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            rows.append(
                timed(
                    "Dask LocalCluster (2 workers)",
                    warc,
                    Path(tmp) / "c.jsonl",
                    engine="dask",
                    scheduler=cluster.scheduler_address,
                    chunk_records=args.chunk_records,
                )
            )
        outputs = [(Path(tmp) / f"{x}.jsonl").read_text(encoding="utf-8").splitlines() for x in "abc"]
        differ = sum(len(set(outputs[0]) ^ set(other)) // 2 for other in outputs[1:])

    print(
        f"WARC: {total} HTML responses ({len(pages)} distinct pages), {size_mb:.1f} MB gzip; "
        f"{cores} cores available; chunk {args.chunk_records} records"
    )
    print(f"extract() CPU per page, in-process: {cpu * 1000:.1f} ms")
    print(
        f"load average before / after: {load_before} / {os.getloadavg()[0]:.2f} (other jobs share the cores)"
    )
    print()
    print(f"{'run':34} {'seconds':>8} {'pages/s':>8} {'bound':>8} {'of bound':>9} {'task CPU ms/page':>17}")
    for label, elapsed, task_cpu, n in rows:
        bound = (1 if label.startswith("single") else 2) / cpu
        rate = n / elapsed
        print(
            f"{label:34} {elapsed:8.2f} {rate:8.1f} {bound:8.1f} {rate / bound:8.0%} {task_cpu / n * 1000:17.1f}"
        )
    print()
    print(
        f"bound = workers / CPU per page (1 worker: {1 / cpu:.1f} pages/s, 2 workers: {2 / cpu:.1f} pages/s)"
    )
    print("task CPU ms/page: CPU time of the tasks (WARC reading, extraction, writing) per page, all workers")
    # a difference means the code changed during the run (workers import it later) or a real bug
    print(f"outputs identical across the three runs: {differ == 0} ({differ} lines differ)")


if __name__ == "__main__":
    main()
