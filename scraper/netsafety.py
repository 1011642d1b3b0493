"""Network safety: refuse to fetch from addresses a public web scraper has no business reaching.

A URL handed to the scraper (or a redirect it follows) could point at the machine itself, the local
network or a cloud metadata service (169.254.169.254). By default every address a host resolves to must
be public: loopback, private (RFC 1918, fc00::/7), CGNAT (100.64.0.0/10), link-local, multicast,
unspecified and reserved addresses are refused, including their IPv4-mapped, 6to4 and NAT64 IPv6 forms
and numeric spellings such as ``0x7f000001``, ``2130706433`` or ``0177.0.0.1`` (the resolver turns those
into ordinary addresses, which are then checked).

The check is made where the connection is opened: ``SafeAdapter`` installs urllib3 connection classes
that resolve the host once, check *every* resolved address, and then connect to one of those checked
addresses, while the Host header and TLS SNI/certificate check still use the host name. There is thus
no window between check and connect for DNS rebinding. Residual risks: a proxy configured on a
caller-supplied session is not checked (the Fetcher's own session ignores proxy environment variables),
and a kept-alive connection is reused without a second lookup (it was checked when opened).

The same connections carry the fetcher's wall-clock deadline (``ExchangeDeadline``): from the moment the
response is awaited, a timer shuts the socket down when the deadline passes, so a server trickling its
status line and headers a byte at a time cannot hold a worker past ``total_timeout`` (http.client reads
headers with per-read timeouts only).
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import allowed_gai_family, create_connection

from .errors import BlockedError

log = logging.getLogger(__name__)

__all__ = [
    "AddressPolicy",
    "AddressRefused",
    "DeadlinePassed",
    "ExchangeDeadline",
    "SafeAdapter",
    "check_ip",
    "check_literal_host",
    "resolve_checked",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddrInfo = tuple[Any, ...]  # (family, type, proto, canonname, sockaddr), as from socket.getaddrinfo
Resolver = Callable[[str, int], Sequence[AddrInfo]]

# Ranges allowed by ``allow_private`` besides loopback. CGNAT is not "private" to the ipaddress module
# but reaches the operator's network all the same.
_PRIVATE_NETS = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7", "fec0::/10")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which non-public address ranges may be reached."""

    allow_private: bool = False  # loopback, RFC 1918, fc00::/7, CGNAT
    allow_link_local: bool = False  # 169.254.0.0/16, fe80::/10 (cloud metadata services live there)


class AddressRefused(Exception):  # noqa: N818 - deliberately not an OSError, see SafeAdapter
    """Raised inside the transport when a connection would reach a refused address.

    It is not an ``OSError`` so that urllib3 and requests let it through unwrapped; the Fetcher turns it
    into a ``BlockedError`` naming the URL.
    """


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address carried by an IPv4-mapped, 6to4 or NAT64 IPv6 address, if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _refusal(ip: IPAddress, policy: AddressPolicy) -> str | None:
    """Why ``ip`` is refused under ``policy``, or None when it may be reached."""
    if isinstance(ip, ipaddress.IPv6Address):
        v4 = _embedded_v4(ip)
        if v4 is not None:
            reason = _refusal(v4, policy)
            return f"{reason} (embedded in {ip})" if reason else None
    if ip.is_unspecified:
        return "unspecified address"
    if ip.is_multicast:
        return "multicast address"
    if ip.is_loopback:
        return None if policy.allow_private else "loopback address"
    if ip.is_link_local:
        return None if policy.allow_link_local else "link-local address"
    if any(ip in net for net in _PRIVATE_NETS if net.version == ip.version):
        return None if policy.allow_private else "private address"
    if not ip.is_global:
        return "reserved address"
    return None


def _switch_for(ip: IPAddress, policy: AddressPolicy) -> str | None:
    """The setting that would allow ``ip``, for the error message (None: nothing allows it)."""
    if _refusal(ip, AddressPolicy(allow_private=True, allow_link_local=policy.allow_link_local)) is None:
        return "--allow-private (fetch.allow_private) allows it"
    if _refusal(ip, AddressPolicy(allow_private=policy.allow_private, allow_link_local=True)) is None:
        return "fetch.allow_link_local allows it"
    return None


