"""The monitor's fetching (transforms/sources/polling.py) against a real local site: concurrency and retries."""
import datetime as dt
import time

import pytest
from httpserver import LocalSite, Reply
from newsite import article_page, rss

from newswatch.schemas.rows import FeedStatus, IngestError, RawArticle, SeenUrl
from newswatch.transforms.sources.feedconfig import FeedConfig
from newswatch.transforms.sources.feedpoll import SourceState
from newswatch.transforms.sources.fetch import Fetcher, FetchPolicy
from newswatch.transforms.sources.polling import PAGE_RETRY_FIRST, Poller

WHEN = dt.datetime(2024, 3, 13, 9, 0, tzinfo=dt.timezone.utc)


class Clock:
    """The poller's schedule clock, moved by hand; the fetches themselves run in real time."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def policy(**overrides):
    values = dict(timeout=10.0, max_retries=0, backoff=0.01, max_requests_per_host_per_minute=600_000,
                  allow_private_addresses=True, respect_robots=False)
    values.update(overrides)
    return FetchPolicy(**values)


def collect(poller, until, limit=15.0):
    """Tick (as the monitor does) until ``until(collected)`` holds; returns everything collected."""
    got = []
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        got += poller.tick()
        if until(got):
            return got
        time.sleep(0.05)
    raise AssertionError(f"not reached within {limit} s: {got}")


def page(site, path, title):
    site.add(path, article_page(title, [f"{title}: the council met to discuss the harbour budget."]))
    return title, path, WHEN


@pytest.fixture
def site():
    with LocalSite() as s:
        yield s


def test_a_slow_feed_holds_neither_the_other_feeds_nor_their_pages(site):
    site.add("/fast.xml", rss(site, [page(site, "/a", "A"), page(site, "/b", "B")]),
             content_type="application/rss+xml")
    site.add_slow("/slow.xml", delay=6.0, body=rss(site, []), content_type="application/rss+xml")
    feeds = [FeedConfig("slow", site.url("/slow.xml")), FeedConfig("fast", site.url("/fast.xml"))]
    poller = Poller(Fetcher(policy()), feeds, SourceState(), 300.0, clock=Clock())
    try:
        got = collect(poller, lambda got: sum(isinstance(x, RawArticle) for x in got) == 2)
        assert site.url("/slow.xml") in poller.polling  # still waiting for the slow host
        assert [x.name for x in got if isinstance(x, FeedStatus)] == ["fast"]
        assert all(x.seen is not None and x.seen.status == "fetched" for x in got if isinstance(x, RawArticle))
    finally:
        poller.close()


def test_a_page_that_fails_transiently_is_retried_on_a_schedule(site):
    site.add("/feed.xml", rss(site, [("Flaky", "/flaky", WHEN)]), content_type="application/rss+xml")
    site.add_sequence("/flaky", [Reply(status=503), Reply(article_page("Flaky", ["The ferry timetable changed."]))])
    clock = Clock()
    poller = Poller(Fetcher(policy()), [FeedConfig("wire", site.url("/feed.xml"))], SourceState(), 300.0,
                    clock=clock)
    try:
        first = collect(poller, lambda got: any(isinstance(x, IngestError) and x.stage == "fetch_page" for x in got))
        assert not any(isinstance(x, (SeenUrl, RawArticle)) for x in first)  # transient: not marked done
        clock.now += PAGE_RETRY_FIRST / 2
        time.sleep(0.3)
        assert poller.tick() == [] and site.hits["/flaky"] == 1  # not due yet
        clock.now += PAGE_RETRY_FIRST / 2
        again = collect(poller, lambda got: any(isinstance(x, RawArticle) for x in got))
        assert site.hits["/flaky"] == 2 and [x.title for x in again if isinstance(x, RawArticle)] == ["Flaky"]
        assert not poller.waiting  # done with
    finally:
        poller.close()


def test_a_429_host_is_left_alone_and_its_pages_wait_for_it(site):
    site.add("/feed.xml", rss(site, [("One", "/one", WHEN)]), content_type="application/rss+xml")
    site.add("/one", b"", status=429, headers={"Retry-After": "600"})
    clock = Clock()
    poller = Poller(Fetcher(policy()), [FeedConfig("wire", site.url("/feed.xml"))], SourceState(), 300.0,
                    clock=clock)
    try:
        got = collect(poller, lambda got: any(isinstance(x, IngestError) and "429" in x.error for x in got))
        # the host asked for ten minutes: the page is not due sooner, though a first retry comes after one
        (waiting,) = poller.waiting.values()
        assert waiting.due >= clock.now + 590 and not any(isinstance(x, SeenUrl) for x in got)
        clock.now += 301  # the feed (same host) is due again: refused at once, nothing sent
        again = collect(poller, lambda got: any(isinstance(x, FeedStatus) for x in got))
        (status,) = [x for x in again if isinstance(x, FeedStatus)]
        assert "left alone" in status.last_error and site.hits["/feed.xml"] == 1 and site.hits["/one"] == 1
    finally:
        poller.close()
