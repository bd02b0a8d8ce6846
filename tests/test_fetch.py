"""The HTTP client against a real local server (tests/httpserver.py)."""

from __future__ import annotations

import email.utils
import gzip
import socket
import threading
import time
import zlib

import pytest
from httpserver import LocalSite, Reply

from newswatch.transforms.sources.fetch import Fetcher, FetchPolicy, RateLimiter

UA = "newswatch-test/0.1 (+https://example.org/tests)"
PAGE = b"<html><head><title>t</title></head><body><p>Hello article.</p></body></html>"


def policy(**overrides) -> FetchPolicy:
    """Fast settings for tests: private addresses allowed, tiny backoff, no rate limit to speak of."""
    values = dict(user_agent=UA, timeout=2.0, max_retries=2, backoff=0.01,
                  max_requests_per_host_per_minute=600_000, allow_private_addresses=True)
    values.update(overrides)
    return FetchPolicy(**values)


class FakeTime:
    """An injectable clock whose sleep() only advances the clock (and records the delays)."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def site():
    with LocalSite() as s:
        yield s


def test_ok_200_with_headers(site):
    site.add("/a.html", PAGE, content_type="text/html; charset=ISO-8859-1",
             headers={"ETag": '"abc"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"})
    result = Fetcher(policy()).fetch(site.url("/a.html"))
    assert result.ok and result.error is None and result.error_kind is None
    assert result.status == 200
    assert result.body == PAGE
    assert result.final_url == result.url == site.url("/a.html")
    assert result.content_type == "text/html"
    assert result.charset == "ISO-8859-1"
    assert result.etag == '"abc"'
    assert result.last_modified == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert result.headers["content-type"].startswith("text/html")
    assert result.attempts == 1 and not result.not_modified
    sent = site.last_headers("/a.html")
    assert sent["user-agent"] == UA
    assert "gzip" in sent["accept-encoding"]
    assert "text/html" in sent["accept"]


def test_404_is_an_error(site):
    result = Fetcher(policy()).fetch(site.url("/missing"))
    assert result.status == 404
    assert result.error == "HTTP 404 Not Found"
    assert result.error_kind == "http_status"
    assert result.body is None
    assert site.hits["/missing"] == 1  # 4xx is not retried


def test_500_then_200_is_retried(site):
    site.add_sequence("/flaky", [Reply(b"oops", status=500), Reply(PAGE)])
    result = Fetcher(policy()).fetch(site.url("/flaky"))
    assert result.ok and result.body == PAGE
    assert site.hits["/flaky"] == 2
    assert result.attempts == 2


def test_500_forever_gives_up_after_max_retries(site):
    site.add("/down", b"down", status=503)
    result = Fetcher(policy(max_retries=2)).fetch(site.url("/down"))
    assert result.error == "HTTP 503 Service Unavailable"
    assert result.error_kind == "http_status" and result.status == 503
    assert site.hits["/down"] == 3 == result.attempts


def test_backoff_doubles(site):
    site.add("/down", b"down", status=500)
    fake = FakeTime()
    Fetcher(policy(max_retries=3, backoff=0.5, respect_robots=False), clock=fake.clock, sleep=fake.sleep).fetch(site.url("/down"))
    assert site.hits["/down"] == 4
    assert fake.sleeps == [0.5, 1.0, 2.0]


def test_429_honours_retry_after(site):
    site.add_sequence("/busy", [Reply(b"", status=429, headers={"Retry-After": "3"}), Reply(PAGE)])
    fake = FakeTime()
    result = Fetcher(policy(respect_robots=False), clock=fake.clock, sleep=fake.sleep).fetch(site.url("/busy"))
    assert result.ok and site.hits["/busy"] == 2
    assert fake.sleeps == [3.0]


def test_timeout(site):
    site.add_slow("/slow", delay=2.0)
    started = time.monotonic()
    result = Fetcher(policy(timeout=0.2, max_retries=1)).fetch(site.url("/slow"))
    assert result.error_kind == "timeout"
    assert result.error == "timed out after 0.2s"
    assert result.attempts == 2  # timeouts are retried too
    assert time.monotonic() - started < 1.5


def test_connection_refused_is_reported():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = Fetcher(policy(max_retries=1)).fetch(f"http://127.0.0.1:{port}/x")
    assert result.error_kind == "connection"
    assert "connection error" in result.error
    assert result.attempts == 2


def test_conditional_get_gets_304(site):
    site.add("/feed.xml", b"<rss/>", content_type="application/rss+xml",
             headers={"ETag": '"v1"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"})
    fetcher = Fetcher(policy())
    first = fetcher.fetch(site.url("/feed.xml"), accept=("feed",))
    assert first.status == 200 and first.body == b"<rss/>"
    second = fetcher.fetch(site.url("/feed.xml"), etag=first.etag, last_modified=first.last_modified,
                           accept=("feed",))
    assert second.status == 304 and second.not_modified
    assert second.error is None and second.body is None
    assert second.etag == '"v1"'
    sent = site.last_headers("/feed.xml")
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Mon, 01 Jan 2024 00:00:00 GMT"


def test_if_modified_since_alone(site):
    site.add("/feed.xml", b"<rss/>", content_type="application/rss+xml",
             headers={"Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"})
    result = Fetcher(policy()).fetch(site.url("/feed.xml"), last_modified="Tue, 02 Jan 2024 00:00:00 GMT",
                                     accept=("feed",))
    assert result.not_modified
    # validators the caller sent are handed back when the 304 has none of its own
    assert result.last_modified == "Mon, 01 Jan 2024 00:00:00 GMT"


def test_redirect_followed(site):
    site.add_redirect("/old", "/middle", status=301)
    site.add_redirect("/middle", site.url("/new"), status=302)
    site.add("/new", PAGE)
    result = Fetcher(policy()).fetch(site.url("/old"))
    assert result.ok and result.body == PAGE
    assert result.final_url == site.url("/new")
    assert result.url == site.url("/old")
    assert result.attempts == 3


def test_unsafe_characters_in_path_are_percent_encoded(site):
    site.add("/a%20b/%C3%A4", PAGE)
    result = Fetcher(policy()).fetch(site.url("/a b/ä"))
    assert result.ok and site.hits["/a%20b/%C3%A4"] == 1


def test_redirect_loop_is_bounded(site):
    site.add_redirect("/loop", "/loop")
    result = Fetcher(policy(max_redirects=5)).fetch(site.url("/loop"))
    assert result.error_kind == "too_many_redirects"
    assert site.hits["/loop"] == 6


@pytest.mark.parametrize("target", ["ftp://example.com/file", "file:///etc/passwd", "javascript:alert(1)"])
def test_redirect_to_other_scheme_refused(site, target):
    site.add_redirect("/r", target)
    result = Fetcher(policy()).fetch(site.url("/r"))
    assert result.error_kind == "bad_scheme"
    assert "not http or https" in result.error


def test_non_http_url_refused():
    result = Fetcher(policy()).fetch("gopher://example.com/")
    assert result.error_kind == "bad_scheme" and result.attempts == 0


def test_too_large_by_content_length(site):
    site.add("/big", b"x" * 5000)
    result = Fetcher(policy(max_bytes=1000)).fetch(site.url("/big"))
    assert result.error_kind == "too_large"
    assert result.error == "response larger than 1000 bytes"
    assert result.body is None


def test_too_large_while_streaming(site):
    site.add("/big", b"<p>" + b"x" * 300_000, content_length=False)
    result = Fetcher(policy(max_bytes=100_000)).fetch(site.url("/big"))
    assert result.error_kind == "too_large"


def test_too_large_after_decompression(site):
    # a small gzip body that inflates past the limit ("gzip bomb")
    site.add("/bomb", b"a" * 2_000_000, gzip=True)
    result = Fetcher(policy(max_bytes=100_000)).fetch(site.url("/bomb"))
    assert result.error_kind == "too_large"


def test_gzip_and_deflate_decoded(site):
    site.add("/gz", PAGE, gzip=True)
    site.add("/deflate", zlib.compress(PAGE), headers={"Content-Encoding": "deflate"})
    raw = zlib.compressobj(wbits=-15)
    site.add("/raw-deflate", raw.compress(PAGE) + raw.flush(), headers={"Content-Encoding": "deflate"})
    fetcher = Fetcher(policy())
    for path in ("/gz", "/deflate", "/raw-deflate"):
        result = fetcher.fetch(site.url(path))
        assert result.ok and result.body == PAGE, path
    assert fetcher.fetch(site.url("/gz")).headers["content-encoding"] == "gzip"
    assert gzip.decompress(gzip.compress(PAGE)) == PAGE


def test_non_html_content_type_refused(site):
    site.add("/doc.pdf", b"%PDF-1.4", content_type="application/pdf")
    result = Fetcher(policy()).fetch(site.url("/doc.pdf"))
    assert result.error_kind == "content_type"
    assert result.error == "content type application/pdf is not HTML"
    assert result.status == 200 and result.body is None


def test_content_types_by_accept(site):
    site.add("/feed", b"<rss/>", content_type="application/rss+xml")
    site.add("/xhtml", PAGE, content_type="application/xhtml+xml")
    site.add("/untyped", PAGE, content_type=None)
    fetcher = Fetcher(policy())
    assert fetcher.fetch(site.url("/feed"), accept=("feed",)).ok
    assert fetcher.fetch(site.url("/feed"), accept=("html",)).error_kind == "content_type"
    assert fetcher.fetch(site.url("/feed"), accept=None).ok
    assert fetcher.fetch(site.url("/xhtml")).ok
    assert fetcher.fetch(site.url("/untyped")).ok
    site.add("/pdf", b"%PDF", content_type="application/pdf")
    assert fetcher.fetch(site.url("/pdf"), accept=("feed",)).error == "content type application/pdf is not a feed"


def test_robots_disallow_respected(site):
    site.add_robots("User-agent: *\nDisallow: /private/\n")
    site.add("/private/page", PAGE)
    site.add("/public/page", PAGE)
    fetcher = Fetcher(policy())
    refused = fetcher.fetch(site.url("/private/page"))
    assert refused.error_kind == "robots"
    assert refused.error == "disallowed by robots.txt"
    assert site.hits["/private/page"] == 0
    assert fetcher.fetch(site.url("/public/page")).ok
    assert site.hits["/robots.txt"] == 1  # cached per host


def test_robots_for_our_agent_only(site):
    site.add_robots("User-agent: newswatch-test\nDisallow: /\n\nUser-agent: *\nDisallow:\n")
    site.add("/page", PAGE)
    assert Fetcher(policy()).fetch(site.url("/page")).error_kind == "robots"
    assert Fetcher(policy(user_agent="otherbot/1.0")).fetch(site.url("/page")).ok


def test_robots_checked_after_redirect(site):
    site.add_robots("User-agent: *\nDisallow: /private/\n")
    site.add_redirect("/go", "/private/x")
    site.add("/private/x", PAGE)
    result = Fetcher(policy()).fetch(site.url("/go"))
    assert result.error_kind == "robots"
    assert site.hits["/private/x"] == 0


def test_missing_robots_allows_everything(site):
    site.add("/page", PAGE)
    result = Fetcher(policy()).fetch(site.url("/page"))
    assert result.ok and result.notes == []
    assert site.hits["/robots.txt"] == 1


def test_robots_5xx_allows_but_notes_it(site):
    site.add("/robots.txt", b"", status=503)
    site.add("/page", PAGE)
    result = Fetcher(policy(max_retries=0)).fetch(site.url("/page"))
    assert result.ok
    assert any("robots.txt unavailable" in note and "503" in note for note in result.notes)


def test_robots_can_be_ignored(site):
    site.add_robots("User-agent: *\nDisallow: /\n")
    site.add("/page", PAGE)
    assert Fetcher(policy(respect_robots=False)).fetch(site.url("/page")).ok
    assert site.hits["/robots.txt"] == 0


def test_loopback_refused_by_default(site):
    site.add("/page", PAGE)
    result = Fetcher(policy(allow_private_addresses=False)).fetch(site.url("/page"))
    assert result.error_kind == "private_address"
    assert "127.0.0.1" in result.error
    assert result.error == "refused: 127.0.0.1 is a loopback address (allow_private_addresses is false)"
    assert site.hits["/page"] == 0 and site.hits["/robots.txt"] == 0


def test_hostname_resolving_to_loopback_refused(site):
    result = Fetcher(policy(allow_private_addresses=False)).fetch(f"http://localhost:{site.port}/page")
    assert result.error_kind == "private_address"
    assert result.error.startswith("refused: localhost resolves to ")
    assert "loopback" in result.error


@pytest.mark.parametrize("address, kind", [
    ("10.1.2.3", "a private address"),
    ("192.168.0.1", "a private address"),
    ("169.254.169.254", "a link-local address"),
    ("224.0.0.1", "a multicast address"),
    ("0.0.0.0", "an unspecified address"),
    ("100.64.0.1", "a non-public address"),
    ("[::1]", "a loopback address"),
    ("[::ffff:127.0.0.1]", "a loopback address"),
    ("[fd00::1]", "a private address"),
])
def test_non_public_addresses_refused(address, kind):
    result = Fetcher(policy(allow_private_addresses=False)).fetch(f"http://{address}/x")
    assert result.error_kind == "private_address"
    assert kind in result.error
    assert result.attempts == 0


def test_every_redirect_hop_is_checked(site):
    # the first hop is allowed explicitly; the redirect goes to another loopback address
    site.add_redirect("/r", f"http://127.0.0.2:{site.port}/secret")
    fetcher = Fetcher(policy(allow_private_addresses=False, allowed_networks=("127.0.0.1/32",)))
    result = fetcher.fetch(site.url("/r"))
    assert site.hits["/r"] == 1
    assert result.error_kind == "private_address"
    assert "127.0.0.2" in result.error
    assert result.final_url == f"http://127.0.0.2:{site.port}/secret"


def test_unresolvable_host():
    def resolver(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    result = Fetcher(policy(), resolver=resolver).fetch("http://no-such-host.invalid/")
    assert result.error_kind == "dns"
    assert "no-such-host.invalid" in result.error


def test_rate_limit_spaces_requests_to_one_host(site):
    site.add("/a", PAGE)
    site.add("/b", PAGE)
    fake = FakeTime()
    fetcher = Fetcher(policy(max_requests_per_host_per_minute=120, respect_robots=False),
                      clock=fake.clock, sleep=fake.sleep)
    assert fetcher.fetch(site.url("/a")).ok
    assert fetcher.fetch(site.url("/b")).ok
    assert fake.sleeps == [pytest.approx(0.5)]


def test_rate_limit_counts_robots_requests(site):
    site.add("/a", PAGE)
    fake = FakeTime()
    fetcher = Fetcher(policy(max_requests_per_host_per_minute=60), clock=fake.clock, sleep=fake.sleep)
    assert fetcher.fetch(site.url("/a")).ok
    assert fake.sleeps == [pytest.approx(1.0)]  # robots.txt first, then the page a second later


def test_crawl_delay_lengthens_interval(site):
    site.add_robots("User-agent: *\nCrawl-delay: 5\n")
    site.add("/a", PAGE)
    fake = FakeTime()
    fetcher = Fetcher(policy(max_requests_per_host_per_minute=120), clock=fake.clock, sleep=fake.sleep)
    fetcher.fetch(site.url("/a"))
    fetcher.fetch(site.url("/a"))
    assert fake.sleeps == [pytest.approx(0.5), pytest.approx(5.0)]


def test_rate_limiter_is_per_host():
    fake = FakeTime()
    limiter = RateLimiter(60, clock=fake.clock, sleep=fake.sleep)
    assert limiter.wait("a.example") == 0
    assert limiter.wait("b.example") == 0
    assert limiter.wait("a.example") == pytest.approx(1.0)
    assert fake.sleeps == [pytest.approx(1.0)]


def test_rate_limiter_is_thread_safe():
    import threading

    lock = threading.Lock()
    waits: list[float] = []
    limiter = RateLimiter(60, clock=lambda: 0.0, sleep=lambda s: None)

    def worker():
        delay = limiter.wait("a.example")
        with lock:
            waits.append(delay)

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(waits) == [pytest.approx(float(i)) for i in range(10)]


class TricklingServer:
    """A raw server on 127.0.0.1 that sends its response one byte at a time for ten seconds: every read of the
    client gets a byte well within its socket timeout, so only a deadline on the whole response ends the fetch
    sooner."""

    def __init__(self, *, in_headers: bool, interval: float = 0.05):
        self.in_headers, self.interval = in_headers, interval
        self.active = 0  # responses being trickled now
        self.stop = threading.Event()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/page"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=5)
        self.sock.close()

    def _serve(self):
        while not self.stop.is_set():
            try:
                client, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._trickle, args=(client,), daemon=True).start()

    def _trickle(self, client):
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
        prefix = b"" if self.in_headers else head + b"Content-Length: 100000\r\n\r\n<html><body>"
        self.active += 1
        with client:
            try:
                client.recv(65536)
                client.sendall(prefix)
                ends = time.monotonic() + 10  # bounded, so that a fetcher without a deadline fails, not hangs
                while not self.stop.is_set() and time.monotonic() < ends:
                    client.sendall(b"X-Slow: y\r\n"[:1] if self.in_headers else b"a")
                    time.sleep(self.interval)
            except OSError:
                pass  # the client gave up: what we want
            finally:
                self.active -= 1


@pytest.mark.parametrize("in_headers", [False, True], ids=["body", "headers"])
def test_a_trickling_server_cannot_hold_the_fetcher(in_headers):
    with TricklingServer(in_headers=in_headers) as server:
        started = time.monotonic()
        result = Fetcher(policy(timeout=0.5, total_timeout=1.0, max_retries=0,
                                respect_robots=False)).fetch(server.url)
        took = time.monotonic() - started
    assert result.error_kind == "timeout" and "no complete response within 1s" in result.error
    assert took < 4.0  # one response: the deadline plus scheduling, not the server's forever


def test_a_long_429_backs_off_the_whole_host_without_holding_the_worker(site):
    site.add("/busy", b"", status=429, headers={"Retry-After": "120"})
    site.add("/other", PAGE)
    fake = FakeTime()
    fetcher = Fetcher(policy(respect_robots=False), clock=fake.clock, sleep=fake.sleep)
    result = fetcher.fetch(site.url("/busy"))
    assert result.status == 429 and "asked to slow down for 120 s" in result.error
    assert site.hits["/busy"] == 1 and fake.sleeps == []  # no waiting, no retry
    assert 119 <= fetcher.host_backoff(site.url("/other")) <= 120
    refused = fetcher.fetch(site.url("/other"))  # the same host: refused at once, nothing sent
    assert refused.status == 429 and "left alone" in refused.error and site.hits.get("/other", 0) == 0
    fake.now += 121
    assert fetcher.host_backoff(site.url("/other")) == 0 and fetcher.fetch(site.url("/other")).ok


def test_retry_after_as_an_http_date(site):
    import datetime as _dt
    from email.utils import format_datetime
    when = _dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(seconds=300)
    site.add("/busy", b"", status=429, headers={"Retry-After": format_datetime(when, usegmt=True)})
    fetcher = Fetcher(policy(respect_robots=False))
    assert fetcher.fetch(site.url("/busy")).status == 429
    assert 290 < fetcher.host_backoff(site.url("/busy")) <= 300


def test_a_body_cut_short_is_a_retryable_failure_not_a_page(site):
    """http.client's read ends quietly when the server closes early: the body would be stored cut short."""
    site.add("/short", PAGE[:len(PAGE) // 2], content_length=False, headers={"Content-Length": str(len(PAGE))})
    site.add("/gz-cut", gzip.compress(PAGE)[:-30], headers={"Content-Encoding": "gzip"})
    site.add("/whole", PAGE, gzip=True)
    fetcher = Fetcher(policy())
    for path in ("/short", "/gz-cut"):
        result = fetcher.fetch(site.url(path))
        assert result.error_kind == "truncated" and "cut short" in result.error, path
        assert len([r for r in site.requests if r.path == path]) == 3  # retried: a cut is often passing
    assert fetcher.fetch(site.url("/whole")).body == PAGE


def test_a_retry_after_date_is_reported_as_given_so_each_run_gives_the_same_reason(site):
    """A countdown in the reason ("for 597 s", then 593...) made every run's error row a new one."""
    when = email.utils.formatdate(time.time() + 600, usegmt=True)
    site.add("/busy", b"", status=429, headers={"Retry-After": when})
    site.add("/other", PAGE)
    reasons = set()
    for _ in range(2):
        fake = FakeTime()
        fetcher = Fetcher(policy(respect_robots=False), clock=fake.clock, sleep=fake.sleep)
        reasons.add(fetcher.fetch(site.url("/busy")).error)
        fake.now += 5
        reasons.add(fetcher.fetch(site.url("/other")).error)
    assert reasons == {f"HTTP 429 Too Many Requests: {site.host} asked to slow down until {when}",
                       f"HTTP 429 earlier: {site.host} is left alone until its Retry-After has passed"}


def test_complete_bodies_are_not_taken_for_cut_ones(site):
    """An empty body labelled gzip and a 204 that names a Content-Length are whole (not "truncated")."""
    site.add("/empty-gzip", b"", headers={"Content-Encoding": "gzip"})
    site.add("/no-content", b"", status=204, content_length=False, headers={"Content-Length": "10"})
    fetcher = Fetcher(policy())
    assert fetcher.fetch(site.url("/empty-gzip")).error_kind != "truncated"
    assert fetcher.fetch(site.url("/no-content"), accept=None).error_kind != "truncated"
