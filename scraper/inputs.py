"""One input to one Article: a URL (fetched) or a saved page (a local or fsspec path, gzip or not).

The ``extract`` verb and the batch engine both read their inputs here, so a saved page means the same
thing to each.
"""

from __future__ import annotations

import zlib
from typing import IO, TYPE_CHECKING

from .config import Config
from .errors import NotHTMLError, ScraperError, TooLargeError
from .extract import extract
from .record import Article
from .sniff import looks_like_html
from .urls import is_http_url as is_url

if TYPE_CHECKING:
    from .fetch import Fetcher

__all__ = ["is_url", "read_page_file", "extract_input"]  # is_url: an http(s) URL is fetched, the rest are files

_GZIP_MAGIC = b"\x1f\x8b"


def _open(source: str) -> IO[bytes]:
    """A local path with ``open``; an URL-like path (``s3://``, ``file://``...) with fsspec, imported only
    then: it costs a tenth of a second of start-up."""
    if "://" not in source:
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
    if len(data) > max_bytes:
        raise TooLargeError(f"{source} is larger than the {max_bytes} byte cap (fetch.max_bytes)")
    if data.startswith(_GZIP_MAGIC):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            data = inflater.decompress(data, max_bytes + 1)  # bounded: a gzip bomb stops at the cap
        except zlib.error as exc:
            raise ScraperError(f"corrupt gzip data in {source}: {exc}") from exc
    if len(data) > max_bytes:
        raise TooLargeError(f"{source} is larger than the {max_bytes} byte cap (fetch.max_bytes)")
    return data


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
        return extract(page.content, source, config=config, final_url=page.final_url,
                       fetched_at=page.fetched_at, http_charset=page.encoding)
    data = read_page_file(source, max_bytes=config.fetch.max_bytes)
    if not looks_like_html(data):  # as a URL whose Content-Type is not HTML: text, feeds, JSON...
        raise NotHTMLError(f"not HTML: {source} does not start with an HTML doctype or tag")
    return extract(data, url, config=config)
