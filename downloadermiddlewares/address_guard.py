"""Downloader middleware that refuses to fetch private, loopback and link-local addresses.

A public outlet must not make the crawler fetch the archivist's own network (server-side
request forgery): every request, redirects and robots.txt included, has its host
resolved and is refused with :class:`AddressRefused` before any connection when one of
its addresses is not public, and only http(s) passes at all. The checked address is
pinned for the download handler (DNS rebinding). ``ARCHIVER_ALLOW_PRIVATE_ADDRESSES``
opens loopback and private networks, never metadata addresses. The full rules, order,
stats: "Hostile web, faults and security" in ``docs/architecture.md``.
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

from archiver.defaults import DEFAULTS
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


#: The only schemes ever requested: file, ftp, s3 and data never reach the disk or the network.
FETCHED_SCHEMES = ("http", "https")
#: ``request.meta`` key: (host, port, address) the guard checked; the handler connects there.
PIN_META_KEY = "archiver_pinned_address"


class AddressRefused(IgnoreRequest):
    """A request to a non-public address, refused before any connection."""


_NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _rfc6052(ip: ipaddress.IPv6Address, prefix_len: int) -> ipaddress.IPv4Address:
    """The IPv4 address RFC 6052 embeds after a NAT64 prefix of ``prefix_len`` bits (bits 64-71 skipped)."""
    packed = ip.packed
    start = prefix_len // 8
    octets = [b for i, b in enumerate(packed[start:], start) if i != 8][:4]
    return ipaddress.IPv4Address(bytes(octets))


def embedded_ipv4(ip: IPAddress) -> list[ipaddress.IPv4Address]:
    """Every IPv4 address an IPv6 address can carry to its destination.

    IPv4-mapped (``::ffff:a.b.c.d``), IPv4-compatible (``::a.b.c.d``), 6to4
    (``2002:AABB:CCDD::``), Teredo (server and client) and NAT64 (the well-known
    ``64:ff9b::/96`` and the local-use ``64:ff9b:1::/48`` at every RFC 6052
    prefix length) all reach the IPv4 address inside them, so each is judged
    as that address too.
    """
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in _NAT64_WELL_KNOWN or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip in _NAT64_LOCAL:
        found.extend(_rfc6052(ip, n) for n in (48, 56, 64, 96))
    return found


def _plain_kind(ip: IPAddress) -> str | None:
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


#: Most to least serious: the kind reported when an address and its embedded IPv4 differ.
_SEVERITY = ("metadata", "link_local", "loopback", "unspecified", "private", "reserved")


def address_kind(ip: IPAddress) -> str | None:
    """Why ``ip`` is not fetched by default (a stats key), or None for a public address.

    An IPv6 address that carries an IPv4 address (see :func:`embedded_ipv4`)
    is judged by the worst of itself and what it carries, so
    ``64:ff9b::a9fe:a9fe`` is the metadata service, not a public address.
    """
    inner = embedded_ipv4(ip)
    kinds = [_plain_kind(x) for x in inner]
    if not inner:  # a translation form is judged by what it carries (a wrapped public address is public)
        kinds.append(_plain_kind(ip))
    named = [k for k in kinds if k is not None]
    if not named:
        return None
    return min(named, key=_SEVERITY.index)


def is_metadata(ip: IPAddress) -> bool:
    """True for a cloud metadata address, plain or wrapped in IPv6 (never allowed by any setting)."""
    return ip in METADATA or any(x in METADATA for x in embedded_ipv4(ip))


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


def refusal(ip: IPAddress, allowed: tuple[Network, ...]) -> str | None:
    """The kind of address ``ip`` is if it must be refused with ``allowed`` networks open, else None.

    Metadata addresses are refused before the allow list is read: no
    setting opens them, in any wrapping.
    """
    if is_metadata(ip):
        return "metadata"
    kind = address_kind(ip)
    if kind is None:
        return None
    plain = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip
    if any(plain.version == net.version and plain in net for net in allowed):
        return None
    return kind


def allowed_networks(settings: Any) -> tuple[Network, ...]:
    """The networks ``ARCHIVER_ALLOW_PRIVATE_ADDRESSES`` opens in these Scrapy settings."""
    return parse_allowed(
        settings.get("ARCHIVER_ALLOW_PRIVATE_ADDRESSES", DEFAULTS["ARCHIVER_ALLOW_PRIVATE_ADDRESSES"])
    )


def guard_policy(settings: Any) -> tuple[Network, ...] | None:
    """The allowed networks when the address guard is enabled in ``settings``, else None.

    The download handler and the capture middleware enforce the guard's
    policy on the peer of each connection (before anything is recorded) only
    in a crawl that has the guard: a project that leaves it out has chosen to
    fetch any address. Found by class name, wherever the module lives.
    """
    middlewares = settings.getwithbase("DOWNLOADER_MIDDLEWARES")
    for path, order in middlewares.items():
        name = path if isinstance(path, str) else getattr(path, "__name__", "")
        if order is not None and name.rsplit(".", 1)[-1] == "AddressGuardMiddleware":
            return allowed_networks(settings)
    return None


def refused(stats: Any, request: Request, host: str, ip: IPAddress, kind: str, when: str) -> AddressRefused:
    """Count, log and build the refusal of ``request`` (``when``: is / resolves to / connected to)."""
    stats.inc_value("archiver/address_guard/refused")
    stats.inc_value(f"archiver/address_guard/refused/{kind}")
    where = f"{host} is" if when == "is" else f"{host} {when} {ip},"
    message = f"refused {request.url}: {where} a {kind.replace('_', '-')} address; {HINT}"
    logger.warning(message)
    return AddressRefused(message)


class AddressGuardMiddleware:
    """Refuse non-public destinations unless the setting allows them.

    The rules: docs/architecture.md, "Hostile web, faults and security".
    """

    def __init__(self, crawler: Any, allowed: tuple[Network, ...]) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.allowed = allowed
        self._cache: dict[tuple[str, int], list[IPAddress]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> "AddressGuardMiddleware":
        return cls(crawler, allowed_networks(crawler.settings))

    def refusal(self, ip: IPAddress) -> str | None:
        """The kind of address ``ip`` is if it must be refused, else None."""
        return refusal(ip, self.allowed)

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
        return refused(self.stats, request, host, ip, kind, when)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in FETCHED_SCHEMES:
            raise self._refuse_scheme(request, parts.scheme)
        if not parts.hostname:
            return None
        port = parts.port or (443 if parts.scheme == "https" else 80)
        ips = await self._resolve(parts.hostname, port)
        for ip in ips:
            kind = self.refusal(ip)
            if kind:
                when = "is" if str(ip) == parts.hostname.strip("[]") else "resolves to"
                raise self._refuse(request, parts.hostname, ip, kind, when)
        if ips:
            # The handler connects to this checked address (handlers/http11.py): a second
            # DNS answer (rebinding) never gets a say.
            request.meta[PIN_META_KEY] = (parts.hostname.lower(), port, str(ips[0]))
        return None

    def _refuse_scheme(self, request: Request, scheme: str) -> AddressRefused:
        self.stats.inc_value("archiver/address_guard/refused")
        self.stats.inc_value("archiver/address_guard/refused/scheme")
        message = (
            f"refused {request.url[:200]}: only http and https URLs are fetched, not {scheme or 'no'}: "
            "a sitemap, feed or page that lists it is wrong or hostile"
        )
        logger.warning(message)
        return AddressRefused(message)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        """Drop a response that came from a refused address after all (DNS rebinding)."""
        if response.ip_address is None:
            return response
        ip = ipaddress.ip_address(str(response.ip_address))
        kind = self.refusal(ip)
        if kind:
            raise self._refuse(request, urlsplit(request.url).hostname or "?", ip, kind, "connected to")
        return response
