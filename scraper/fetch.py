"""Fetching: one page over HTTP(S), politely and defensively.

``Fetcher`` owns one ``requests.Session`` and turns every failure into one of our exceptions with a
one-line message naming the (credential-free) URL. What it guards against:

* retries with exponential backoff and jitter on connection errors, timeouts and the statuses of
  ``retry_http_codes`` (429 and 5xx by default; never other 4xx), honouring ``Retry-After`` up to
  ``retry_after_max``; a longer one gives up at once (the error stays ``retryable`` for later runs);
* redirects followed by hand, each hop checked: a limit, loops, http/https only, address safety
  (``netsafety``: connections are pinned to the addresses that were checked);
* bodies streamed and counted after decompression, so a gzip or brotli bomb stops at ``max_bytes``;
  a wall-clock deadline (``total_timeout``) for the whole exchange, status line and headers included,
  so a trickling server cannot hold a worker for ever (``netsafety.ExchangeDeadline`` shuts the socket
  when it passes; it is also checked between body reads);
* failures as types (``DNSError``, ``ConnectError``, ``FetchTimeout``, ``TLSError``, ``HTTPStatusError``...),
  each declaring whether it is worth retrying;
* TLS always verified.
"""

from __future__ import annotations

import http
import http.client
import logging
import re
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, NoReturn
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter
from urllib3.util.request import ACCEPT_ENCODING

from ._version import __version__
from .config import Config, FetchConfig
from .errors import (
    BlockedError,
    ConnectError,
    DNSError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    NotHTMLError,
    TLSError,
    TooLargeError,
)
from .netsafety import (
    AddressPolicy,
    AddressRefused,
    DeadlinePassed,
    ExchangeDeadline,
    Resolver,
    SafeAdapter,
    check_literal_host,
)
from .parse import decode_html
from .record import USERINFO, strip_credentials
from .sniff import HTML_TYPES, header_charset, looks_like_html, media_type
from .urls import HTTP_SCHEMES

log = logging.getLogger(__name__)

__all__ = ["Fetcher", "Page", "default_user_agent", "fetch_page", "redact_url"]

PROJECT_URL = "https://github.com/scraper/scraper"
# Types whose bytes are text worth decoding when ``html_only=False`` (feeds, sitemaps, robots.txt).
_TEXT_TYPE = re.compile(r"^(text/|application/([\w.+-]*\+)?(xml|json)$)")
_CHUNK = 64 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def default_user_agent() -> str:
    """The User-Agent sent when the configuration names none."""
    return f"scraper/{__version__} (+{PROJECT_URL})"


