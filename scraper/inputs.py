"""One input to one Article: a URL (fetched) or a saved page (a local or fsspec path, gzip or not).

The ``extract`` verb and the batch engine both read their inputs here, so a saved page means the same
thing to each; the batch engine's inputs are expanded here too (folders of pages, ``.txt`` lists).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .config import Config, FetchConfig
from .errors import NotHTMLError, ScraperError, TooLargeError
from .extract import extract
from .record import Article
from .sniff import gunzip_capped, looks_like_html
from .urls import is_http_url as is_url
from .urls import is_local_path, parse_url_list

if TYPE_CHECKING:
    from .fetch import Fetcher

# is_url: an http(s) URL is fetched, the rest are files
__all__ = ["PAGE_SUFFIXES", "is_url", "read_page_file", "expand_inputs", "extract_input"]

PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz")  # the saved pages of a folder


def _open(source: str) -> IO[bytes]:
    """A local path with ``open``; an URL-like path (``s3://``, ``file://``...) with fsspec, imported only
    then: it costs a tenth of a second of start-up."""
    if is_local_path(source):
        return open(source, "rb")  # noqa: SIM115 - the caller's with-block closes it
    import fsspec

    return fsspec.open(source, "rb")  # type: ignore[no-any-return]


def read_page_file(source: str, *, max_bytes: int) -> bytes:
    """The bytes of a saved page, gunzipped when gzip-compressed; never more than ``max_bytes``."""
    try:
        with _open(source) as fh:
            data = fh.read(max_bytes + 1)
    except IsADirectoryError as exc:
        raise ScraperError(f"{source} is a folder, not a page") from exc
    except FileNotFoundError as exc:
        raise ScraperError(f"cannot read {source}: No such file or directory") from exc
    except (OSError, ValueError, ImportError) as exc:  # ImportError: an fsspec protocol not installed
        raise ScraperError(f"cannot read {source}: {getattr(exc, 'strerror', None) or exc}") from exc
    too_large = f"{source} is larger than the {max_bytes} byte cap (fetch.max_bytes)"
    if len(data) > max_bytes:
        raise TooLargeError(too_large)
    try:
        # a page cut short gives what it holds
        return gunzip_capped(data, max_bytes=max_bytes, allow_truncated=True)
    except TooLargeError:
        raise TooLargeError(too_large) from None
    except ScraperError as exc:
        raise ScraperError(f"corrupt gzip data in {source}: {exc.__cause__}") from exc.__cause__


def expand_inputs(inputs: Sequence[str], *, max_bytes: int = FetchConfig().max_bytes) -> list[str]:
    """URLs as given; a folder becomes its saved pages (sorted, recursive); ``*.txt`` lists one input a line.

    A list is read as a saved page is (``read_page_file``: gzip or not, at most ``max_bytes``).
    """
    out: list[str] = []
    for item in inputs:
        if not is_local_path(item):
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
            out.extend(parse_url_list(read_page_file(item, max_bytes=max_bytes).decode("utf-8", "replace")))
        else:
            out.append(item)
    return out


def extract_input(
    source: str, *, config: Config, fetcher: Fetcher | None = None, url: str | None = None
) -> Article:
    """Fetch or read ``source`` and extract its article; ``url`` is the original URL of a saved page."""
    if is_url(source):
        if fetcher is None:
            from .fetch import Fetcher

            with Fetcher(config.fetch) as own:
                return extract_input(source, config=config, fetcher=own)
        page = fetcher.fetch(source)
        return extract(
            page.content,
            source,
            config=config,
            final_url=page.final_url,
            fetched_at=page.fetched_at,
            http_charset=page.encoding,
        )
    data = read_page_file(source, max_bytes=config.fetch.max_bytes)
    if not looks_like_html(data):  # as a URL whose Content-Type is not HTML: text, feeds, JSON...
        raise NotHTMLError(f"not HTML: {source} does not start with an HTML doctype or tag")
    return extract(data, url, config=config)