def check_ip(address: str, policy: AddressPolicy, *, host: str | None = None) -> None:
    """Raise ``BlockedError`` if the IP address ``address`` (a literal, resolved from ``host``) may not be reached.

    The message names the setting that would allow the address, if there is one.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError as exc:
        raise BlockedError(f"not an IP address: {address!r}") from exc
    reason = _refusal(ip, policy)
    if reason:
        origin = f" (resolved from {host})" if host else ""
        switch = _switch_for(ip, policy)
        raise BlockedError(f"refused to connect to {reason} {ip}{origin}" + (f"; {switch}" if switch else ""))


def _default_resolver(host: str, port: int) -> Sequence[AddrInfo]:
    return socket.getaddrinfo(host, port, allowed_gai_family(), socket.SOCK_STREAM)


def resolve_checked(
    host: str, port: int, policy: AddressPolicy, resolver: Resolver | None = None
) -> list[AddrInfo]:
    """Resolve ``host`` and check every address; return the address infos to connect to.

    Raises ``BlockedError`` if any resolved address is refused (a host that resolves to one public and
    one private address is refused: the resolver's order is not ours to trust), ``socket.gaierror``
    when the name does not resolve.
    """
    host = host.strip("[]")
    infos = list((resolver or _default_resolver)(host, port))
    for info in infos:
        check_ip(str(info[4][0]), policy, host=host)
    return infos


def check_literal_host(host: str, policy: AddressPolicy) -> None:
    """Check a host without DNS: numeric forms (``127.1``, ``0x7f000001``, ``[::1]``) and ``localhost``.

    Host names are left to the connection-time check of ``SafeAdapter``; this early check gives a clear
    error before any request and works with transports that never open a socket (test mocks).
    """
    host = host.strip("[]").rstrip(".").lower()
    if not host:
        return
    if host == "localhost" or host.endswith(".localhost"):  # RFC 6761: always loopback
        if not policy.allow_private:
            raise BlockedError(
                f"refused to connect to loopback host {host}; --allow-private (fetch.allow_private) allows it"
            )
        return
    try:
        infos = socket.getaddrinfo(host, None, 0, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError, ValueError):
        return  # a name, not a number
    for info in infos:
        check_ip(str(info[4][0]), policy)


class DeadlinePassed(Exception):  # noqa: N818 - not an OSError, so urllib3 and requests let it through
    """Raised inside the transport when the response did not arrive before the exchange's deadline."""


class ExchangeDeadline:
    """Per-thread wall-clock deadline of the current exchange, enforced on the socket by a timer.

    ``set(deadline)`` before sending a request; the connection arms a timer when it starts reading the
    response; ``clear()`` once the response (body included) is read or abandoned disarms it.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    def set(self, deadline: float | None) -> None:
        """The monotonic time by which this thread's exchange must end (None: no deadline)."""
        self.clear()
        self._local.deadline = deadline

    def clear(self) -> None:
        """Disarm the timer, if any, and forget the deadline."""
        timer = getattr(self._local, "timer", None)
        if timer is not None:
            timer.cancel()
        self._local.timer = None
        self._local.deadline = None

    def arm(self, sock: socket.socket) -> threading.Event | None:
        """Start the timer on ``sock``; returns the event set when it fires (None: no deadline)."""
        deadline = getattr(self._local, "deadline", None)
        if deadline is None:
            return None
        previous = getattr(self._local, "timer", None)
        if previous is not None:  # a redirect hop: the previous response is finished
            previous.cancel()
        fired = threading.Event()

        def cut() -> None:
            fired.set()
            with contextlib.suppress(OSError):  # the base method: on a TLS socket, cut the TCP stream
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

        timer = threading.Timer(max(0.0, deadline - time.monotonic()), cut)
        timer.daemon = True
        timer.start()
        self._local.timer = timer
        return fired


class _PinnedConnectionMixin:
    """urllib3 connection that connects only to resolved-and-checked addresses (see module docstring)."""

    policy: AddressPolicy = AddressPolicy()
    resolver: Resolver | None = None
    deadline: ExchangeDeadline | None = None
    sock: Any
    # provided by urllib3's HTTPConnection
    _dns_host: str
    host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        try:
            infos = resolve_checked(self._dns_host, self.port, self.policy, type(self).resolver)
        except BlockedError as exc:
            raise AddressRefused(str(exc)) from None
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc  # type: ignore[arg-type]
        last: OSError | None = None
        for info in infos:
            address = str(info[4][0])
            try:
                return create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except OSError as exc:  # socket.timeout included
                last = exc
        if isinstance(last, TimeoutError):
            raise ConnectTimeoutError(
                self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
            ) from last
        raise NewConnectionError(self, f"Failed to establish a new connection: {last}") from last  # type: ignore[arg-type]

    def getresponse(self) -> Any:
        """urllib3's ``getresponse``, cut short (``DeadlinePassed``) when the exchange's deadline passes."""
        fired = self.deadline.arm(self.sock) if self.deadline is not None and self.sock is not None else None
        try:
            response = super().getresponse()  # type: ignore[misc]
        except BaseException:
            if fired is not None and fired.is_set():
                raise DeadlinePassed("deadline passed while reading the status line and headers") from None
            raise
        if fired is not None and fired.is_set():
            response.close()
            raise DeadlinePassed("deadline passed while reading the status line and headers")
        return response


class SafeAdapter(HTTPAdapter):
    """A requests adapter whose connections are checked against an ``AddressPolicy`` and pinned.

    ``resolver(host, port)`` returns ``socket.getaddrinfo``-style tuples; tests inject one to map
    names to local addresses.
    """

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        resolver: Resolver | None = None,
        deadline: ExchangeDeadline | None = None,
        **kwargs: Any,
    ) -> None:
        self.policy = policy
        self.resolver = resolver
        self.deadline = deadline
        super().__init__(**kwargs)  # calls init_poolmanager

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        """Set up the pool manager with pinned, checked connection classes."""
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        attrs = {
            "policy": self.policy,
            "resolver": staticmethod(self.resolver) if self.resolver else None,
            "deadline": self.deadline,
        }
        http_conn = type("PinnedHTTPConnection", (_PinnedConnectionMixin, HTTPConnection), attrs)
        https_conn = type("PinnedHTTPSConnection", (_PinnedConnectionMixin, HTTPSConnection), attrs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("PinnedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("PinnedHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
        }
