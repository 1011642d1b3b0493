"""The scraper's exceptions: one root, one class per kind of failure, each with a one-line message."""

from __future__ import annotations


class ScraperError(Exception):
    """Root of every error the scraper raises on purpose."""

    def __str__(self) -> str:  # one line, always
        return " ".join(super().__str__().split())


class ConfigError(ScraperError, ValueError):
    """The configuration file or an option is invalid (names the key and, where known, the line)."""


class UsageError(ScraperError, ValueError):
    """A command-line value cannot be used as given (exit code 2): e.g. an output URL with no backend."""


class FetchError(ScraperError, IOError):
    """A page could not be fetched.

    ``kind`` is the failure's short name in crawl summaries; ``retryable`` says whether another attempt
    may succeed (the fetcher retries, the crawler tries again on a later run); ``retry_after`` is the
    wait a server asked for. Each is declared on the class; an instance may narrow ``retryable``.
    ``reason`` is the message without the URL; ``attempts`` how many tries the fetcher made.
    """

    kind: str = "fetch"
    retryable: bool = False
    retry_after: float | None = None

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        retryable: bool | None = None,
        retry_after: float | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message)
        self.url = url
        self.reason = reason
        self.attempts = 1
        if retryable is not None:
            self.retryable = retryable
        if retry_after is not None:
            self.retry_after = retry_after

    def __str__(self) -> str:
        if self.attempts > 1 and self.reason is not None:  # the one line says it was tried more than once
            return " ".join(f"{self.reason} ({self.attempts} attempts): {self.url}".split())
        return super().__str__()


class DNSError(FetchError):
    """The host name does not resolve (retryable only when the resolver says the failure is temporary)."""

    kind = "dns"


class ConnectError(FetchError):
    """The connection could not be made, or broke: refused, reset, closed mid-body."""

    kind = "connect"
    retryable = True


class FetchTimeout(FetchError, TimeoutError):
    """Connecting or reading took too long (``total_timeout`` passed is not retried: it would take as long)."""

    kind = "timeout"
    retryable = True


class TLSError(FetchError):
    """The TLS handshake or certificate check failed."""

    kind = "tls"


class HTTPStatusError(FetchError):
    """The server answered with an error status (4xx or 5xx after retries); ``kind`` is ``http_404``..."""

    kind = "http"

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        status: int = 0,
        retryable: bool | None = None,
        retry_after: float | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message, url=url, retryable=retryable, retry_after=retry_after, reason=reason)
        self.status = status
        if status:
            self.kind = f"http_{status}"


class TooLargeError(FetchError):
    """The body exceeded the configured size cap (counted after decompression)."""

    kind = "too_large"


class NotHTMLError(FetchError):
    """The response is not an HTML page (PDF, image, ...)."""

    kind = "not_html"


class BlockedError(FetchError):
    """The fetch was refused by policy: a forbidden address or scheme, robots.txt."""

    kind = "blocked"


class RobotsRefusal(BlockedError):
    """robots.txt disallows the URL for our user agent."""

    kind = "robots"


class SourceError(FetchError):
    """A feed, sitemap or URL list could not be used (malformed, hostile or too large)."""

    kind = "bad_source"


class CrawlLockedError(ScraperError):
    """Another crawl holds the lock on this output folder or state file (exit code 75)."""


class ExtractionError(ScraperError):
    """No article could be extracted from the page."""


class OutputError(ScraperError, OSError):
    """A record could not be written."""
