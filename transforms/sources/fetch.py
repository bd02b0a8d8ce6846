"""A small, polite and safe HTTP client for feeds and article pages.

Why not urllib.request, urllib3's pool or trafilatura's fetcher: no library
here pins the connection to the address it checked against private networks
(a second DNS answer could otherwise swap it) and checks every redirect hop
again, with robots.txt and the per-host rate limit, before it connects.  So
this module speaks ``http.client`` itself, for status codes, conditional GET,
a byte limit while streaming and a clear reason for every failure; it never
raises for network problems: ``Fetcher.fetch`` always returns a
:class:`FetchResult`, whose ``error`` / ``error_kind`` say what went wrong.
urllib3's ``Retry`` parses Retry-After headers (seconds or an HTTP date); the
retry loop is ours, because it also backs a whole host off after a 429 and
backs off from the first retry (urllib3 retries the first time at once).

Safety and politeness, in the order a request meets them:

1. only ``http`` and ``https`` URLs (``bad_scheme``);
2. the host is resolved and every address checked: loopback, private,
   link-local, multicast, reserved and other non-public addresses are refused
   unless ``allow_private_addresses`` (or the address is inside one of
   ``allowed_networks``) (``private_address``).  The connection then goes to the
   address that was checked, so a second DNS answer cannot swap it;
3. robots.txt, fetched once per origin and cached (``robots``);
4. a per-host minimum interval between requests (rate limit; a robots.txt
   ``Crawl-delay`` can only make it longer);
5. the request itself, with a socket timeout, bounded retries with exponential
   backoff on 5xx / 429 / connection errors / timeouts;
6. redirects are followed by hand (at most ``max_redirects``), each hop going
   through steps 1 to 5 again;
7. content type check (before the body is read) and a streamed body read that
   stops at ``max_bytes`` (also after gzip/deflate decoding).
"""

from __future__ import annotations

import email.message
import email.utils
import http.client
import ipaddress
import socket
import ssl
import threading
import time
import urllib.robotparser
import zlib
from dataclasses import dataclass, field
from typing import Callable, Sequence
from urllib.parse import quote, urljoin, urlsplit

from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import Retry

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ROBOTS_MAX_BYTES = 512_000
_CHUNK = 64 * 1024
_URL_SAFE = "/%:@!$&'()*+,;=?~[]"

ACCEPT_HEADERS = {
    "html": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
    "feed": (
        "application/rss+xml,application/atom+xml,application/rdf+xml,"
        "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1"
    ),
}


DEFAULT_USER_AGENT = (
    "newswatch/0.1 (+https://github.com/newswatch/newswatch; defence-cooperation news monitor)"
)


@dataclass
class FetchPolicy:
    """How the fetcher behaves; one policy per :class:`Fetcher`.

    ``backoff`` is the first retry delay in seconds, doubled on each further
    retry.  ``max_retries`` counts retries, so a request is tried at most
    ``max_retries + 1`` times.  ``allowed_networks`` lists CIDR blocks that are
    allowed even when ``allow_private_addresses`` is false (e.g. one intranet
    network).  ``total_timeout`` bounds one response as a whole: connect,
    headers and body (default: three times ``timeout``), enforced by a
    watchdog while reading, so a server that trickles bytes cannot hold a
    worker; ``timeout`` bounds each single read.

    A 429 answer asks the whole host to slow down: when its Retry-After (60 s
    if it gives none) is at most ``max_retry_after``, the request waits and is
    retried; otherwise no request goes to that host for that long (at most
    ``max_host_backoff``): they fail at once as 429, so one host's refusal
    never holds a worker, and callers retry them later.
    """

    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = 10.0
    max_bytes: int = 5_000_000
    max_retries: int = 2
    backoff: float = 0.5
    max_requests_per_host_per_minute: float = 60
    allow_private_addresses: bool = False
    respect_robots: bool = True
    max_redirects: int = 5
    allowed_networks: tuple[str, ...] = ()
    max_retry_after: float = 10.0
    total_timeout: float | None = None
    max_host_backoff: float = 3600.0


