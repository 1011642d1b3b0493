"""Crawl throughput against the politeness lower bound.

Starts HTTP servers on several loopback addresses (127.0.0.2, 127.0.0.3, ...: separate hosts to the
crawler) in a child process, each answering after a fixed latency (50 ms) with robots.txt, an RSS feed
and article pages; the hosts have uneven numbers of pages. Then runs ``scraper.crawl.crawl`` once over
the feeds and prints the wall time beside the politeness lower bound: the busiest host's requests times
its delay (one request at a time per host, ``delay`` seconds apart). Target: at most 1.2 times the bound.

CPU per page is the crawler process's CPU time divided by pages written (the servers run in another
process), shown beside the extraction cost alone (``extract()`` on the same pages, timed apart).

    python benchmarks/crawl.py [--hosts 12] [--pages 575] [--delay 0.1] [--latency 0.05] [--workers 8]
"""

from __future__ import annotations

import argparse
import multiprocessing
import socket
import sys
import tempfile
import threading
import time
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scraper.config import config_from_dict  # noqa: E402
from scraper.crawl import crawl  # noqa: E402
from scraper.extract import extract  # noqa: E402

_TEXT = (
    "minister council budget river bridge election report court police school hospital weather "
    "market energy transport housing festival coast farmers union survey inquiry"
)
WORDS = _TEXT.split()


def article(host: int, n: int) -> bytes:
    """A news page of about 10 KB: navigation, a headline, a dozen paragraphs, a footer."""
    nav = "".join(f"<li><a href='/section/{i}'>Section {i}</a></li>" for i in range(40))
    paras = "".join(
        f"<p>Report {host}-{n}-{p}: "
        + " ".join(WORDS[(host * 31 + n * 7 + p * 5 + i) % len(WORDS)] for i in range(60))
        + ".</p>"
        for p in range(12)
    )
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Story {host}-{n}</title>"
        f"<meta property='article:published_time' content='2026-11-20T08:00:00Z'></head><body>"
        f"<header><ul>{nav}</ul></header><main><article><h1>Story {n} from host {host}</h1>{paras}"
        f"</article></main><footer><p>Copyright Example News {host}</p></footer></body></html>"
    ).encode()


def feed(base: str, count: int) -> bytes:
    items = "".join(f"<item><title>{k}</title><link>{base}/a/{k}</link></item>" for k in range(count))
    return f"<rss version='2.0'><channel><title>h</title>{items}</channel></rss>".encode()


def serve(
    addresses: list[str],
    pages: list[int],
    latency: float,
    ready: multiprocessing.Event,
    done: multiprocessing.Event,
    ports: multiprocessing.Queue,
) -> None:
    """Child process: one threaded server per address, each with ``pages[i]`` articles."""
    servers = []
    for index, (address, count) in enumerate(zip(addresses, pages, strict=True)):

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self, index: int = index, count: int = count, address: str = address) -> None:  # noqa: N802
                time.sleep(latency)
                base = f"http://{address}:{self.server.server_address[1]}"
                if self.path == "/robots.txt":
                    body, ctype = b"User-agent: *\nAllow: /\n", "text/plain"
                elif self.path == "/feed.xml":
                    body, ctype = feed(base, count), "application/rss+xml"
                elif self.path.startswith("/a/"):
                    body, ctype = article(index, int(self.path[3:])), "text/html; charset=utf-8"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        server = ThreadingHTTPServer((address, 0), Handler)
        server.daemon_threads = True
        servers.append(server)
        ports.put((address, server.server_address[1]))
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ready.set()
    done.wait()
    for server in servers:
        server.shutdown()


def stub_extraction() -> None:
    """Make ``scraper.crawl`` use a near-free extractor (one real record, re-keyed per URL)."""
    import dataclasses

    import scraper.crawl
    from scraper.record import content_hash, make_id

    model = extract(article(0, 0), "http://x/model")

    def cheap(content: bytes, url: str, **kwargs: object):  # noqa: ANN202 - same signature as extract
        return dataclasses.replace(
            model,
            id=make_id(url),
            url=url,
            final_url=kwargs.get("final_url"),
            content_hash=content_hash(url),
            fetched_at=kwargs.get("fetched_at"),
        )

    scraper.crawl.extract = cheap  # type: ignore[assignment]


