"""Downloader middleware that refuses to fetch private, loopback and link-local addresses.

A public outlet must not make the crawler fetch the archivist's own network:
a link or a redirect to ``http://10.0.0.1/``, ``http://localhost/admin`` or the
cloud metadata service ``http://169.254.169.254/`` (server-side request
forgery). Every request (redirects and robots.txt included: they pass through
the downloader middlewares again) has its host resolved (``socket.getaddrinfo``
in a thread; an IP literal is taken as is) and is refused with
:class:`AddressRefused` (an ``IgnoreRequest``) before any connection when one
of its addresses is not public. After the download the peer address the
connection really used is checked too, which catches a name that resolved
differently the second time (DNS rebinding); that response is dropped.

Setting ``ARCHIVER_ALLOW_PRIVATE_ADDRESSES``:

* ``False`` (default): only public (global) addresses are fetched;
* ``True``: loopback and private networks are allowed too (the demo and the
  tests crawl 127.0.0.1), link-local and the metadata service still are not;
* a list of networks (``["127.0.0.0/8", "::1/128"]``): exactly these are
  allowed besides public addresses.

Stats: ``archiver/address_guard/refused`` and
``archiver/address_guard/refused/<kind>`` (loopback, unspecified, private,
link_local, metadata, reserved). Order: 60, after OffsiteMiddleware (no lookups for
hosts outside the outlet) and before robots.txt is fetched.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from typing import Any, Iterable
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import threads

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Cloud metadata endpoints (AWS/GCP/Azure/OpenStack, AWS IPv6, Alibaba).
METADATA = {ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")}
#: What ``ARCHIVER_ALLOW_PRIVATE_ADDRESSES = True`` opens: loopback and private ranges, nothing link-local.
LOCAL_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "127.0.0.0/8",
        "::1/128",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "fc00::/7",
    )
)
HINT = (
    "set ARCHIVER_ALLOW_PRIVATE_ADDRESSES (true, or a list of networks) to crawl a server on your own network"
)


class AddressRefused(IgnoreRequest):
    """A request to a non-public address, refused before any connection."""


def address_kind(ip: IPAddress) -> str | None:
    """Why ``ip`` is not fetched by default (a stats key), or None for a public address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA:
        return "metadata"
    if ip.is_loopback:
        return "loopback"
    if ip.is_unspecified:  # 0.0.0.0 / :: reach this machine on Linux
        return "unspecified"
    if ip.is_link_local:
        return "link_local"
    if ip.is_multicast:
        return "reserved"
    if ip.is_global:
        return None
    if ip.is_private:
        return "private"
    return "reserved"  # shared (100.64/10), documentation and other special ranges


def parse_allowed(value: Any) -> tuple[Network, ...]:
    """The networks a setting value opens: False/None -> (), True -> LOCAL_NETWORKS, a list -> those."""
    if value in (None, False, "", "false", "False", "0", 0):
        return ()
    if value in (True, "true", "True", "1", 1):
        return LOCAL_NETWORKS
    items: Iterable[Any] = value.split(",") if isinstance(value, str) else value
    try:
        return tuple(ipaddress.ip_network(str(item).strip(), strict=False) for item in items)
    except ValueError as exc:
        raise ValueError(
            f"ARCHIVER_ALLOW_PRIVATE_ADDRESSES: {exc}; give true/false or a list of "
            "networks like ['127.0.0.0/8']"
        ) from None


class AddressGuardMiddleware:
    """Refuse non-public destinations unless the setting allows them (see module docstring)."""

    def __init__(self, crawler: Any, allowed: tuple[Network, ...]) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.allowed = allowed
        self._cache: dict[tuple[str, int], list[IPAddress]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> "AddressGuardMiddleware":
        return cls(crawler, parse_allowed(crawler.settings.get("ARCHIVER_ALLOW_PRIVATE_ADDRESSES", False)))

    def refusal(self, ip: IPAddress) -> str | None:
        """The kind of address ``ip`` is if it must be refused, else None."""
        kind = address_kind(ip)
        if kind is None:
            return None
        plain = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip
        if any(plain.version == net.version and plain in net for net in self.allowed):
            return None
        return kind

    async def _resolve(self, host: str, port: int) -> list[IPAddress]:
        try:
            return [ipaddress.ip_address(host.strip("[]"))]
        except ValueError:
            pass
        key = (host, port)
        if key not in self._cache:
            try:
                infos = await maybe_deferred_to_future(
                    threads.deferToThread(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
                )
            except OSError:
                return []  # let the download fail and be archived as a DNS error
            self._cache[key] = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        return self._cache[key]

    def _refuse(self, request: Request, host: str, ip: IPAddress, kind: str, when: str) -> AddressRefused:
        self.stats.inc_value("archiver/address_guard/refused")
        self.stats.inc_value(f"archiver/address_guard/refused/{kind}")
        where = f"{host} is" if when == "is" else f"{host} {when} {ip},"
        message = f"refused {request.url}: {where} a {kind.replace('_', '-')} address; {HINT}"
        logger.warning(message)
        return AddressRefused(message)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        port = parts.port or (443 if parts.scheme == "https" else 80)
        for ip in await self._resolve(parts.hostname, port):
            kind = self.refusal(ip)
            if kind:
                when = "is" if str(ip) == parts.hostname.strip("[]") else "resolves to"
                raise self._refuse(request, parts.hostname, ip, kind, when)
        return None

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        """Drop a response that came from a refused address after all (DNS rebinding)."""
        if response.ip_address is None:
            return response
        ip = ipaddress.ip_address(str(response.ip_address))
        kind = self.refusal(ip)
        if kind:
            raise self._refuse(request, urlsplit(request.url).hostname or "?", ip, kind, "connected to")
        return response
