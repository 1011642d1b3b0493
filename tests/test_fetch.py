"""Fetcher unit tests against mocked HTTP (``responses``): retries, redirects, caps, charsets, errors."""

from __future__ import annotations

import gzip
import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests
import responses

from scraper import __version__
from scraper.config import Config, FetchConfig
from scraper.errors import BlockedError, FetchError, HTTPStatusError, NotHTMLError, TooLargeError
from scraper.fetch import Fetcher, Page, default_user_agent, fetch_page, redact_url

URL = "https://example.com/x"
HTML = {"Content-Type": "text/html; charset=utf-8"}
BODY = b"<!doctype html><html><head><title>t</title></head><body><p>Hello</p></body></html>"


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def waits() -> list[float]:
    return []


def make(waits: list[float], **options) -> Fetcher:
    """A Fetcher whose retry sleeps are recorded instead of slept."""
    return Fetcher(FetchConfig(**options), sleep=waits.append)


# -- success, headers, User-Agent --------------------------------------------------------------------


def test_page_fields(mocked, waits):
    mocked.get(
        URL, body=BODY, headers={**HTML, "ETag": '"abc"', "Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"}
    )
    page = make(waits).fetch(URL)
    assert isinstance(page, Page)
    assert (page.url, page.final_url, page.status) == (URL, URL, 200)
    assert page.content == BODY and "<p>Hello</p>" in page.text
    assert page.encoding == "utf-8"
    assert page.content_type == "text/html; charset=utf-8"
    assert page.etag == '"abc"' and page.last_modified == "Wed, 01 Jan 2025 00:00:00 GMT"
    assert page.headers["etag"] == '"abc"'  # case-insensitive
    assert page.fetched_at.endswith("Z") and abs(
        datetime.strptime(page.fetched_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) - datetime.now(UTC)
    ) < timedelta(minutes=1)
    assert waits == []


def test_default_user_agent(mocked, waits):
    mocked.get(URL, body=BODY, headers=HTML)
    make(waits).fetch(URL)
    ua = mocked.calls[0].request.headers["User-Agent"]
    assert ua == f"scraper/{__version__} (+https://github.com/scraper/scraper)" == default_user_agent()


def test_user_agent_override(mocked, waits):
    mocked.get(URL, body=BODY, headers=HTML)
    make(waits, user_agent="MyBot/2.0").fetch(URL)
    assert mocked.calls[0].request.headers["User-Agent"] == "MyBot/2.0"


def test_gzip_content_is_decoded(mocked, waits):
    mocked.get(URL, body=gzip.compress(BODY), headers={**HTML, "Content-Encoding": "gzip"})
    assert make(waits).fetch(URL).content == BODY


def test_fetch_page_convenience(mocked):
    mocked.get(URL, body=BODY, headers=HTML)
    assert fetch_page(URL, config=Config()).final_url == URL


# -- retries -----------------------------------------------------------------------------------------


def test_503_retried_with_exponential_backoff_then_gives_up(mocked, waits):
    mocked.get(URL, status=503)
    with pytest.raises(HTTPStatusError) as info:
        make(waits, retries=3, backoff_base=0.5, backoff_max=30).fetch(URL)
    assert info.value.status == 503
    assert str(info.value) == f"HTTP 503 Service Unavailable (4 attempts): {URL}"
    assert len(mocked.calls) == 4
    assert len(waits) == 3
    for wait, low in zip(waits, (0.5, 1.0, 2.0), strict=True):  # base * 2**n plus jitter in [0, base]
        assert low <= wait <= low + 0.5


def test_backoff_is_capped(mocked, waits):
    mocked.get(URL, status=500)
    with pytest.raises(HTTPStatusError):
        make(waits, retries=4, backoff_base=1.0, backoff_max=2.0).fetch(URL)
    assert len(waits) == 4 and max(waits) <= 2.0


def test_503_then_success(mocked, waits):
    mocked.get(URL, status=503)
    mocked.get(URL, body=BODY, headers=HTML)
    page = make(waits, retries=3).fetch(URL)
    assert page.status == 200 and len(mocked.calls) == 2 and len(waits) == 1


