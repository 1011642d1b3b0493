"""End-to-end tests against hostile servers on 127.0.0.1, and the network-safety checks."""

from __future__ import annotations

import itertools
import socket
import ssl
import time
import tracemalloc
import zlib
from collections.abc import Iterator

import brotli
import pytest
import requests
import trustme

from scraper.config import FetchConfig
from scraper.errors import BlockedError, FetchError, HTTPStatusError, TooLargeError
from scraper.fetch import Fetcher
from scraper.netsafety import AddressPolicy, check_ip, check_literal_host, resolve_checked
from tests.servers import RESET, LocalServer, redirect, static
from tests.servers import local_fetcher as local

HTML = {"Content-Type": "text/html; charset=utf-8"}
PAGE = b"<!doctype html><html><body><p>ok</p></body></html>"
BOMB_SIZE = 256 * 1024 * 1024  # decoded size of the bombs
CAP = 1_000_000


def _stream(compress, finish) -> bytes:
    zeros = bytes(1 << 20)
    parts = [compress(zeros) for _ in range(BOMB_SIZE >> 20)]
    return b"".join([*parts, finish()])


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip container
    return _stream(comp.compress, comp.flush)


@pytest.fixture(scope="module")
def brotli_bomb() -> bytes:
    comp = brotli.Compressor(quality=5)
    return _stream(comp.process, comp.finish)


# -- bodies ------------------------------------------------------------------------------------------


def test_endless_body_stops_at_cap(server):
    server.route("/", lambda r: (200, HTML, itertools.repeat(b"<p>" + b"x" * 8192)))
    start = time.monotonic()
    with local(max_bytes=CAP) as fetcher, pytest.raises(TooLargeError, match="too large"):
        fetcher.fetch(server.url("/"))
    assert time.monotonic() - start < 5


def test_trickling_body_hits_total_timeout(server):
    def trickle(request):
        return 200, HTML, itertools.chain([b"<html>"], itertools.cycle([b"x", 0.25]))

    server.route("/", trickle)
    start = time.monotonic()
    with local(total_timeout=1.0, read_timeout=5.0) as fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(server.url("/"))
    elapsed = time.monotonic() - start
    assert "total_timeout" in str(info.value) and server.url("/") in str(info.value)
    assert 0.9 <= elapsed < 3


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_compression_bomb_stopped_at_cap_with_bounded_memory(server, request, encoding):
    bomb = request.getfixturevalue("gzip_bomb" if encoding == "gzip" else "brotli_bomb")
    assert len(bomb) < 300_000
    server.route("/", static(bomb, headers={**HTML, "Content-Encoding": encoding}))
    with local(max_bytes=CAP) as fetcher:
        tracemalloc.start()
        try:
            with pytest.raises(TooLargeError):
                fetcher.fetch(server.url("/"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 16 * CAP  # nowhere near the 256 MB the bomb inflates to


def test_lying_content_length(server):
    server.route("/", static(PAGE, headers={**HTML, "Content-Length": str(len(PAGE) + 1000)}))
    with local() as fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(server.url("/"))
    assert "connection closed mid-body" in str(info.value) and "\n" not in str(info.value)


def test_connection_reset_mid_body_is_retried_then_fails(server):
    server.route("/", lambda r: (200, {**HTML, "Content-Length": "100000"}, [b"<html>" + b"x" * 5000, RESET]))
    with local(retries=1) as fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(server.url("/"))
    assert "mid-body" in str(info.value) and server.url("/") in str(info.value)
    assert server.hits("/") == 2 and len(fetcher.waits) == 1


def test_connection_refused_is_a_fetch_error():
    with socket.socket() as sock:  # a port that was just free and now is closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with local() as fetcher, pytest.raises(FetchError, match="connection failed"):
        fetcher.fetch(f"http://127.0.0.1:{port}/")


# -- redirects ----------------------------------------------------------------------------------------


def test_redirect_chain_on_real_server(server):
    server.route("/a", redirect("/b", status=301))
    server.route("/b", redirect(server.url("/c"), status=307))
    server.route("/c", static(PAGE, headers=HTML))
    with local() as fetcher:
        page = fetcher.fetch(server.url("/a"))
    assert page.final_url == server.url("/c") and page.url == server.url("/a")


def test_redirect_loop(server):
    server.route("/a", redirect("/b"))
    server.route("/b", redirect("/a"))
    server.route("/self", redirect("/self"))
    with local() as fetcher:
        with pytest.raises(FetchError, match="redirect loop"):
            fetcher.fetch(server.url("/a"))
        with pytest.raises(FetchError, match="redirect loop"):
            fetcher.fetch(server.url("/self"))
    assert server.hits("/a") == 1 and server.hits("/self") == 1


def test_redirect_to_file_scheme(server):
    server.route("/", redirect("file:///etc/passwd"))
    with local() as fetcher, pytest.raises(BlockedError, match="scheme 'file'"):
        fetcher.fetch(server.url("/"))


def test_redirect_hop_to_link_local_refused(server):
    """An allowed server redirects to the cloud metadata address, by number and by name."""
    server.route("/number", redirect("http://169.254.169.254/latest/meta-data/"))
    server.route("/name", redirect("http://metadata.test/latest/meta-data/"))
    names = {"metadata.test": "169.254.169.254"}

    def resolver(host, port):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (names.get(host, host), port))]

    with Fetcher(FetchConfig(allow_private=True, retries=0), resolver=resolver) as fetcher:
        for path in ("/number", "/name"):
            with pytest.raises(BlockedError, match="link-local address 169.254.169.254"):
                fetcher.fetch(server.url(path))


