"""Typed fetch failures from mocked transports (``responses``), and the retry policy as data in FetchConfig."""

from __future__ import annotations

import socket
import ssl
import tomllib
from pathlib import Path

import pytest
import requests
import responses

from scraper.config import Config, FetchConfig, config_from_dict
from scraper.crawl import crawl
from scraper.errors import (
    ConfigError,
    ConnectError,
    DNSError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    TLSError,
)
from scraper.fetch import Fetcher
from scraper.record import normalize_url
from scraper.state import CrawlState
from tests.servers import LocalServer

URL = "https://example.com/article"
HTML = {"Content-Type": "text/html; charset=utf-8"}
BODY = b"<!doctype html><html><body><p>Hello</p></body></html>"


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def fetch(mocked: responses.RequestsMock, **options) -> tuple[FetchError, list[float]]:
    """Fetch ``URL`` and return the error raised and the retry waits."""
    waits: list[float] = []
    with Fetcher(FetchConfig(**options), sleep=waits.append) as fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(URL)
    return info.value, waits


# -- the kinds ---------------------------------------------------------------------------------------


def test_dns_failure_is_a_dns_error_not_retried(mocked) -> None:
    cause = requests.exceptions.ConnectionError(
        socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    )
    mocked.get(URL, body=cause)
    exc, waits = fetch(mocked, retries=2)
    assert type(exc) is DNSError and exc.kind == "dns"
    assert exc.retryable is DNSError.retryable is False
    assert str(exc) == f"cannot resolve host example.com: {URL}" and exc.url == URL
    assert exc.reason == "cannot resolve host example.com"
    assert exc.__cause__ is not None  # raise ... from the requests error
    assert len(mocked.calls) == 1 and waits == []


def test_temporary_dns_failure_is_retryable(mocked) -> None:
    mocked.get(URL, body=requests.exceptions.ConnectionError(socket.gaierror(socket.EAI_AGAIN, "try again")))
    exc, waits = fetch(mocked, retries=2)
    assert isinstance(exc, DNSError) and exc.retryable
    assert len(mocked.calls) == 3 and len(waits) == 2
    assert str(exc) == f"cannot resolve host example.com (3 attempts): {URL}"


def test_certificate_failure_is_a_tls_error_not_retried(mocked) -> None:
    root = ssl.SSLCertVerificationError(1, "certificate verify failed")
    root.verify_message = "self-signed certificate"
    mocked.get(URL, body=requests.exceptions.SSLError(root))
    exc, _ = fetch(mocked, retries=2)
    assert type(exc) is TLSError and not exc.retryable
    assert exc.reason == "TLS certificate verify failed (self-signed certificate)"
    assert len(mocked.calls) == 1


def test_connect_timeout_is_a_fetch_timeout_and_retried(mocked) -> None:
    mocked.get(URL, body=requests.exceptions.ConnectTimeout("slow"))
    exc, waits = fetch(mocked, retries=1, connect_timeout=3)
    assert type(exc) is FetchTimeout and isinstance(exc, TimeoutError) and exc.retryable
    assert exc.reason == "connect timed out after 3 s"
    assert len(mocked.calls) == 2 and len(waits) == 1


def test_refused_connection_is_a_connect_error(mocked) -> None:
    mocked.get(
        URL, body=requests.exceptions.ConnectionError(ConnectionRefusedError(111, "Connection refused"))
    )
    exc, _ = fetch(mocked, retries=0)
    assert type(exc) is ConnectError and exc.retryable and exc.kind == "connect"
    assert exc.reason == "connection failed (connection refused)"


# -- Retry-After and retry_http_codes ----------------------------------------------------------------


def test_retry_after_is_parsed_into_the_error(mocked) -> None:
    mocked.get(URL, status=503, headers={"Retry-After": "5"})
    exc, waits = fetch(mocked, retries=0)
    assert isinstance(exc, HTTPStatusError) and exc.status == 503 and exc.kind == "http_503"
    assert exc.retryable and exc.retry_after == 5.0 and waits == []


