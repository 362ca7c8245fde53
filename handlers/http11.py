"""Byte-exact capture: an HTTP/1.1 download handler that tees the connection.

Scrapy's handler hands on a ``Response`` with normalised headers and a de-chunked body,
so the WARC could only hold a reconstruction. This one keeps Scrapy's handler and swaps
the protocol its pool builds for one that copies the bytes of each exchange, as they
crossed the connection, into a :class:`RawExchange` at ``request.meta["archiver_raw"]``.
It also connects to the address the guard checked and refuses a forbidden peer. It
relies on private parts of ``scrapy.core.downloader.handlers.http11`` (checked on Scrapy
2.19 / Twisted 26). What is copied, TLS, keep-alive, enabling it: "Byte-exact capture"
in ``docs/architecture.md``.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _BindAddressAgent,
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
    _ScrapyAgent,
)
from scrapy.exceptions import ResponseDataLossError
from scrapy.utils._download_handlers import get_dataloss_msg, wrap_twisted_exceptions
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.endpoints import HostnameEndpoint, wrapClientTLS
from twisted.web._newclient import HTTP11ClientProtocol
from zope.interface import directlyProvides, providedBy

from archiver.downloadermiddlewares.address_guard import PIN_META_KEY, guard_policy, refusal, refused

META_KEY = "archiver_raw"
logger = logging.getLogger(__name__)


@dataclasses.dataclass(eq=False)
class RawExchange:
    """The bytes of one HTTP exchange as they crossed the connection.

    ``complete`` is True once Twisted has parsed the whole response;
    ``response_bytes`` may hold a partial response after a timeout or reset.
    """

    url: str
    started_at: datetime | None = None
    ip: str | None = None
    complete: bool = False
    attempts: int = 0
    recorded: bool = False
    _request: bytearray = dataclasses.field(default_factory=bytearray, repr=False)
    _response: bytearray = dataclasses.field(default_factory=bytearray, repr=False)

    @property
    def request_bytes(self) -> bytes:
        return bytes(self._request)

    @property
    def response_bytes(self) -> bytes:
        return bytes(self._response)

    @property
    def status_line(self) -> str:
        end = self._response.find(b"\n")
        return bytes(self._response[: end if end != -1 else len(self._response)]).decode("iso-8859-1").strip()

    @property
    def http_version(self) -> str | None:
        first = self.status_line.split(" ", 1)[0]
        return first if first.upper().startswith("HTTP/") else None

    @property
    def reason(self) -> str | None:
        parts = self.status_line.split(" ", 2)
        return parts[2] if len(parts) == 3 else None

    def begin(self, ip: str | None) -> None:
        """Start (or restart, on a Twisted retry) the exchange on a connection."""
        self._request.clear()
        self._response.clear()
        self.complete = False
        self.attempts += 1
        self.ip = ip
        self.started_at = datetime.now(timezone.utc)


class _TeeTransport:
    """Transport proxy: copies what the protocol writes, delegates the rest."""

    def __init__(self, transport: Any, protocol: "_TeeProtocol") -> None:
        self._archiver_transport = transport
        self._archiver_protocol = protocol
        directlyProvides(self, providedBy(transport))

    def write(self, data: bytes) -> None:
        self._archiver_protocol._tee_out(data)
        self._archiver_transport.write(data)

    def writeSequence(self, seq: Any) -> None:
        seq = list(seq)
        for data in seq:
            self._archiver_protocol._tee_out(data)
        self._archiver_transport.writeSequence(seq)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._archiver_transport, name)


class _TeeProtocol(_LenientHTTP11ClientProtocol):
    """Scrapy's lenient HTTP/1.1 client protocol with a tee on both directions."""

    _exchange: RawExchange | None = None

    def makeConnection(self, transport: Any) -> None:
        super().makeConnection(_TeeTransport(transport, self))

    def _tee_out(self, data: bytes) -> None:
        if self._exchange is not None and not self._exchange._response:
            self._exchange._request += data

    def request(self, request: Any) -> Deferred:
        exchange = getattr(request, "_archiver_exchange", None)
        if exchange is not None:
            peer = None
            try:
                peer = self.transport.getPeer().host  # type: ignore[union-attr,misc]
            except AttributeError:
                pass
            exchange.begin(peer)
        self._exchange = exchange
        return super().request(request)

    def dataReceived(self, data: bytes) -> None:
        if self._exchange is not None and not self._exchange.complete:
            self._exchange._response += data
        super().dataReceived(data)

    def _finishResponse(self, rest: bytes) -> None:
        exchange, self._exchange = self._exchange, None
        if exchange is not None:
            if rest and exchange._response.endswith(rest):
                del exchange._response[len(exchange._response) - len(rest) :]
            exchange.complete = True
        HTTP11ClientProtocol._finishResponse(self, rest)


