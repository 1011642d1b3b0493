"""What counts as a URL to fetch: one test, for the command line, the inputs, sources and discovery."""

from __future__ import annotations

__all__ = ["HTTP_PREFIXES", "is_http_url"]

HTTP_PREFIXES = ("http://", "https://")  # the only schemes fetched; anything else names a file or is dropped


def is_http_url(value: str) -> bool:
    """True for an http(s) URL (scheme in any case); ``file://``, ``s3://`` and paths are not."""
    return value.lower().startswith(HTTP_PREFIXES)