def redact_url(url: str) -> str:
    """``url`` without the ``user:password@`` part, safe for messages and logs."""
    return strip_credentials(url, mask="***@")


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched page (or a 304 answer to a conditional request)."""

    url: str  # as requested
    final_url: str  # after redirects
    status: int  # 200, or 304 for a conditional request that matched
    headers: Mapping[str, str]  # response headers, case-insensitive
    content: bytes  # decoded from gzip/br/deflate, at most max_bytes
    text: str  # content decoded to str ("" when 304 or binary)
    encoding: str | None
    content_type: str | None
    etag: str | None
    last_modified: str | None
    fetched_at: str  # ISO 8601 UTC


def _fail(cls: type[FetchError], reason: str, url: str, **kwargs: Any) -> FetchError:
    """Build one of our errors: "reason: url" (``retryable``/``retry_after`` as the class declares them)."""
    safe = redact_url(url)
    reason = USERINFO.sub("***@", reason)
    return cls(f"{reason}: {safe}", url=safe, reason=reason, **kwargs)


def _parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _root_os_error(exc: BaseException) -> BaseException:
    """The innermost cause of a requests/urllib3 error, usually the OSError that started it."""
    seen: set[int] = set()
    current: BaseException = exc
    while id(current) not in seen:
        seen.add(id(current))
        nxt = getattr(current, "reason", None)
        if not isinstance(nxt, BaseException):
            args = [a for a in getattr(current, "args", ()) if isinstance(a, BaseException)]
            nxt = args[0] if args else current.__cause__ or current.__context__
        if not isinstance(nxt, BaseException):
            break
        current = nxt
    return current


def _describe(exc: BaseException) -> str:
    """A short reason for a transport error."""
    root = _root_os_error(exc)
    if isinstance(root, OSError) and root.strerror:
        return root.strerror.lower()
    text = str(root) or type(root).__name__
    return text.split(": ", 1)[-1] if len(text) > 120 else text


class Fetcher:
    """Downloads pages with the policy of one ``FetchConfig``. Use as a context manager or ``close()``.

    ``sleep`` is what retry waits call (tests pass a recorder); ``resolver`` replaces DNS lookups for
    the address-safety check (``socket.getaddrinfo``-style, see ``netsafety.SafeAdapter``).
    """

    def __init__(
        self,
        config: FetchConfig,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        resolver: Resolver | None = None,
    ) -> None:
        self.config = config
        self.policy = AddressPolicy(
            allow_private=config.allow_private, allow_link_local=config.allow_link_local
        )
        self._sleep = sleep
        self._owns_session = session is None
        if session is None:
            session = requests.Session()
            session.trust_env = (
                False  # no proxies or .netrc from the environment: the address check must see the target
            )
        self._deadline = ExchangeDeadline()
        adapter = SafeAdapter(self.policy, resolver=resolver, deadline=self._deadline)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        if session.verify is not True and not isinstance(session.verify, str):
            session.verify = True  # TLS is always verified; a caller's CA bundle path is kept
        session.headers["User-Agent"] = config.user_agent or default_user_agent()
        session.headers["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        session.headers["Accept-Encoding"] = ACCEPT_ENCODING  # only codings urllib3 can decode here
        self.session = session

    @property
    def user_agent(self) -> str:
        """The User-Agent header this fetcher sends."""
        return str(self.session.headers["User-Agent"])

    def close(self) -> None:
        """Close the session (if this fetcher created it)."""
        if self._owns_session:
            self.session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- public ------------------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        html_only: bool = True,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
    ) -> Page:
        """Fetch ``url``; raise a ``FetchError`` subclass with a one-line message on any failure."""
        cfg = self.config
        backoff = wait_exponential_jitter(
            multiplier=cfg.backoff_base, max=cfg.backoff_max, jitter=cfg.backoff_base
        )

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            if isinstance(exc, FetchError) and exc.retry_after is not None:
                return exc.retry_after
            return float(backoff(state))

        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            wait_for = state.next_action.sleep if state.next_action else 0.0
            # INFO: the failure itself is reported once, by whoever gets the error in the end
            log.info("retry %d of %d in %.2f s after: %s", state.attempt_number, cfg.retries, wait_for, exc)

        retrying = Retrying(
            stop=stop_after_attempt(cfg.retries + 1),
            wait=wait,
            retry=retry_if_exception(self._worth_retrying),
            sleep=self._sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        cap = cfg.max_bytes if max_bytes is None else max_bytes
        try:
            return retrying(
                self._fetch_once, url, html_only=html_only, etag=etag, last_modified=last_modified, cap=cap
            )
        except FetchError as exc:
            attempts = retrying.statistics.get("attempt_number", 1)
            if attempts > 1 and self._worth_retrying(exc):
                exc.attempts = attempts  # the one line the user sees says it was tried more than once
                log.info("giving up after %d attempts: %s", attempts, exc)
            raise

    def _worth_retrying(self, exc: BaseException) -> bool:
        """Retry now: a retryable failure whose server asked for no wait longer than ``retry_after_max``."""
        if not isinstance(exc, FetchError) or not exc.retryable:
            return False
        return exc.retry_after is None or exc.retry_after <= self.config.retry_after_max

    # -- one attempt -------------------------------------------------------------------------------

    def _fetch_once(
        self, url: str, *, html_only: bool, etag: str | None, last_modified: str | None, cap: int
    ) -> Page:
        cfg = self.config
        deadline = time.monotonic() + cfg.total_timeout
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        self._deadline.set(deadline)  # the socket is cut when it passes, whatever is being read
        try:
            return self._follow(url, headers, html_only=html_only, cap=cap, deadline=deadline)
        finally:
            self._deadline.clear()

    def _follow(
        self, url: str, headers: dict[str, str], *, html_only: bool, cap: int, deadline: float
    ) -> Page:
        """Request ``url``, following redirects by hand (each hop checked), and build the page."""
        cfg = self.config
        current = url
        seen = {url}
        hops = 0
        while True:
            resp = self._request(current, headers, deadline)
            try:
                if resp.status_code in _REDIRECTS and "location" in resp.headers:
                    target = self.session.get_redirect_target(resp) or ""
                    nxt = urljoin(current, target)
                    hops += 1
                    if hops > cfg.max_redirects:
                        raise _fail(FetchError, f"too many redirects (more than {cfg.max_redirects})", url)
                    if nxt in seen:
                        raise _fail(FetchError, f"redirect loop at {redact_url(nxt)}", url)
                    log.debug("redirect %d -> %s", resp.status_code, redact_url(nxt))
                    seen.add(nxt)
                    current = nxt
                    continue
                return self._build_page(url, current, resp, html_only=html_only, cap=cap, deadline=deadline)
            finally:
                resp.close()

    def _request(self, url: str, headers: dict[str, str], deadline: float) -> requests.Response:
        """Send one GET (no redirects), after the scheme and literal-address checks."""
        cfg = self.config
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError as exc:
            raise _fail(FetchError, "invalid URL", url) from exc
        if parts.scheme.lower() not in HTTP_SCHEMES:
            raise _fail(BlockedError, f"refused URL scheme {parts.scheme or '(none)'!r}", url)
        if not host:
            raise _fail(FetchError, "invalid URL: no host", url)
        try:
            check_literal_host(host, self.policy)
        except BlockedError as exc:
            raise _fail(BlockedError, str(exc), url) from None
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            self._deadline_passed(url)
        timeout = (min(cfg.connect_timeout, remaining), min(cfg.read_timeout, remaining))
        try:
            return self.session.get(url, headers=headers, stream=True, allow_redirects=False, timeout=timeout)
        except AddressRefused as exc:
            raise _fail(BlockedError, str(exc), url) from None
        except DeadlinePassed:
            self._deadline_passed(url)
        except requests.exceptions.SSLError as exc:
            root = _root_os_error(exc)
            if isinstance(root, ssl.SSLCertVerificationError):
                detail = getattr(root, "verify_message", None) or _describe(exc)
                raise _fail(TLSError, f"TLS certificate verify failed ({detail})", url) from exc
            raise _fail(TLSError, f"TLS error ({_describe(exc)})", url) from exc
        except requests.exceptions.ConnectTimeout as exc:
            raise _fail(FetchTimeout, f"connect timed out after {timeout[0]:g} s", url) from exc
        except requests.exceptions.ReadTimeout as exc:
            raise _fail(FetchTimeout, f"read timed out after {timeout[1]:g} s", url) from exc
        except requests.exceptions.ConnectionError as exc:
            root = _root_os_error(exc)
            if isinstance(root, socket.gaierror):
                raise _fail(
                    DNSError, f"cannot resolve host {host}", url, retryable=root.errno == socket.EAI_AGAIN
                ) from exc
            if isinstance(root, TimeoutError):
                raise _fail(FetchTimeout, f"timed out ({_describe(exc)})", url) from exc
            raise _fail(ConnectError, f"connection failed ({_describe(exc)})", url) from exc
        except (
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
            requests.exceptions.InvalidHeader,
        ) as exc:
            raise _fail(FetchError, "invalid URL", url) from exc
        except requests.exceptions.RequestException as exc:
            raise _fail(ConnectError, f"request failed ({_describe(exc)})", url) from exc

    def _deadline_passed(self, url: str) -> NoReturn:
        raise _fail(
            FetchTimeout,
            f"response took longer than total_timeout {self.config.total_timeout:g} s",
            url,
            retryable=False,
        )  # another attempt would take as long

    def _build_page(
        self, url: str, final_url: str, resp: requests.Response, *, html_only: bool, cap: int, deadline: float
    ) -> Page:
        status = resp.status_code
        headers = resp.headers
        if status == 304:
            return Page(
                url=url,
                final_url=final_url,
                status=304,
                headers=headers,
                content=b"",
                text="",
                encoding=None,
                content_type=headers.get("Content-Type"),
                etag=headers.get("ETag"),
                last_modified=headers.get("Last-Modified"),
                fetched_at=_now_iso(),
            )
        if status >= 400 or status < 200 or status in _REDIRECTS:
            self._raise_status(url, resp)
        content_type = headers.get("Content-Type")
        media = media_type(content_type)
        if html_only and media is not None and media not in HTML_TYPES:
            raise _fail(NotHTMLError, f"not HTML ({media})", url)
        content = self._read_body(url, resp, cap=cap, deadline=deadline)
        if html_only and media is None and not looks_like_html(content):
            raise _fail(NotHTMLError, "not HTML (no Content-Type and the body does not look like HTML)", url)
        text, encoding = "", None
        if media is None or media in HTML_TYPES or _TEXT_TYPE.match(media):
            text, encoding = decode_html(content, header_charset(content_type))
        return Page(
            url=url,
            final_url=final_url,
            status=status,
            headers=headers,
            content=content,
            text=text,
            encoding=encoding,
            content_type=content_type,
            etag=headers.get("ETag"),
            last_modified=headers.get("Last-Modified"),
            fetched_at=_now_iso(),
        )

    def _raise_status(self, url: str, resp: requests.Response) -> NoReturn:
        status = resp.status_code
        try:
            phrase = http.HTTPStatus(status).phrase
        except ValueError:
            phrase = (resp.reason or "").strip() or "Unknown"
        if status in _REDIRECTS:
            raise _fail(HTTPStatusError, f"HTTP {status} redirect without Location", url, status=status)
        if status < 200:
            raise _fail(HTTPStatusError, f"unexpected HTTP {status} {phrase}", url, status=status)
        transient = status in self.config.retry_http_codes
        retry_after = _parse_retry_after(resp.headers.get("Retry-After")) if transient else None
        reason = f"HTTP {status} {phrase}"
        cap = self.config.retry_after_max
        if retry_after is not None and retry_after > cap:  # not waited for now (see _worth_retrying)
            what = "rate-limited" if status == 429 else "unavailable"
            reason += f": {what}, Retry-After {retry_after:.0f} s exceeds retry_after_max {cap:g} s; skipped"
        raise _fail(HTTPStatusError, reason, url, status=status, retryable=transient, retry_after=retry_after)

    def _read_body(self, url: str, resp: requests.Response, *, cap: int, deadline: float) -> bytes:
        """Read the body, decompressed, refusing more than ``cap`` bytes or a passed deadline."""
        declared = resp.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap and not resp.headers.get("Content-Encoding"):
            raise _fail(TooLargeError, f"body too large ({int(declared)} bytes declared, cap {cap})", url)
        chunks: list[bytes] = []
        total = 0
        raw = resp.raw
        try:
            while True:
                if time.monotonic() > deadline:
                    self._deadline_passed(url)
                # read1: one network read at most, so the deadline is checked while a body trickles;
                # urllib3 decompresses at most ``_CHUNK`` bytes per call, so a bomb never inflates whole
                chunk = raw.read1(_CHUNK, decode_content=True)
                if not chunk:
                    break
                total += len(chunk)
                if total > cap:
                    raise _fail(TooLargeError, f"body too large (more than {cap} bytes)", url)
                chunks.append(chunk)
        except FetchError:
            raise
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            if time.monotonic() >= deadline:  # the deadline's timer cut the connection
                self._deadline_passed(url)
            if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
                raise _fail(
                    FetchTimeout, f"read timed out after {self.config.read_timeout:g} s mid-body", url
                ) from exc
            if isinstance(exc, urllib3.exceptions.DecodeError):
                encoding = resp.headers.get("Content-Encoding", "?")
                raise _fail(FetchError, f"cannot decode {encoding} body", url) from exc
            if isinstance(exc, urllib3.exceptions.SSLError):
                raise _fail(TLSError, f"TLS error mid-body ({_describe(exc)})", url, retryable=True) from exc
            root = _root_os_error(exc)
            if isinstance(root, http.client.IncompleteRead):  # urllib3's IncompleteRead is one too
                reason = f"connection closed mid-body ({total} bytes received, Content-Length {declared})"
            else:
                reason = f"connection broken mid-body ({_describe(exc)})"
            raise _fail(ConnectError, reason, url) from exc
        if time.monotonic() >= deadline:  # cut by the deadline's timer: what came is not the whole body
            self._deadline_passed(url)
        return b"".join(chunks)


def fetch_page(url: str, *, config: Config | None = None) -> Page:
    """Fetch one page with a fresh ``Fetcher`` (for one-off use; reuse a Fetcher for many pages)."""
    config = config or Config()
    with Fetcher(config.fetch) as fetcher:
        return fetcher.fetch(url)