class _TeeClientFactory(_LenientHTTP11ClientFactory):
    def buildProtocol(self, addr: Any) -> HTTP11ClientProtocol:
        return _TeeProtocol(self._quiescentCallback)


class _TagRequests:
    """What the pool hands the Agent: tags the Twisted request with our exchange.

    Tagging the request (not the connection) survives Twisted's automatic retry
    of a request on a new connection when a kept-alive one turns out dead.
    """

    def __init__(self, protocol: Any, exchange: RawExchange) -> None:
        self._protocol = protocol
        self._exchange = exchange

    def request(self, request: Any) -> Deferred:
        request._archiver_exchange = self._exchange
        return self._protocol.request(request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._protocol, name)


class _ExchangePool:
    """A per-request view of the shared connection pool."""

    def __init__(self, pool: Any, exchange: RawExchange) -> None:
        self._pool = pool
        self._exchange = exchange

    def getConnection(self, key: Any, endpoint: Any) -> Deferred:
        d = self._pool.getConnection(key, endpoint)
        d.addCallback(_TagRequests, self._exchange)
        return d

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)


class _PinnedEndpoints:
    """Endpoint factory that connects a pinned (host, port) to its checked address.

    The URI keeps the name, so ``Host`` and the TLS SNI/certificate check use it;
    only the TCP connection goes to the address instead of a fresh DNS answer.
    """

    def __init__(self, standard: Any, pin: tuple[str, int, str]) -> None:
        self._standard = standard
        self._pin = pin

    def endpointForURI(self, uri: Any) -> Any:  # noqa: N802 (Twisted's interface)
        host, port, address = self._pin
        if uri.host.decode("ascii", "replace").lower() != host or uri.port != port:
            return self._standard.endpointForURI(uri)
        kwargs: dict[str, Any] = {"bindAddress": self._standard._bindAddress}
        if self._standard._connectTimeout is not None:
            kwargs["timeout"] = self._standard._connectTimeout
        endpoint = HostnameEndpoint(self._standard._reactor, address, port, **kwargs)
        if uri.scheme == b"https":
            creator = self._standard._policyForHTTPS.creatorForNetloc(uri.host, port)
            return wrapClientTLS(creator, endpoint)  # type: ignore[arg-type]  # a zope interface
        return endpoint

    def __getattr__(self, name: str) -> Any:
        return getattr(self._standard, name)


class _PinningAgent(_ScrapyAgent):
    """Scrapy's agent, connecting to the address the guard checked (no proxy in the way)."""

    def _get_agent(self, request: Request, timeout: float) -> Any:
        agent = super()._get_agent(request, timeout)
        pin = request.meta.get(PIN_META_KEY)
        if pin and type(agent) is _BindAddressAgent:
            agent._endpointFactory = _PinnedEndpoints(agent._endpointFactory, tuple(pin))
        return agent


class TeeHTTP11DownloadHandler(HTTP11DownloadHandler):
    """``HTTP11DownloadHandler`` that records each exchange's raw bytes in ``request.meta``."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self._pool._factory = _TeeClientFactory
        self._allowed = guard_policy(crawler.settings)  # None: no address guard in this crawl

    def _check_peer(self, request: Request, response: Any) -> None:
        """Refuse a response from a forbidden address before anything can record it."""
        raw = request.meta.get(META_KEY)
        peer = getattr(response, "ip_address", None) or (raw.ip if isinstance(raw, RawExchange) else None)
        if peer is None or self._allowed is None:
            return
        try:
            ip = ipaddress.ip_address(str(peer).split("%")[0])
        except ValueError:
            return
        kind = refusal(ip, self._allowed)
        if kind:
            if isinstance(raw, RawExchange):
                raw.recorded = True  # nothing of this exchange is archived
            host = urlsplit(request.url).hostname or "?"
            raise refused(self._crawler.stats, request, host, ip, kind, "connected to")

    async def download_request(self, request: Request) -> Any:
        exchange = RawExchange(url=request.url)
        request.meta[META_KEY] = exchange
        agent = _PinningAgent(
            contextFactory=self._contextFactory,
            bindAddress=self._bind_address,
            pool=_ExchangePool(self._pool, exchange),  # type: ignore[arg-type]
            maxsize=self._default_maxsize,
            warnsize=self._default_warnsize,
            fail_on_dataloss=self._fail_on_dataloss,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
        )
        try:
            with wrap_twisted_exceptions():
                response = await maybe_deferred_to_future(agent.download_request(request))
            self._check_peer(request, response)
            return response
        except ResponseDataLossError:
            if not self._fail_on_dataloss_warned:
                logger.warning(get_dataloss_msg(request.url))
                self._fail_on_dataloss_warned = True
            raise


#: Name used in archiver/settings.py.
TeeHTTPDownloadHandler = TeeHTTP11DownloadHandler
