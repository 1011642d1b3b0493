"""A threaded HTTP(S) test server on 127.0.0.1, with a route table of plain functions.

Routes map a path (without the query) to a handler ``handler(request) -> (status, headers, body)``:

* ``headers`` is a mapping or a list of ``(name, value)`` pairs, sent as given;
* ``body`` is ``bytes`` (a Content-Length is added unless the headers set one), or an iterable of
  pieces sent one by one and flushed: ``bytes`` are written, a number sleeps that many seconds, and
  ``RESET`` aborts the connection with a TCP reset. Without a Content-Length the body ends when the
  connection closes. Every response carries ``Connection: close``.

Use ``LocalServer`` as a context manager, or the ``http_server`` pytest fixture (register it with
``pytest_plugins = ["tests.servers"]`` in the top-level ``conftest.py``, or wrap ``LocalServer`` in a
fixture of your own: importing the fixture by name makes ruff report F811)::

    from tests.servers import LocalServer, static

    def test_x():
        with LocalServer({"/": static(b"<html>hi</html>", headers={"Content-Type": "text/html"})}) as server:
            fetch(server.url("/"))   # e.g. with FetchConfig(allow_private=True)

Requests received are recorded in ``server.requests`` (method, path, query, headers).
"""

from __future__ import annotations

import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

from scraper.config import FetchConfig
from scraper.fetch import Fetcher

__all__ = ["RESET", "LocalServer", "Request", "http_server", "redirect", "static"]

RESET = object()  # in a body iterable: abort the connection (TCP RST)

Headers = Mapping[str, str] | list[tuple[str, str]]
Body = bytes | Iterable[Any]
Handler = Callable[["Request"], tuple[int, Headers, Body]]


@dataclass(frozen=True)
class Request:
    """What the server received."""

    method: str
    path: str
    query: str
    headers: Message = field(repr=False)


def static(body: bytes, *, status: int = 200, headers: Headers | None = None) -> Handler:
    """A handler that always answers ``status``, ``headers`` and ``body``."""
    return lambda request: (status, headers or {}, body)


def redirect(location: str, *, status: int = 302) -> Handler:
    """A handler that redirects to ``location``."""
    return lambda request: (status, {"Location": location}, b"")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
        pass

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        request = Request(self.command, parts.path, parts.query, self.headers)
        owner = self.server.owner
        with owner.lock:
            owner.requests.append(request)
            handler = owner.routes.get(parts.path)
        if handler is None:
            status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
        else:
            status, headers, body = handler(request)
        pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
        names = {name.lower() for name, _ in pairs}
        if isinstance(body, bytes | bytearray) and "content-length" not in names:
            pairs.append(("Content-Length", str(len(body))))
        if "connection" not in names:
            pairs.append(("Connection", "close"))
        self.close_connection = True
        try:
            self.send_response(status)
            for name, value in pairs:
                self.send_header(name, value)
            self.end_headers()
            if self.command == "HEAD":
                return
            self._write_body(body)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, TimeoutError):
            pass  # the client hung up, as fetchers under test are meant to

    def _write_body(self, body: Body) -> None:
        if isinstance(body, bytes | bytearray):
            self.wfile.write(body)
            return
        for piece in body:
            if piece is RESET:
                self.wfile.flush()
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                return
            if isinstance(piece, int | float):
                time.sleep(piece)
                continue
            self.wfile.write(piece)
            self.wfile.flush()

    do_GET = do_HEAD = do_POST = _dispatch  # noqa: N815


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: LocalServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # hostile handlers end connections abruptly on purpose


class LocalServer:
    """An HTTP(S) server on 127.0.0.1, port chosen by the OS, serving ``routes`` from a thread."""

    def __init__(
        self, routes: Mapping[str, Handler] | None = None, *, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self.routes: dict[str, Handler] = dict(routes or {})
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        if ssl_context is not None:
            self._server.socket = ssl_context.wrap_socket(self._server.socket, server_side=True)
        self.scheme = "https" if ssl_context is not None else "http"
        self.host = "127.0.0.1"
        self.port: int = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``scheme://127.0.0.1:port``."""
        return f"{self.scheme}://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server."""
        return self.base_url + path

    def route(self, path: str, handler: Handler) -> None:
        """Serve ``path`` with ``handler`` (replacing any previous one)."""
        with self.lock:
            self.routes[path] = handler

    def hits(self, path: str) -> int:
        """How many requests ``path`` has received."""
        with self.lock:
            return sum(1 for r in self.requests if r.path == path)

    def start(self) -> LocalServer:
        """Start serving in a daemon thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket (handler threads still running are daemons)."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    """A started plain-HTTP ``LocalServer`` with no routes yet."""
    with LocalServer() as server:
        yield server


def local_fetcher(**options: Any) -> Fetcher:
    """A Fetcher allowed to reach 127.0.0.1, no retries unless asked, sleeps recorded (not slept) in ``.waits``."""
    options = {
        "allow_private": True,
        "retries": 0,
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
        "total_timeout": 5.0,
        **options,
    }
    waits: list[float] = []
    fetcher = Fetcher(FetchConfig(**options), sleep=waits.append)
    fetcher.waits = waits  # type: ignore[attr-defined]
    return fetcher