# -- rate limits, TLS -----------------------------------------------------------------------------------


def test_429_with_long_retry_after_is_skipped_fast(server):
    server.route("/", static(b"slow down", status=429, headers={"Retry-After": "86400"}))
    start = time.monotonic()
    with local(retries=3) as fetcher, pytest.raises(HTTPStatusError, match="rate-limited") as info:
        fetcher.fetch(server.url("/"))
    assert info.value.status == 429 and "86400" in str(info.value)
    assert fetcher.waits == [] and server.hits("/") == 1 and time.monotonic() - start < 2


def test_503_retry_after_waits_requested(server):
    server.route("/", static(b"busy", status=503, headers={"Retry-After": "2"}))
    with local(retries=2) as fetcher, pytest.raises(HTTPStatusError):
        fetcher.fetch(server.url("/"))
    assert fetcher.waits == [2.0, 2.0] and server.hits("/") == 3


@pytest.fixture(scope="module")
def tls_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def https_server(tls_ca) -> Iterator[LocalServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls_ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    with LocalServer({"/": static(PAGE, headers=HTML)}, ssl_context=context) as server:
        yield server


def test_self_signed_tls_refused(https_server):
    with local(retries=2) as fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(https_server.url("/"))
    assert "TLS certificate verify failed" in str(info.value) and https_server.url("/") in str(info.value)
    assert fetcher.waits == []  # a bad certificate is not retried


def test_tls_works_with_a_trusted_ca(https_server, tls_ca, tmp_path):
    """Control for the test above: the same server is fine once its CA is trusted."""
    bundle = tmp_path / "ca.pem"
    tls_ca.cert_pem.write_to_path(str(bundle))
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would replace our bundle
    session.verify = str(bundle)
    with Fetcher(FetchConfig(allow_private=True, retries=0), session=session) as fetcher:
        assert fetcher.fetch(https_server.url("/")).content == PAGE
    session.close()


def test_verify_false_session_is_overridden(https_server):
    session = requests.Session()
    session.verify = False
    with (
        Fetcher(FetchConfig(allow_private=True, retries=0), session=session) as fetcher,
        pytest.raises(FetchError, match="TLS certificate verify failed"),
    ):
        fetcher.fetch(https_server.url("/"))
    session.close()


# -- network safety -------------------------------------------------------------------------------------

DEFAULT = AddressPolicy()
PRIVATE = AddressPolicy(allow_private=True)
LINK_LOCAL = AddressPolicy(allow_link_local=True)
BOTH = AddressPolicy(allow_private=True, allow_link_local=True)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.1.2.3",
        "::1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",
        "100.127.255.254",
        "fd00::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::1",
        "64:ff9b::a00:1",
    ],
)
def test_private_and_loopback_refused_by_default_allowed_by_switch(address):
    with pytest.raises(BlockedError):
        check_ip(address, DEFAULT)
    check_ip(address, PRIVATE)