@dataclass
class FetchResult:
    """The outcome of one :meth:`Fetcher.fetch` call.

    ``error`` is ``None`` on success (including a 304, where ``not_modified`` is
    true and ``body`` is ``None``).  ``etag`` / ``last_modified`` are what the
    caller should send next time (on a 304 without validators, the ones it sent).
    ``attempts`` counts every HTTP request made for this URL (retries and
    redirect hops; robots.txt requests excluded).  ``notes`` holds non-fatal
    remarks, e.g. "robots.txt unavailable (HTTP 503), assumed allowed".
    """

    url: str
    final_url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    charset: str | None = None
    error: str | None = None
    error_kind: str | None = None
    attempts: int = 0
    not_modified: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the fetch succeeded (a 304 counts as success)."""
        return self.error is None


class _Failure(Exception):
    """Internal: one failed step, carrying the FetchResult error fields."""

    def __init__(self, kind: str, message: str, retryable: bool = False, retry_after: float | None = None,
                 status: int | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status
        self.headers = headers


@dataclass
class _Response:
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes | None


# ---------------------------------------------------------------------------
# helpers


def parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """Split a Content-Type header into (lower-case mime type, charset)."""
    if not value:
        return None, None
    msg = email.message.Message()
    msg["content-type"] = value
    mime = msg.get_content_type()
    charset = msg.get_param("charset")
    if isinstance(charset, tuple):  # RFC 2231 encoded parameter
        charset = charset[2]
    charset = str(charset).strip().strip("'\"") if charset else None
    return mime.lower(), (charset or None)


def content_type_allowed(mime: str | None, accept: Sequence[str] | None) -> bool:
    """Whether a mime type fits ``accept`` (``('html',)``, ``('feed',)``, or None for anything).

    A missing content type is allowed (the parsers will judge the bytes).
    """
    if not accept or not mime:
        return True
    for kind in accept:
        if kind == "html" and mime in HTML_TYPES:
            return True
        if kind == "feed" and (
            mime.startswith("text/") or any(word in mime for word in ("xml", "rss", "atom", "rdf"))
        ):
            return True
    return False


def _describe_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """The reason an address is not public ("a loopback address"), or None if public."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "a non-public address"
    return None


def _host_key(scheme: str, host: str, port: int) -> str:
    default = 443 if scheme == "https" else 80
    return host if port == default else f"{host}:{port}"