def test_connection_error_retried_exact_count(mocked, waits):
    mocked.get(URL, body=requests.exceptions.ConnectionError("connection refused"))
    with pytest.raises(FetchError) as info:
        make(waits, retries=2).fetch(URL)
    assert not isinstance(info.value, HTTPStatusError)
    assert "connection failed" in str(info.value) and URL in str(info.value)
    assert len(mocked.calls) == 3 and len(waits) == 2


def test_read_timeout_retried(mocked, waits):
    mocked.get(URL, body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(FetchError, match="read timed out"):
        make(waits, retries=1).fetch(URL)
    assert len(mocked.calls) == 2


def test_no_retry_on_404(mocked, waits):
    mocked.get(URL, status=404)
    with pytest.raises(HTTPStatusError) as info:
        make(waits, retries=5).fetch(URL)
    assert str(info.value) == f"HTTP 404 Not Found: {URL}"
    assert info.value.status == 404 and info.value.url == URL
    assert len(mocked.calls) == 1 and waits == []


@pytest.mark.parametrize("status", [400, 401, 403, 410])
def test_no_retry_on_other_4xx(mocked, waits, status):
    mocked.get(URL, status=status)
    with pytest.raises(HTTPStatusError):
        make(waits).fetch(URL)
    assert len(mocked.calls) == 1


def test_429_retried(mocked, waits):
    mocked.get(URL, status=429)
    with pytest.raises(HTTPStatusError) as info:
        make(waits, retries=2).fetch(URL)
    assert info.value.status == 429 and "429 Too Many Requests" in str(info.value)
    assert len(mocked.calls) == 3


def test_retry_after_seconds(mocked, waits):
    mocked.get(URL, status=429, headers={"Retry-After": "7"})
    mocked.get(URL, status=503, headers={"Retry-After": "3"})
    mocked.get(URL, body=BODY, headers=HTML)
    assert make(waits, retries=3).fetch(URL).status == 200
    assert waits == [7.0, 3.0]


def test_retry_after_http_date(mocked, waits):
    when = datetime.now(UTC) + timedelta(seconds=30)
    mocked.get(URL, status=429, headers={"Retry-After": format_datetime(when, usegmt=True)})
    mocked.get(URL, body=BODY, headers=HTML)
    make(waits, retries=3).fetch(URL)
    assert len(waits) == 1 and 27 <= waits[0] <= 30


def test_retry_after_beyond_cap_gives_up_at_once(mocked, waits):
    mocked.get(URL, status=429, headers={"Retry-After": "86400"})
    with pytest.raises(HTTPStatusError) as info:
        make(waits, retries=3, retry_after_max=120).fetch(URL)
    message = str(info.value)
    assert "rate-limited" in message and "86400" in message and URL in message
    assert info.value.status == 429
    assert len(mocked.calls) == 1 and waits == []


def test_retries_are_logged(mocked, waits, caplog):
    mocked.get(URL, status=503)
    with caplog.at_level(logging.INFO, logger="scraper.fetch"), pytest.raises(HTTPStatusError):
        make(waits, retries=2).fetch(URL)
    retries = [r for r in caplog.records if "retry" in r.getMessage()]
    assert len(retries) == 2 and all(r.levelno == logging.INFO for r in caplog.records)  # -v shows them
    assert any("giving up" in r.getMessage() for r in caplog.records)


# -- size cap, content type ------------------------------------------------------------------------------


def test_size_cap_with_content_length(mocked, waits):
    mocked.get(URL, body=b"<html>" + b"a" * 5000, headers=HTML, auto_calculate_content_length=True)
    with pytest.raises(TooLargeError, match="too large"):
        make(waits, max_bytes=1000).fetch(URL)


def test_size_cap_without_content_length(mocked, waits):
    mocked.get(URL, body=b"<html>" + b"a" * 5000, headers=HTML)
    with pytest.raises(TooLargeError):
        make(waits).fetch(URL, max_bytes=1000)
    assert "Content-Length" not in mocked.calls[0].response.headers


def test_size_cap_counts_decompressed_bytes(mocked, waits):
    mocked.get(
        URL, body=gzip.compress(b"<html>" + b" " * 200_000), headers={**HTML, "Content-Encoding": "gzip"}
    )
    with pytest.raises(TooLargeError):
        make(waits, max_bytes=100_000).fetch(URL)


def test_body_at_cap_is_accepted(mocked, waits):
    mocked.get(URL, body=BODY, headers=HTML)
    assert make(waits).fetch(URL, max_bytes=len(BODY)).content == BODY


@pytest.mark.parametrize("ctype", ["application/pdf", "image/png", "application/json"])
def test_non_html_refused(mocked, waits, ctype):
    mocked.get(URL, body=b"%PDF-1.7 ...", headers={"Content-Type": ctype})
    with pytest.raises(NotHTMLError) as info:
        make(waits).fetch(URL)
    assert ctype in str(info.value) and URL in str(info.value)


def test_non_html_allowed_when_asked(mocked, waits):
    mocked.get(URL, body=b"%PDF-1.7", headers={"Content-Type": "application/pdf"})
    page = make(waits).fetch(URL, html_only=False)
    assert page.content == b"%PDF-1.7" and page.text == ""


def test_xml_allowed_and_decoded_when_not_html_only(mocked, waits):
    xml = '<?xml version="1.0" encoding="utf-8"?><rss><title>Ça</title></rss>'.encode()
    mocked.get(URL, body=xml, headers={"Content-Type": "application/rss+xml"})
    assert "Ça" in make(waits).fetch(URL, html_only=False).text


def test_xhtml_accepted(mocked, waits):
    mocked.get(URL, body=BODY, headers={"Content-Type": "application/xhtml+xml"})
    assert make(waits).fetch(URL).status == 200


def test_missing_content_type_sniffed(mocked, waits):
    mocked.get(URL, body=BODY, content_type=None)
    mocked.get("https://example.com/bin", body=b"\x89PNG\r\n\x1a\n....", content_type=None)
    fetcher = make(waits)
    assert fetcher.fetch(URL).content == BODY
    with pytest.raises(NotHTMLError):
        fetcher.fetch("https://example.com/bin")


# -- charsets ---------------------------------------------------------------------------------------


def test_charset_from_http_header(mocked, waits):
    body = "<html><body><p>café</p></body></html>".encode("iso-8859-1")
    mocked.get(URL, body=body, headers={"Content-Type": "text/html; charset=ISO-8859-1"})
    page = make(waits).fetch(URL)
    assert "café" in page.text and page.encoding == "cp1252"


def test_charset_from_meta(mocked, waits):
    body = '<html><head><meta charset="windows-1251"></head><body><p>Привет, мир</p></body></html>'
    mocked.get(URL, body=body.encode("cp1251"), headers={"Content-Type": "text/html"})
    page = make(waits).fetch(URL)
    assert "Привет, мир" in page.text and page.encoding == "cp1251"


def test_charset_from_bom(mocked, waits):
    body = "\ufeff<html><body><p>naïve — ok</p></body></html>".encode()
    mocked.get(URL, body=body, headers={"Content-Type": "text/html"})
    page = make(waits).fetch(URL)
    assert "naïve — ok" in page.text and not page.text.startswith("\ufeff") and page.encoding == "utf-8"


def test_charset_detected_windows_1252(mocked, waits):
    text = (
        "<p>Le café était très animé ; déjà plein à midi, la foule s’y pressait. « C’est la fête ».</p>" * 4
    )
    mocked.get(
        URL, body=f"<html><body>{text}</body></html>".encode("cp1252"), headers={"Content-Type": "text/html"}
    )
    page = make(waits).fetch(URL)
    assert page.encoding == "cp1252" and "déjà plein à midi" in page.text and "s’y" in page.text


def test_charset_detected_shift_jis(mocked, waits):
    text = "日本語のニュース記事です。東京で新しい技術の発表がありました。多くの人々が参加しました。" * 3
    mocked.get(
        URL,
        body=f"<html><body><p>{text}</p></body></html>".encode("shift_jis"),
        headers={"Content-Type": "text/html"},
    )
    page = make(waits).fetch(URL)
    assert page.encoding in ("cp932", "shift_jis") and text in page.text


# -- redirects --------------------------------------------------------------------------------------


def test_redirects_followed_and_final_url_kept(mocked, waits):
    mocked.get(URL, status=301, headers={"Location": "https://www.example.com/y"})
    mocked.get("https://www.example.com/y", status=302, headers={"Location": "/z?q=1"})
    mocked.get("https://www.example.com/z?q=1", body=BODY, headers=HTML)
    page = make(waits).fetch(URL)
    assert page.url == URL and page.final_url == "https://www.example.com/z?q=1" and page.status == 200
    assert len(mocked.calls) == 3


def test_redirect_limit(mocked, waits):
    for i in range(6):
        mocked.get(f"https://example.com/{i}", status=302, headers={"Location": f"/{i + 1}"})
    with pytest.raises(FetchError, match=r"too many redirects \(more than 3\)"):
        make(waits, max_redirects=3).fetch("https://example.com/0")
    assert len(mocked.calls) == 4


def test_redirect_loop_detected(mocked, waits):
    mocked.get("https://example.com/a", status=302, headers={"Location": "/b"})
    mocked.get("https://example.com/b", status=302, headers={"Location": "/a"})
    with pytest.raises(FetchError, match="redirect loop"):
        make(waits, max_redirects=10).fetch("https://example.com/a")
    assert len(mocked.calls) == 2


@pytest.mark.parametrize(
    "target", ["file:///etc/passwd", "ftp://example.com/x", "data:text/html,hi", "gopher://example.com/"]
)
def test_redirect_to_other_scheme_blocked(mocked, waits, target):
    mocked.get(URL, status=302, headers={"Location": target})
    with pytest.raises(BlockedError, match="refused URL scheme"):
        make(waits).fetch(URL)
    assert len(mocked.calls) == 1


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1/admin",
        "http://[::ffff:127.0.0.1]/",
        "http://2130706433/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://localhost:8080/",
    ],
)
def test_redirect_hop_to_forbidden_address_blocked(mocked, waits, target):
    mocked.get(URL, status=302, headers={"Location": target})
    with pytest.raises(BlockedError):
        make(waits).fetch(URL)
    assert len(mocked.calls) == 1


