"""Webhook transport: check a callback URL, vet every address it resolves to, POST to a vetted one."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2048
TIMEOUT_SECONDS = 10.0
_DRAIN_BYTES = 64 * 1024


class Refused(Exception):
    """The callback address is not one this service calls; no request was made."""


def url_problem(url: str) -> str | None:
    """What makes `url` unusable as a callback address ('must ...'), or None when it is fine."""
    if len(url) > MAX_URL_LENGTH:
        return f"must be at most {MAX_URL_LENGTH} characters"
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
        return "must not contain spaces or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number or out of range)
    except ValueError:
        return "must be a valid http:// or https:// URL"
    if parts.scheme not in ("http", "https"):
        return "must be an http:// or https:// URL"
    if not parts.hostname:
        return "must name a host"
    if parts.username is not None or parts.password is not None:
        return "must not carry a user name or password"
    return None


def address_refused(address: str, allow_private: bool) -> bool:
    """Whether this service must not connect to IP `address`.

    Without `allow_private`, only globally routable unicast addresses are
    called: loopback, private, link-local (cloud metadata), shared, reserved
    and multicast ranges are refused, and an IPv6 form that carries an IPv4
    address (mapped, compatible, translated, NAT64, 6to4, Teredo) is judged
    by the IPv4 address it reaches.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        ip = embedded_ipv4(ip) or ip
    if ip.is_multicast or ip.is_unspecified:
        return True
    return not allow_private and not ip.is_global


# IPv6 prefixes whose last 32 bits are an IPv4 address the packet reaches.
_IPV4_CARRIERS = (
    ipaddress.IPv6Network("::/96"),  # IPv4-compatible (deprecated): ::7f00:1
    ipaddress.IPv6Network("::ffff:0:0:0/96"),  # IPv4-translated (SIIT): ::ffff:0:7f00:1
    ipaddress.IPv6Network("64:ff9b::/96"),  # NAT64, well-known prefix
    ipaddress.IPv6Network("64:ff9b:1::/48"),  # NAT64, local use
)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 transition form reaches, or None for a plain IPv6 address."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in (ipaddress.IPv6Address("::"), ipaddress.IPv6Address("::1")):
        return None
    if any(ip in network for network in _IPV4_CARRIERS):
        return ipaddress.IPv4Address(ip.packed[-4:])
    return None


def literal_refused(host: str, allow_private: bool) -> bool:
    """Whether `host` is an IP address literal that `address_refused` refuses (names are checked on delivery)."""
    try:
        return address_refused(host, allow_private)
    except ValueError:
        return False


def vetted_addresses(host: str, port: int, allow_private: bool) -> list[str]:
    """Every address `host` resolves to, or `Refused` if any one of them is refused."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        if address_refused(address, allow_private):
            raise Refused(f"{host} resolves to {address}, a private, loopback or link-local address")
    return addresses


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256, in hex, of `timestamp`, a dot and the exact body bytes."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def post(url: str, body: bytes, headers: dict[str, str], allow_private: bool, timeout: float = TIMEOUT_SECONDS) -> int:
    """POST `body` to `url` on a vetted address; return the HTTP status (redirects are not followed)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    addresses = vetted_addresses(host, port, allow_private)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    error: OSError | None = None
    for address in addresses:
        connection: http.client.HTTPConnection
        if https:
            connection = _PinnedHTTPSConnection(host, port, address, timeout)
        else:
            connection = _PinnedHTTPConnection(host, port, address, timeout)
        try:
            connection.connect()
        except OSError as exc:
            error = exc
            connection.close()
            continue
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read(_DRAIN_BYTES)
            return response.status
        finally:
            connection.close()
    raise error or OSError(f"no address to connect to for {host}")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to the address that was vetted, whatever the name resolves to a moment later."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the vetted address, with the certificate checked against the URL's host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)