def _decoder(encoding: str):
    """A zlib decompressor for a Content-Encoding, or None for identity."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return "deflate"  # zlib-wrapped or raw; decided on the first chunk
    raise _Failure("decoding", f"unsupported content-encoding {encoding!r}")


class RateLimiter:
    """Thread-safe per-host limiter: a minimum interval between request starts.

    ``wait(host)`` reserves the next slot for ``host`` and sleeps until it.
    ``clock`` and ``sleep`` are injectable so tests need not wait.
    """

    def __init__(self, requests_per_minute: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.interval = 60.0 / requests_per_minute if requests_per_minute and requests_per_minute > 0 else 0.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}
        self._extra: dict[str, float] = {}

    def set_min_interval(self, host: str, seconds: float) -> None:
        """Raise the interval for one host (e.g. from a robots.txt Crawl-delay)."""
        with self._lock:
            self._extra[host] = max(self._extra.get(host, 0.0), seconds)

    def wait(self, host: str) -> float:
        """Block until a request to ``host`` may start; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + max(self.interval, self._extra.get(host, 0.0))
        delay = start - now
        if delay > 0:
            self._sleep(delay)
        return max(delay, 0.0)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTPConnection that connects to already-checked addresses, not a new DNS answer."""

    def __init__(self, host: str, port: int, addresses: Sequence[str], timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._addresses = list(addresses)

    def _open_socket(self) -> socket.socket:
        last: OSError | None = None
        for address in self._addresses:
            try:
                return socket.create_connection((address, self.port), self.timeout)
            except OSError as exc:
                last = exc
        raise last or OSError("no address to connect to")

    def connect(self) -> None:
        self.sock = self._open_socket()


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """HTTPS variant: TLS with SNI and certificate checks against the host name."""

    default_port = 443

    def __init__(self, host: str, port: int, addresses: Sequence[str], timeout: float,
                 context: ssl.SSLContext):
        super().__init__(host, port, addresses, timeout)
        self._context = context

    def connect(self) -> None:
        sock = self._open_socket()
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


# ---------------------------------------------------------------------------
# the fetcher


class Fetcher:
    """Polite, safe HTTP GETs.  One instance may be shared by threads.

    ``clock`` / ``sleep`` drive the rate limiter and retry backoff (injectable
    for tests); ``resolver`` is ``socket.getaddrinfo``-compatible.
    """

    def __init__(self, policy: FetchPolicy | None = None, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, resolver: Callable = socket.getaddrinfo,
                 ssl_context: ssl.SSLContext | None = None):
        self.policy = policy or FetchPolicy()
        self.limiter = RateLimiter(self.policy.max_requests_per_host_per_minute, clock=clock, sleep=sleep)
        self._sleep = sleep
        self._resolver = resolver
        self._ssl_context = ssl_context or ssl.create_default_context()
        self._allowed_networks = [ipaddress.ip_network(n, strict=False) for n in self.policy.allowed_networks]
        self._robots: dict[str, tuple[urllib.robotparser.RobotFileParser | None, str | None]] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._robots_guard = threading.Lock()
        self._clock = clock
        self._host_blocked: dict[str, float] = {}  # host key -> clock time until which it is left alone
        self._blocked_guard = threading.Lock()

    # -- public ------------------------------------------------------------

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
              accept: Sequence[str] | None = ("html",)) -> FetchResult:
        """GET ``url``; never raises for network problems (see :class:`FetchResult`).

        ``etag`` / ``last_modified`` are the validators from the previous
        response and turn this into a conditional GET.  ``accept`` restricts
        content types: ``('html',)``, ``('feed',)`` or ``None`` (anything).
        """
        result = FetchResult(url=url, final_url=url)
        extra_headers = {"Accept": ACCEPT_HEADERS.get(accept[0], "*/*") if accept else "*/*"}
        if etag:
            extra_headers["If-None-Match"] = etag
        if last_modified:
            extra_headers["If-Modified-Since"] = last_modified
        try:
            response = self._get_following_redirects(url, extra_headers, accept, self.policy.max_bytes,
                                                     result, check_robots=self.policy.respect_robots)
        except _Failure as failure:
            result.error, result.error_kind = failure.message, failure.kind
            result.status = failure.status
            if failure.headers is not None:
                result.headers = failure.headers
                result.content_type, result.charset = parse_content_type(failure.headers.get("content-type"))
            return result
        result.status = response.status
        result.headers = response.headers
        result.etag = response.headers.get("etag")
        result.last_modified = response.headers.get("last-modified")
        result.content_type, result.charset = parse_content_type(response.headers.get("content-type"))
        if response.status == 304:
            result.not_modified = True
            result.etag = result.etag or etag
            result.last_modified = result.last_modified or last_modified
            return result
        result.body = response.body
        return result

    # -- redirects, retries ------------------------------------------------

    def _get_following_redirects(self, url: str, headers: dict[str, str], accept: Sequence[str] | None,
                                 max_bytes: int, result: FetchResult | None, *, check_robots: bool) -> _Response:
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            if result is not None:
                result.final_url = current
            response = self._get_with_retries(current, headers, accept, max_bytes, result, check_robots)
            location = response.headers.get("location")
            if response.status in REDIRECT_STATUSES and location:
                current = urljoin(current, location.strip())
                continue
            if response.status == 304 or 200 <= response.status < 300:
                return response
            raise _Failure("http_status", f"HTTP {response.status} {response.reason}".strip(),
                           status=response.status, headers=response.headers)
        raise _Failure("too_many_redirects", f"more than {self.policy.max_redirects} redirects")

    def _get_with_retries(self, url: str, headers: dict[str, str], accept: Sequence[str] | None,
                          max_bytes: int, result: FetchResult | None, check_robots: bool) -> _Response:
        scheme, host, port, target = self._split(url)
        addresses = self._check_addresses(host, port)
        if check_robots:
            self._check_robots(scheme, host, port, url, result)
        key = _host_key(scheme, host, port)
        for attempt in range(self.policy.max_retries + 1):
            self._refuse_if_backed_off(key, host)
            self.limiter.wait(key)
            if result is not None:
                result.attempts += 1
            try:
                response = self._request_once(scheme, host, port, target, addresses, headers, accept, max_bytes)
                if response.status == 429:
                    wait = _retry_after(response.headers)
                    wait = DEFAULT_429_BACKOFF if wait is None else wait
                    self._back_off(key, wait)
                    given = (response.headers.get("retry-after") or "").strip()
                    # as the server said it: a date, not the seconds left until it, which differ on every run
                    # and would make each run's error row a new one
                    until = f"until {given}" if given and not given.isdigit() else f"for {wait:.0f} s"
                    raise _Failure("http_status", f"HTTP 429 {response.reason}: {host} asked to slow down "
                                   f"{until}".strip(), retryable=wait <= self.policy.max_retry_after,
                                   retry_after=wait, status=429, headers=response.headers)
                if response.status >= 500:
                    raise _Failure("http_status", f"HTTP {response.status} {response.reason}".strip(),
                                   retryable=True, retry_after=_retry_after(response.headers),
                                   status=response.status, headers=response.headers)
                return response
            except _Failure as failure:
                if not failure.retryable or attempt >= self.policy.max_retries:
                    raise
                delay = self.policy.backoff * (2 ** attempt)
                if failure.retry_after is not None:
                    delay = max(delay, min(failure.retry_after, self.policy.max_retry_after))
                self._sleep(delay)
        raise AssertionError("unreachable")

    # -- a host that asked to slow down -------------------------------------

    def host_backoff(self, url: str) -> float:
        """Seconds before ``url``'s host may be asked again after its 429 (0 when it may be now)."""
        try:
            scheme, host, port, _ = self._split(url)
        except _Failure:
            return 0.0
        with self._blocked_guard:
            until = self._host_blocked.get(_host_key(scheme, host, port), 0.0)
        return max(0.0, until - self._clock())

    def _back_off(self, key: str, seconds: float) -> None:
        with self._blocked_guard:
            until = self._clock() + min(max(seconds, 0.0), self.policy.max_host_backoff)
            self._host_blocked[key] = max(self._host_blocked.get(key, 0.0), until)

    def _refuse_if_backed_off(self, key: str, host: str) -> None:
        with self._blocked_guard:
            left = self._host_blocked.get(key, 0.0) - self._clock()
        if left > 0:
            raise _Failure("http_status", f"HTTP 429 earlier: {host} is left alone until its Retry-After has "
                                          f"passed", status=429)  # no countdown: the same reason, the same row

    # -- checks ------------------------------------------------------------

    @staticmethod
    def _split(url: str) -> tuple[str, str, int, str]:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise _Failure("bad_url", f"invalid URL {url!r}: {exc}") from None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise _Failure("bad_scheme", f"refused: scheme {scheme or '(none)'!r} is not http or https")
        host = (parts.hostname or "").lower()
        if not host:
            raise _Failure("bad_url", f"invalid URL {url!r}: no host")
        if not host.isascii():  # internationalised domain name
            try:
                host = host.encode("idna").decode("ascii")
            except UnicodeError:
                raise _Failure("bad_url", f"invalid URL {url!r}: bad host name") from None
        port = port or (443 if scheme == "https" else 80)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        # percent-encode what may not appear raw in a request line (spaces, non-ASCII)
        return scheme, host, port, quote(target, safe=_URL_SAFE)

    def _check_addresses(self, host: str, port: int) -> list[str]:
        """Resolve ``host``; refuse it if any address is not public (unless allowed)."""
        try:
            infos = self._resolver(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError, OSError) as exc:
            raise _Failure("dns", f"cannot resolve {host}: {exc}") from None
        addresses: list[str] = []
        for info in infos:
            address = info[4][0]
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise _Failure("dns", f"cannot resolve {host}: no addresses")
        if self.policy.allow_private_addresses:
            return addresses
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            reason = _describe_address(ip)
            if reason and not any(ip in net for net in self._allowed_networks):
                who = f"{address} is" if host.strip("[]") == address else f"{host} resolves to {address},"
                raise _Failure("private_address",
                               f"refused: {who} {reason} (allow_private_addresses is false)")
        return addresses

    def _check_robots(self, scheme: str, host: str, port: int, url: str, result: FetchResult | None) -> None:
        parser, note = self._robots_for(scheme, host, port)
        if note and result is not None and note not in result.notes:
            result.notes.append(note)
        if parser is not None and not parser.can_fetch(self.policy.user_agent, url):
            raise _Failure("robots", "disallowed by robots.txt")

    def _robots_for(self, scheme: str, host: str, port: int):
        """The cached robots.txt rules of one origin: (parser or None for allow-all, note)."""
        origin = f"{scheme}://{_host_key(scheme, host, port)}"
        with self._robots_guard:
            if origin in self._robots:
                return self._robots[origin]
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:
            with self._robots_guard:
                if origin in self._robots:
                    return self._robots[origin]
            entry = self._load_robots(origin, _host_key(scheme, host, port))
            with self._robots_guard:
                self._robots[origin] = entry
            return entry

    def _load_robots(self, origin: str, key: str):
        robots_url = origin + "/robots.txt"
        try:
            response = self._get_following_redirects(
                robots_url, {"Accept": "text/plain,*/*;q=0.1"}, None, ROBOTS_MAX_BYTES, None, check_robots=False)
        except _Failure as failure:
            if failure.status is not None and 400 <= failure.status < 500:
                return None, None  # no robots.txt: everything allowed (RFC 9309)
            return None, f"robots.txt unavailable ({failure.message}), assumed allowed"
        parser = urllib.robotparser.RobotFileParser(robots_url)
        text = (response.body or b"").decode("utf-8", errors="replace")
        parser.parse(text.splitlines())
        delay = parser.crawl_delay(self.policy.user_agent)
        if delay:
            self.limiter.set_min_interval(key, min(float(delay), 60.0))
        return parser, None

    # -- one request ---------------------------------------------------------

    def _request_once(self, scheme: str, host: str, port: int, target: str, addresses: list[str],
                      headers: dict[str, str], accept: Sequence[str] | None, max_bytes: int) -> _Response:
        timeout = self.policy.timeout
        if scheme == "https":
            conn: http.client.HTTPConnection = _PinnedHTTPSConnection(host, port, addresses, timeout,
                                                                      self._ssl_context)
        else:
            conn = _PinnedHTTPConnection(host, port, addresses, timeout)
        request_headers = {
            "User-Agent": self.policy.user_agent,
            "Accept-Encoding": "gzip, deflate",
            "Connection": "close",
            **headers,
        }
        total = self.policy.total_timeout or 3 * timeout
        deadline = time.monotonic() + total
        # The socket timeout bounds each read, not a response: a server that sends a byte a second never trips
        # it. A watchdog shuts the socket at the deadline, so connect, headers and body together take at most
        # ``total`` seconds; every read blocked on it returns at once.
        expired = threading.Event()
        watchdog = threading.Timer(total, _shut, args=(conn, expired))
        watchdog.daemon = True
        watchdog.start()
        too_slow = _Failure("timeout", f"no complete response within {total:g}s", retryable=True)
        try:
            conn.request("GET", target, headers=request_headers)
            raw = conn.getresponse()
            response_headers: dict[str, str] = {}
            for name, value in raw.getheaders():
                name = name.lower()
                response_headers[name] = f"{response_headers[name]}, {value}" if name in response_headers else value
            status, reason = raw.status, raw.reason or ""
            if status in REDIRECT_STATUSES or status == 304 or not (200 <= status < 300):
                return _Response(status, reason, response_headers, None)
            mime, _charset = parse_content_type(response_headers.get("content-type"))
            if not content_type_allowed(mime, accept):
                wanted = "HTML" if accept and accept[0] == "html" else "a feed"
                raise _Failure("content_type", f"content type {mime} is not {wanted}",
                               status=status, headers=response_headers)
            body = self._read_body(raw, response_headers, max_bytes, deadline)
            if expired.is_set():
                raise too_slow  # the body "ended" because the watchdog closed the socket
            return _Response(status, reason, response_headers, body)
        except _Failure:
            if expired.is_set():
                raise too_slow from None
            raise
        except (socket.timeout, TimeoutError):
            if expired.is_set():
                raise too_slow from None
            raise _Failure("timeout", f"timed out after {timeout}s", retryable=True) from None
        except ssl.SSLError as exc:
            raise _Failure("tls", f"TLS error: {exc}") from None
        except (OSError, http.client.HTTPException) as exc:
            if expired.is_set():
                raise too_slow from None
            raise _Failure("connection", f"connection error: {exc.__class__.__name__}: {exc}",
                           retryable=True) from None
        except ValueError as exc:  # e.g. characters http.client will not send
            raise _Failure("bad_url", f"cannot request {target!r}: {exc}") from None
        finally:
            watchdog.cancel()
            conn.close()

    def _read_body(self, raw: http.client.HTTPResponse, headers: dict[str, str], max_bytes: int,
                   deadline: float) -> bytes:
        too_large = _Failure("too_large", f"response larger than {max_bytes} bytes")
        length = headers.get("content-length", "").strip()
        if length.isdigit() and int(length) > max_bytes:
            raise too_large
        decoder = _decoder(headers.get("content-encoding", ""))
        parts: list[bytes] = []
        size = raw_size = 0

        def add(piece: bytes) -> None:  # decoded bytes, counted against the limit
            nonlocal size
            size += len(piece)
            if size > max_bytes:
                raise too_large
            parts.append(piece)

        def decoded(step):
            try:
                return step()
            except zlib.error as exc:
                raise _Failure("decoding", f"cannot decompress body: {exc}") from None

        while True:
            if time.monotonic() > deadline:
                raise _Failure("timeout", f"timed out reading the body (over "
                                          f"{self.policy.total_timeout or 3 * self.policy.timeout}s)")
            chunk = raw.read1(_CHUNK)  # what one read brings, so the deadline is checked as bytes arrive
            if not chunk:
                break
            raw_size += len(chunk)
            if raw_size > max_bytes:
                raise too_large
            if decoder == "deflate":
                decoder = zlib.decompressobj(zlib.MAX_WBITS if (chunk[0] & 0x0F) == 8 else -zlib.MAX_WBITS)
            add(chunk if decoder is None else decoded(lambda: decoder.decompress(chunk, max_bytes + 1 - size)))
        if raw.length:  # http.client's read1 ends quietly on a cut body, leaving what it still expected
            # (None for a chunked body, whose Content-Length is ignored; 0 for a 204 or 304)
            raise _Failure("truncated", f"body cut short: {raw_size} of {raw_size + raw.length} bytes",
                           retryable=True)
        if decoder is not None and not isinstance(decoder, str):
            add(decoded(decoder.flush))
            if raw_size and not decoder.eof:
                raise _Failure("truncated", "compressed body cut short (its stream does not end)", retryable=True)
        return b"".join(parts)


