"""The scraper's exceptions: one root, one class per kind of failure, each with a one-line message."""

from __future__ import annotations


class ScraperError(Exception):
    """Root of every error the scraper raises on purpose."""

    def __str__(self) -> str:  # one line, always
        return " ".join(super().__str__().split())


class ConfigError(ScraperError, ValueError):
    """The configuration file or an option is invalid (names the key and, where known, the line)."""


class FetchError(ScraperError, IOError):
    """A page could not be fetched."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class HTTPStatusError(FetchError):
    """The server answered with an error status (4xx or 5xx after retries)."""

    def __init__(self, message: str, *, url: str | None = None, status: int = 0) -> None:
        super().__init__(message, url=url)
        self.status = status


class TooLargeError(FetchError):
    """The body exceeded the configured size cap (counted after decompression)."""


class NotHTMLError(FetchError):
    """The response is not an HTML page (PDF, image, ...)."""


class BlockedError(FetchError):
    """The fetch was refused by policy: robots.txt, a forbidden address or scheme."""


class SourceError(FetchError):
    """A feed, sitemap or URL list could not be used (malformed, hostile or too large)."""


class CrawlLockedError(ScraperError):
    """Another crawl holds the lock on this output folder or state file (exit code 75)."""


class ExtractionError(ScraperError):
    """No article could be extracted from the page."""


class OutputError(ScraperError, OSError):
    """A record could not be written."""