def test_retry_after_is_not_read_for_a_status_not_retried(mocked) -> None:
    mocked.get(URL, status=404, headers={"Retry-After": "5"})
    exc, _ = fetch(mocked, retries=3)
    assert not exc.retryable and exc.retry_after is None and len(mocked.calls) == 1


def test_too_long_retry_after_stays_retryable_for_later_runs_but_is_not_waited_for(mocked) -> None:
    mocked.get(URL, status=429, headers={"Retry-After": "3600"})
    exc, waits = fetch(mocked, retries=3, retry_after_max=60)
    assert exc.retryable and exc.retry_after == 3600.0
    assert "Retry-After 3600 s exceeds retry_after_max 60 s" in str(exc) and "attempts" not in str(exc)
    assert len(mocked.calls) == 1 and waits == []


def test_status_outside_retry_http_codes_is_not_retried(mocked) -> None:
    mocked.get(URL, status=500)
    exc, waits = fetch(mocked, retries=3, retry_http_codes=(429, 503))
    assert isinstance(exc, HTTPStatusError) and exc.status == 500 and not exc.retryable
    assert len(mocked.calls) == 1 and waits == []


def test_status_inside_retry_http_codes_is_retried(mocked) -> None:
    mocked.get(URL, status=408)
    mocked.get(URL, body=BODY, headers=HTML)
    waits: list[float] = []
    with Fetcher(FetchConfig(retries=2, retry_http_codes=(408,)), sleep=waits.append) as fetcher:
        assert fetcher.fetch(URL).status == 200
    assert len(mocked.calls) == 2 and len(waits) == 1


def test_default_retry_codes_are_429_and_every_5xx() -> None:
    codes = FetchConfig().retry_http_codes
    assert 429 in codes and all(code in codes for code in range(500, 600))
    assert not any(400 <= code < 500 and code != 429 for code in codes)


# -- the config keys ---------------------------------------------------------------------------------


def load(text: str) -> Config:
    return config_from_dict(tomllib.loads(text), path="c.toml", text=text)


def test_retry_http_codes_from_the_config_file() -> None:
    assert load("[fetch]\nretry_http_codes = [408, 503]\n").fetch.retry_http_codes == (408, 503)
    assert load("[fetch]\nretry_http_codes = []\n").fetch.retry_http_codes == ()


@pytest.mark.parametrize("value", ['["503"]', "[200]", "[600]", "[true]", "503", "[503.0]"])
def test_bad_retry_http_codes_name_the_key_and_line(value: str) -> None:
    with pytest.raises(ConfigError, match=r"c\.toml:3: fetch\.retry_http_codes must be a list of HTTP error"):
        load(f"[fetch]\nretries = 1\nretry_http_codes = {value}\n")


# -- the crawl: retryable failures are retried on later runs, others skipped -------------------------


def test_crawl_retries_on_later_runs_only_what_the_policy_retries(tmp_path: Path) -> None:
    with LocalServer() as server:
        server.route("/a/busy", lambda r: (503, {}, b"busy"))
        server.route("/a/broken", lambda r: (500, {}, b"broken"))
        text = f"""
[fetch]
allow_private = true
retries = 0
retry_http_codes = [503]
[crawl]
out = "{tmp_path / "out"}"
delay = 0.0
retry_backoff = 0.0
max_failure_share = 1.0
[[sources]]
type = "urls"
urls = ["{server.url("/a/busy")}", "{server.url("/a/broken")}"]
"""
        summary = crawl(load(text))
        assert summary.failed == {"http_500": 1, "http_503": 1}
        state = CrawlState(tmp_path / "out" / ".scraper-state.sqlite")
        try:
            assert state.status_of(normalize_url(server.url("/a/busy"))) == "failed"
            assert state.status_of(normalize_url(server.url("/a/broken"))) == "skipped"
        finally:
            state.close()