def _shut(conn: http.client.HTTPConnection, expired: threading.Event) -> None:
    """The watchdog's act: mark the response as too slow and shut its socket (any blocked read returns)."""
    expired.set()
    sock = conn.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


# Seconds a host that answered 429 without a usable Retry-After is left alone.
DEFAULT_429_BACKOFF = 60.0
# urllib3's retry policy, for its Retry-After parser; the retry loop is ours (see the module docstring).
_RETRY = Retry()


def _retry_after(headers: dict[str, str]) -> float | None:
    """Retry-After in seconds, parsed by urllib3 (a number of seconds or an HTTP date, RFC 9110); None when
    absent or unusable."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        return float(_RETRY.parse_retry_after(value))
    except (InvalidHeader, ValueError, OverflowError):
        return None


def policy_from_config(config, **overrides) -> FetchPolicy:
    """A FetchPolicy from a :class:`~newswatch.transforms.sources.feedconfig.FeedsConfig`."""
    values = dict(
        user_agent=config.user_agent,
        timeout=config.timeout,
        max_bytes=config.max_page_bytes,
        max_requests_per_host_per_minute=config.max_requests_per_host_per_minute,
        allow_private_addresses=config.allow_private_addresses,
        total_timeout=getattr(config, "total_timeout", None),
    )
    values.update(overrides)
    return FetchPolicy(**values)


__all__ = [
    "DEFAULT_USER_AGENT", "FetchPolicy", "FetchResult", "Fetcher", "RateLimiter",
    "content_type_allowed", "parse_content_type", "policy_from_config",
]
