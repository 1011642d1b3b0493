"""``scraper discover``: a site's feeds and sitemaps, checked, as ``[[sources]]`` TOML to paste."""

from __future__ import annotations

import argparse
import copy
import sys
import time
from typing import TYPE_CHECKING, Any

from ._common import EXIT_OK, EXIT_SOME_FAILED, printable

if TYPE_CHECKING:
    from ..config import Config
    from ..fetch import Page


def add_parser(
    sub: argparse._SubParsersAction, name: str, parents: list[argparse.ArgumentParser]
) -> argparse.ArgumentParser:
    p = sub.add_parser(
        name,
        parents=parents,
        help="find a site's feeds and sitemaps, print [[sources]] for config.toml",
        description="Find the feeds a site's page declares, the sitemaps of its robots.txt (else at common "
        "paths), and news sitemaps in sitemap indexes; check that each answers and parses; print the "
        "ones worth crawling as [[sources]] entries, the others commented out. robots.txt is obeyed "
        "(fetch.respect_robots) and requests are crawl.delay seconds apart.",
    )
    p.add_argument("urls", nargs="+", metavar="URL", help="a site (its home page, or a section page)")
    return p


def run(args: argparse.Namespace, config: Config) -> int:
    from ..discover import discover_site, to_toml
    from ..errors import RobotsRefusal
    from ..fetch import Fetcher, redact_url
    from ..robots import RobotsCache
    from ..urls import is_http_url

    failures = 0
    with Fetcher(config.fetch) as fetcher:
        robots = RobotsCache(fetcher)
        sent = [False]  # whether the last candidate was asked of the site (a refusal by robots.txt is not)

        def fetch(url: str, **kwargs: Any) -> Page:
            sent[0] = False
            if config.fetch.respect_robots and not robots.allowed(url):
                cause = robots.failure(url)
                if cause is not None:  # robots.txt could not be had (DNS, connection, 503...): say that
                    raise copy.copy(cause)
                raise RobotsRefusal(f"disallowed by robots.txt: {redact_url(url)}", url=redact_url(url))
            sent[0] = True
            return fetcher.fetch(url, **kwargs)

        def pause() -> None:  # between two requests to the site, not after one robots.txt refused
            if sent[0]:
                time.sleep(config.crawl.delay)

        for n, url in enumerate(args.urls):
            if not is_http_url(url):
                print(f"scraper: {printable(url)}: not an http(s) URL", file=sys.stderr)
                failures += 1
                continue
            found = discover_site(
                url, fetch=fetch, robots=robots, pause=pause, max_bytes=config.fetch.max_bytes
            )
            if not found.found:
                why = f"; the page: {found.page_error}" if found.page_error else ""
                print(
                    f"scraper: {printable(redact_url(url))}: no feed or sitemap found "
                    f"({found.checked} requests{printable(why)})",
                    file=sys.stderr,
                )
                failures += 1
                continue
            sys.stdout.write(("\n" if n else "") + to_toml(found))
            sys.stdout.flush()
    return EXIT_SOME_FAILED if failures else EXIT_OK