def loopback_ok(address: str) -> bool:
    try:
        with socket.socket() as s:
            s.bind((address, 0))
        return True
    except OSError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=12)
    parser.add_argument("--pages", type=int, default=575, help="article pages over all hosts")
    parser.add_argument("--delay", type=float, default=0.1, help="crawl.delay, seconds")
    parser.add_argument("--latency", type=float, default=0.05, help="server latency per response, seconds")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument(
        "--stub-extract",
        action="store_true",
        help="replace extraction by a cheap copy of one record: measures scheduling, fetching "
        "and writing alone",
    )
    args = parser.parse_args()
    if args.stub_extract:
        stub_extraction()

    addresses = [f"127.0.0.{i + 2}" for i in range(args.hosts)]
    if not all(loopback_ok(a) for a in addresses):
        print("cannot bind 127.0.0.2 and up (Linux routes all of 127/8 to lo; other systems may not)")
        return 1
    # uneven: the first host has ~40% more pages than the others
    others = round(args.pages / (args.hosts + 0.4))
    pages = [args.pages - others * (args.hosts - 1)] + [others] * (args.hosts - 1)

    ctx = multiprocessing.get_context("spawn")
    ready, done, ports = ctx.Event(), ctx.Event(), ctx.Queue()
    proc = ctx.Process(target=serve, args=(addresses, pages, args.latency, ready, done, ports), daemon=True)
    proc.start()
    if not ready.wait(30):
        print("servers did not start")
        return 1
    bound_by = dict(ports.get() for _ in addresses)
    sources = "".join(
        f'[[sources]]\ntype = "feed"\nurl = "http://{a}:{bound_by[a]}/feed.xml"\n' for a in addresses
    )

    with tempfile.TemporaryDirectory() as tmp:
        text = f"""
[fetch]
allow_private = true
[crawl]
out = "{tmp}/out"
delay = {args.delay}
workers = {args.workers}
page_budget = {args.pages + 100}
{sources}
"""
        config = config_from_dict(tomllib.loads(text), text=text)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        summary = crawl(config)
        wall = time.perf_counter() - wall0
        cpu = time.process_time() - cpu0
    done.set()
    proc.join(10)

    # extraction alone, on the same pages, for comparison
    sample = [article(h, n) for h in range(args.hosts) for n in range(0, 40, 8)]
    extract(sample[0], "http://x/warm")
    t0 = time.process_time()
    for i, page in enumerate(sample):
        extract(page, f"http://x/{i}")
    extract_cpu = (time.process_time() - t0) / len(sample)

    busiest = max(pages)
    requests_busiest = busiest + 2  # robots.txt and the feed
    bound = requests_busiest * args.delay
    per_page = cpu / max(1, summary.written)
    print(
        f"hosts {args.hosts} (127.0.0.2-{addresses[-1]}), latency {args.latency * 1000:.0f} ms, "
        f"delay {args.delay} s, workers {args.workers}"
    )
    print(
        f"pages written {summary.written} of {sum(pages)} (busiest host {busiest} pages + robots.txt + feed)"
    )
    print(f"{'wall time':<34}{wall:8.2f} s")
    print(f"{'politeness lower bound':<34}{bound:8.2f} s   ({requests_busiest} requests x {args.delay} s)")
    print(f"{'ratio (target <= 1.2)':<34}{wall / bound:8.2f}")
    print(f"{'crawler CPU, all pages':<34}{cpu:8.2f} s   ({cpu / wall:.0%} of one core over the wall time)")
    what = "extraction stubbed" if args.stub_extract else "extraction included"
    print(f"{'crawler CPU per page':<34}{per_page * 1000:8.2f} ms  ({what})")
    print(f"{'extraction alone per page':<34}{extract_cpu * 1000:8.2f} ms")
    if not args.stub_extract:
        print(f"{'crawl overhead per page':<34}{(per_page - extract_cpu) * 1000:8.2f} ms")
    if summary.failed or summary.skipped:
        print(f"failed: {summary.failed}, skipped: {summary.skipped}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