def test_non_http_url_refused(waits):
    with pytest.raises(BlockedError, match="refused URL scheme 'file'"):
        make(waits).fetch("file:///etc/passwd")


# -- conditional requests ------------------------------------------------------------------------------


def test_conditional_request_304(mocked, waits):
    mocked.get(URL, status=304, headers={"ETag": '"v1"'})
    page = make(waits).fetch(URL, etag='"v1"', last_modified="Wed, 01 Jan 2025 00:00:00 GMT")
    sent = mocked.calls[0].request.headers
    assert sent["If-None-Match"] == '"v1"' and sent["If-Modified-Since"] == "Wed, 01 Jan 2025 00:00:00 GMT"
    assert page.status == 304 and page.text == "" and page.content == b"" and page.etag == '"v1"'


def test_unconditional_request_sends_no_validators(mocked, waits):
    mocked.get(URL, body=BODY, headers=HTML)
    make(waits).fetch(URL)
    assert "If-None-Match" not in mocked.calls[0].request.headers


# -- credentials never shown ------------------------------------------------------------------------------


def test_redact_url():
    assert (
        redact_url("https://user:s3cret@example.com:8080/p?q=1#f") == "https://***@example.com:8080/p?q=1#f"
    )
    assert redact_url("https://example.com/a@b") == "https://example.com/a@b"
    assert redact_url("http://u:pw@[bad/") == "http://***@[bad/"