@pytest.mark.parametrize(
    "address", ["169.254.169.254", "169.254.0.1", "fe80::1", "fe80::1%1", "::ffff:169.254.169.254"]
)
def test_link_local_needs_its_own_switch(address):
    for policy in (DEFAULT, PRIVATE):
        with pytest.raises(BlockedError, match="link-local"):
            check_ip(address, policy)
    check_ip(address, LINK_LOCAL)


@pytest.mark.parametrize(
    "address",
    [
        "0.0.0.0",
        "::",
        "224.0.0.1",
        "ff02::1",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "198.18.0.1",
        "0.1.2.3",
        "::ffff:0.0.0.0",
    ],
)
def test_never_allowed(address):
    with pytest.raises(BlockedError):
        check_ip(address, BOTH)


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "8.8.8.8", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:8.8.8.8"]
)
def test_public_addresses_allowed(address):
    check_ip(address, DEFAULT)


@pytest.mark.parametrize(
    "host",
    [
        "0x7f000001",
        "2130706433",
        "0177.0.0.1",
        "127.1",
        "0x7f.0.0.1",
        "[::1]",
        "[::ffff:7f00:1]",
        "localhost",
        "LOCALHOST.",
        "a.localhost",
        "017700000001",
        "0xa9fea9fe",
    ],
)
def test_numeric_and_local_host_forms_refused(host):
    with pytest.raises(BlockedError):
        check_literal_host(host, DEFAULT)


def test_names_left_to_connect_time_check():
    check_literal_host("example.com", DEFAULT)  # no DNS here; SafeAdapter checks at connect time


def test_every_resolved_address_is_checked():
    def resolver(host, port):  # a public and a private answer: refuse, whatever order is used
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in ("93.184.216.34", "10.0.0.5")
        ]

    with pytest.raises(BlockedError, match=r"private address 10\.0\.0\.5 \(resolved from rebind\.test\)"):
        resolve_checked("rebind.test", 80, DEFAULT, resolver)


def test_real_resolver_numeric_forms():
    infos = resolve_checked("0x08080808", 80, DEFAULT)
    assert {info[4][0] for info in infos} == {"8.8.8.8"}
    with pytest.raises(BlockedError):
        resolve_checked("2130706433", 80, DEFAULT)


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "0x7f000001", "2130706433", "0177.0.0.1", "127.1"]
)
def test_fetcher_refuses_local_server_by_default(server, host):
    server.route("/", static(PAGE, headers=HTML))
    with Fetcher(FetchConfig(retries=3), sleep=pytest.fail) as fetcher, pytest.raises(BlockedError):
        fetcher.fetch(f"http://{host}:{server.port}/")
    assert server.requests == []


def test_name_resolving_to_loopback_refused_at_connect_time(server):
    """A name (not caught by the literal pre-check) that resolves to 127.0.0.1 is refused by the adapter."""
    server.route("/", static(PAGE, headers=HTML))

    def resolver(host, port):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    refused = r"loopback address 127\.0\.0\.1 \(resolved from evil\.test\)"
    with (
        Fetcher(FetchConfig(retries=0), resolver=resolver) as fetcher,
        pytest.raises(BlockedError, match=refused),
    ):
        fetcher.fetch(f"http://evil.test:{server.port}/")
    assert server.requests == []


def test_connection_is_pinned_to_checked_address_keeping_host_header(server):
    """``site.test`` exists only in our resolver: success proves the socket went to the checked address."""
    server.route("/", static(PAGE, headers=HTML))

    def resolver(host, port):
        assert host == "site.test"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    with Fetcher(FetchConfig(allow_private=True, retries=0), resolver=resolver) as fetcher:
        page = fetcher.fetch(f"http://site.test:{server.port}/")
    assert page.content == PAGE
    assert server.requests[0].headers["Host"] == f"site.test:{server.port}"
