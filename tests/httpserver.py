"""A small real HTTP server on 127.0.0.1 for tests.

``LocalSite`` runs ``http.server.ThreadingHTTPServer`` on a free port in a
daemon thread and serves canned responses registered per path::

    with LocalSite() as site:
        site.add("/feed.xml", feed_bytes, content_type="application/rss+xml",
                 headers={"ETag": '"v1"'})
        site.add_sequence("/flaky", [Reply(status=500), Reply(b"ok")])
        site.add_slow("/slow", delay=2.0)
        site.add_redirect("/old", "/new")
        url = site.url("/feed.xml")
        ...
        assert site.hits["/flaky"] == 2
        assert site.last_headers("/feed.xml")["user-agent"].startswith("newswatch")

Behaviour:

* unknown paths (including ``/robots.txt`` unless added) answer 404;
* a reply with an ``ETag`` / ``Last-Modified`` header answers 304 when the
  request's If-None-Match / If-Modified-Since matches;
* ``gzip=True`` compresses the body when the client accepts gzip;
* ``content_length=False`` omits Content-Length (the body ends when the
  connection closes), to exercise streamed reading;
* every request is recorded: ``site.hits[path]`` counts them and
  ``site.requests`` keeps (method, path, headers) with lower-case header names.

Paths are matched first with their query string, then without it.
A pytest fixture is simply::

    @pytest.fixture
    def site():
        with LocalSite() as s:
            yield s
"""

from __future__ import annotations

import email.utils
import gzip as gzip_module
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class Reply:
    """One canned response."""

    body: bytes | str = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    gzip: bool = False
    content_length: bool = True

    def body_bytes(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]


class LocalSite:
    """A threaded HTTP server on 127.0.0.1 serving registered replies (see module doc)."""

    def __init__(self, host: str = "127.0.0.1"):
        self._host = host
        self._routes: dict[str, list[Reply]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.hits: Counter[str] = Counter()
        self.requests: list[RecordedRequest] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> "LocalSite":
        site = self

        class Handler(_Handler):
            pass

        Handler.site = site
        self._server = ThreadingHTTPServer((self._host, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="LocalSite",
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "LocalSite":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- addresses -----------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._server is not None, "LocalSite is not started"
        return self._server.server_address[1]

    @property
    def host(self) -> str:
        return self._host

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def url(self, path: str = "/") -> str:
        """Absolute URL of ``path`` on this site."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # -- registering replies -------------------------------------------------

    def add(self, path: str, body: bytes | str = b"", content_type: str | None = "text/html; charset=utf-8",
            status: int = 200, headers: dict[str, str] | None = None, **options) -> None:
        """Serve one reply at ``path`` (options: delay, gzip, content_length)."""
        self.add_sequence(path, [Reply(body, status, content_type, dict(headers or {}), **options)])

    def add_sequence(self, path: str, replies: list[Reply | dict]) -> None:
        """Serve ``replies`` in turn at ``path``; the last one repeats.

        Items may be :class:`Reply` objects or dicts of Reply fields.
        """
        items = [r if isinstance(r, Reply) else Reply(**r) for r in replies]
        if not items:
            raise ValueError("add_sequence needs at least one reply")
        with self._lock:
            self._routes[path] = items

    def add_slow(self, path: str, delay: float, body: bytes | str = b"<html><body>slow</body></html>",
                 **kwargs) -> None:
        """Serve ``body`` at ``path`` only after ``delay`` seconds."""
        self.add(path, body, delay=delay, **kwargs)

    def add_file(self, path: str, file: str | Path, content_type: str | None = None, **kwargs) -> None:
        """Serve the bytes of ``file`` at ``path``."""
        self.add(path, Path(file).read_bytes(), content_type=content_type, **kwargs)

    def add_redirect(self, path: str, location: str, status: int = 302) -> None:
        """Redirect ``path`` to ``location`` (absolute, or a path on this site)."""
        self.add(path, b"", content_type=None, status=status, headers={"Location": location})

    def add_robots(self, text: str) -> None:
        """Serve ``text`` as /robots.txt."""
        self.add("/robots.txt", text, content_type="text/plain; charset=utf-8")

    # -- inspection ----------------------------------------------------------

    def last_headers(self, path: str) -> dict[str, str]:
        """Headers (lower-case names) of the latest request for ``path``."""
        for request in reversed(self.requests):
            if request.path == path or urlsplit(request.path).path == path:
                return request.headers
        raise KeyError(path)

    # -- used by the handler ---------------------------------------------------

    def _next_reply(self, raw_path: str) -> tuple[str, Reply | None]:
        path_only = urlsplit(raw_path).path
        with self._lock:
            key = raw_path if raw_path in self._routes else path_only
            self.hits[key] += 1
            replies = self._routes.get(key)
            if not replies:
                return key, None
            return key, (replies.pop(0) if len(replies) > 1 else replies[0])


class _Handler(BaseHTTPRequestHandler):
    site: LocalSite
    server_version = "LocalSite/1.0"

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._serve(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(send_body=False)

    def _serve(self, send_body: bool) -> None:
        site = self.site
        headers = {name.lower(): value for name, value in self.headers.items()}
        with site._lock:
            site.requests.append(RecordedRequest(self.command, self.path, headers))
        _key, reply = site._next_reply(self.path)
        if reply is None:
            reply = Reply(b"not found", status=404, content_type="text/plain")
        if reply.delay and site._stopping.wait(reply.delay):
            return
        if _not_modified(reply, headers):
            self.send_response(304)
            for name, value in reply.headers.items():
                if name.lower() in ("etag", "last-modified"):
                    self.send_header(name, value)
            self.end_headers()
            return
        body = reply.body_bytes()
        extra = dict(reply.headers)
        if reply.gzip and "gzip" in headers.get("accept-encoding", ""):
            body = gzip_module.compress(body)
            extra["Content-Encoding"] = "gzip"
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        if reply.content_length:
            self.send_header("Content-Length", str(len(body)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (e.g. a size limit); that is the point of some tests

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - keep test output quiet
        pass


def _not_modified(reply: Reply, request_headers: dict[str, str]) -> bool:
    """Whether a conditional request matches the reply's validators."""
    if reply.status != 200:
        return False
    validators = {name.lower(): value for name, value in reply.headers.items()}
    etag = validators.get("etag")
    if_none_match = request_headers.get("if-none-match")
    if if_none_match is not None:
        tags = [t.strip() for t in if_none_match.split(",")]
        return etag is not None and ("*" in tags or etag in tags)
    last_modified = validators.get("last-modified")
    if_modified_since = request_headers.get("if-modified-since")
    if last_modified and if_modified_since:
        try:
            return email.utils.parsedate_to_datetime(last_modified) <= email.utils.parsedate_to_datetime(
                if_modified_since)
        except (TypeError, ValueError):
            return False
    return False