def test_credentials_redacted_from_errors_and_logs(mocked, waits, caplog):
    url = "https://user:s3cret@example.com/x"
    mocked.get("https://user:s3cret@example.com/x", status=503)
    with caplog.at_level(logging.DEBUG), pytest.raises(HTTPStatusError) as info:
        make(waits, retries=1).fetch(url)
    assert "s3cret" not in str(info.value) and "user" not in str(info.value)
    assert str(info.value) == "HTTP 503 Service Unavailable (2 attempts): https://***@example.com/x"
    assert info.value.url == "https://***@example.com/x"
    assert caplog.records and not any("s3cret" in r.getMessage() for r in caplog.records)


def test_credentials_redacted_on_redirect_errors(mocked, waits):
    mocked.get(
        "https://user:s3cret@example.com/x", status=302, headers={"Location": "http://u:pw@127.0.0.1/"}
    )
    with pytest.raises(BlockedError) as info:
        make(waits).fetch("https://user:s3cret@example.com/x")
    assert "s3cret" not in str(info.value) and ":pw@" not in str(info.value)


def test_error_messages_are_one_line(mocked, waits):
    mocked.get(URL, body=requests.exceptions.ConnectionError("line one\nline two"))
    with pytest.raises(FetchError) as info:
        make(waits, retries=0).fetch(URL)
    assert "\n" not in str(info.value)
