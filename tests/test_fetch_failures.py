"""Fetch failures as types (DNS, connect, timeout, TLS, robots), the total_timeout over headers, one stderr line."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scraper.cli import main
from scraper.config import FetchConfig
from scraper.errors import (
    BlockedError,
    ConnectError,
    DNSError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    RobotsRefusal,
    TLSError,
)
from scraper.fetch import Fetcher
from tests.servers import LocalServer, static
from tests.servers import local_fetcher as local

HTML = {"Content-Type": "text/html; charset=utf-8"}
PAGE = b"<!doctype html><html><body><p>ok</p></body></html>"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_kinds_are_classes_with_retry_policy_declared() -> None:
    for cls in (DNSError, ConnectError, FetchTimeout, TLSError, RobotsRefusal):
        assert issubclass(cls, FetchError)
    assert issubclass(RobotsRefusal, BlockedError)
    assert issubclass(FetchTimeout, TimeoutError)  # like requests' Timeout: also the builtin kind
    assert ConnectError.retryable and FetchTimeout.retryable
    assert not DNSError.retryable and not TLSError.retryable and not RobotsRefusal.retryable
    assert FetchError.retry_after is None
    assert {cls.kind for cls in (DNSError, ConnectError, FetchTimeout, TLSError, RobotsRefusal)} == {
        "dns",
        "connect",
        "timeout",
        "tls",
        "robots",
    }
    assert HTTPStatusError("HTTP 503", status=503).kind == "http_503"


def test_unresolvable_host_is_a_dns_error(server) -> None:
    def resolver(host, port):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with (
        Fetcher(FetchConfig(retries=2), resolver=resolver, sleep=pytest.fail) as fetcher,
        pytest.raises(DNSError, match="cannot resolve host nowhere.test"),
    ):
        fetcher.fetch("http://nowhere.test/a")


def test_refused_connection_is_a_connect_error() -> None:
    with local() as fetcher, pytest.raises(ConnectError, match="connection failed"):
        fetcher.fetch(f"http://127.0.0.1:{closed_port()}/")


def test_tls_handshake_failure_is_a_tls_error(server) -> None:
    server.route("/", static(PAGE, headers=HTML))
    with local() as fetcher, pytest.raises(TLSError, match="TLS"):
        fetcher.fetch(f"https://127.0.0.1:{server.port}/")  # TLS to a plain-HTTP server


def test_slow_body_is_a_timeout(server) -> None:
    server.route("/", lambda r: (200, HTML, [b"<html>", 1.5, b"</html>"]))
    with local(read_timeout=0.3) as fetcher, pytest.raises(FetchTimeout, match="timed out"):
        fetcher.fetch(server.url("/"))


# -- item 7: total_timeout bounds the headers too ---------------------------------------------------


class TricklingHeaders:
    """A raw server on 127.0.0.1 sending its status line and headers one byte every ``gap`` seconds."""

    RESPONSE = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Padding: " + b"p" * 200 + b"\r\n"
        b"Content-Length: 51\r\n\r\n" + PAGE
    )

    def __init__(self, gap: float = 0.05) -> None:
        self.gap = gap
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        self.sock.settimeout(0.1)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            for i in range(len(self.RESPONSE)):
                if self.stop.is_set():
                    return
                try:
                    conn.sendall(self.RESPONSE[i : i + 1])
                except OSError:
                    return  # the client gave up, as it should
                time.sleep(self.gap)

    def __enter__(self) -> TricklingHeaders:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.sock.close()


def test_total_timeout_bounds_a_trickled_status_line_and_headers() -> None:
    with TricklingHeaders(gap=0.05) as srv, local(total_timeout=1.0, read_timeout=5.0) as fetcher:
        url = f"http://127.0.0.1:{srv.port}/"
        start = time.monotonic()
        with pytest.raises(FetchTimeout) as info:
            fetcher.fetch(url)
        elapsed = time.monotonic() - start
    # the whole response would take 0.05 s x ~300 bytes = 15 s; each byte is far inside read_timeout
    assert "total_timeout 1 s" in str(info.value) and url in str(info.value)
    assert 0.9 <= elapsed < 2.0, elapsed


def test_total_timeout_leaves_fast_responses_alone(server) -> None:
    server.route("/", static(PAGE, headers=HTML))
    with local(total_timeout=1.0) as fetcher:
        for _ in range(3):
            assert fetcher.fetch(server.url("/")).status == 200
        time.sleep(1.2)  # a watchdog left armed would now break the next request
        assert fetcher.fetch(server.url("/")).status == 200


# -- item 8: one stderr line per failed input ----------------------------------------------------------


def _config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "c.toml"
    path.write_text(text)
    return str(path)


def test_retried_failure_gives_one_stderr_line_naming_the_cause(server, tmp_path, capsys) -> None:
    server.route("/busy", static(b"busy", status=503))
    config = _config(
        tmp_path, "[fetch]\nallow_private = true\nretries = 2\nbackoff_base = 0.01\nbackoff_max = 0.02\n"
    )
    assert main(["extract", server.url("/busy"), "-c", config]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    assert "HTTP 503 Service Unavailable" in lines[0] and "3 attempts" in lines[0]
    assert server.hits("/busy") == 3
    # with -v the retries are there, at INFO
    assert main(["extract", server.url("/busy"), "-c", config, "-v"]) == 1
    err = capsys.readouterr().err
    assert err.count("INFO: retry") == 2


def test_loopback_refusal_names_the_switch(server, capsys) -> None:
    server.route("/", static(PAGE, headers=HTML))
    assert main(["extract", server.url("/"), "-c", "/dev/null"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "loopback address 127.0.0.1" in lines[0] and "--allow-private" in lines[0]
    assert server.requests == []
