"""URLs: which are fetched, which inputs name local paths, and lists of them one a line.

One test each, for the command line, the inputs, sources and discovery.
"""

from __future__ import annotations

__all__ = ["HTTP_PREFIXES", "HTTP_SCHEMES", "is_http_url", "is_local_path", "parse_url_list"]

HTTP_SCHEMES = ("http", "https")  # the only schemes fetched: a parsed URL's (``urlsplit``) must be one
HTTP_PREFIXES = tuple(f"{scheme}://" for scheme in HTTP_SCHEMES)  # anything else names a file or is dropped


def is_http_url(value: str) -> bool:
    """True for an http(s) URL (scheme in any case); ``file://``, ``s3://`` and paths are not.

    A test of the text as given, for telling inputs apart; the fetcher checks the scheme of the parsed URL
    (``HTTP_SCHEMES``), which ``urlsplit`` reads past leading blanks and tabs or newlines inside.
    """
    return value.lower().startswith(HTTP_PREFIXES)


def is_local_path(value: str) -> bool:
    """True for a path of this machine's file system; anything with a ``scheme://`` (``https://``, ``s3://``,
    ``file://``...) is not: it is fetched, or opened with fsspec."""
    return "://" not in value


def parse_url_list(text: str) -> list[str]:
    """The entries of a list, one a line (URLs, or URLs and paths); blank lines and ``#`` comments ignored."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
