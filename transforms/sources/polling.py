"""The monitor's fetching: feeds and their new pages, fetched concurrently, collected as they finish.

A :class:`Poller` is driven by the monitor's loop (``transforms/beam/feeds.py``: ``_PollLoop``), which calls :meth:`Poller.tick`
about once a second. Each tick submits the feeds that are due and the pages still to fetch to a pool of
threads, and returns what has finished since the last tick, without waiting for the rest: one slow host
holds only its own poll or page (each bounded by the fetch's ``total_timeout``), never the other feeds, the
cycle's write, or a stop (the fetching threads are daemons: a stop does not wait for them).

Pages that fail transiently (timeout, connection, 5xx, 429) are retried on a backoff schedule (one minute,
doubling, at most an hour, :data:`PAGE_RETRIES` times), not only when the monitor restarts. Feeds that fail
back off the same way (``max_backoff``). Plain Python: no Beam, so tests drive it directly.
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass

from newswatch.schemas.rows import FeedItem
from newswatch.transforms.sources.feedpoll import FeedStateRow, SourceState, fetch_article, fetched_elements, poll_feed

# Set by the monitor's signal handlers (SIGINT, SIGTERM); the polling loop ends its cycle when it is.
_stop = threading.Event()


def request_stop(*_args) -> None:
    _stop.set()


def stop_requested() -> bool:
    return _stop.is_set()


def clear_stop() -> None:
    _stop.clear()


# A transiently failing page is tried again after PAGE_RETRY_FIRST seconds, then twice as long each time, up
# to PAGE_RETRY_MAX, PAGE_RETRIES times in all; after that only a restart (or the next `run`) retries it.
PAGE_RETRY_FIRST, PAGE_RETRY_MAX, PAGE_RETRIES = 60.0, 3600.0, 6


class DaemonPool:
    """A fixed pool of daemon threads running submitted calls, with :class:`concurrent.futures.Future` results.

    Why not ``ThreadPoolExecutor``: Python joins its threads when the process exits, so a fetch in flight
    (a server trickling bytes, retries) would hold a stopping monitor for minutes. A page abandoned here is
    simply fetched again after a restart, because only a finished fetch marks it done.
    """

    def __init__(self, workers: int, name: str = "newswatch-fetch"):
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True) for i in range(workers)]
        for thread in self._threads:
            thread.start()

    def submit(self, fn, *args) -> Future:
        future: Future = Future()
        self._jobs.put((future, fn, args))
        return future

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            future, fn, args = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # noqa: BLE001 - handed to whoever reads the future
                future.set_exception(exc)

    def shutdown(self) -> None:
        """Cancel what has not started and let the threads end after their current call (not waited for)."""
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                job[0].cancel()
        for _ in self._threads:
            self._jobs.put(None)


@dataclass
class _Page:
    item: FeedItem
    due: float
    failures: int = 0


class Poller:
    def __init__(self, fetcher, feeds, state: SourceState, default_interval: float, *, max_backoff: float = 3600.0,
                 workers: int = 8, clock=time.monotonic):
        self.fetcher = fetcher
        self.feeds = list(feeds)
        self.state = state
        self.default_interval = default_interval
        self.max_backoff = max_backoff
        self.clock = clock
        self.pool = DaemonPool(workers)
        now = clock()
        self.next_due = {f.url: now for f in self.feeds}
        self.failures = {f.url: 0 for f in self.feeds}
        self.polling: dict[str, Future] = {}     # feed url -> its poll in flight
        self.fetching: dict[str, Future] = {}    # page url -> its fetch in flight
        self.waiting: dict[str, _Page] = {}      # page url -> a page to fetch when due
        self.known: set[str] = set(state.seen)   # pages done with (stored or failed for good) or in hand

    def in_flight(self) -> int:
        return len(self.polling) + len(self.fetching)

    def tick(self) -> list:
        """Submit what is due; return what finished since the last tick: FeedStatus, IngestError, RawArticle
        (its seen row attached) and SeenUrl elements, in the order they were collected."""
        out: list = []
        now = self.clock()
        for feed in self.feeds:
            if feed.url not in self.polling and now >= self.next_due[feed.url]:
                self.polling[feed.url] = self.pool.submit(poll_feed, self.fetcher, feed,
                                                          self.state.feeds.get(feed.url))
        for feed in self.feeds:
            future = self.polling.get(feed.url)
            if future is not None and future.done():
                del self.polling[feed.url]
                out += self._polled(feed, *future.result())
        for url, page in list(self.waiting.items()):
            if now >= page.due and url not in self.fetching:
                self.fetching[url] = self.pool.submit(fetch_article, self.fetcher, page.item)
        for url, future in list(self.fetching.items()):
            if future.done():
                del self.fetching[url]
                out += self._fetched(self.waiting[url], *future.result())
        return out

    def _polled(self, feed, status, items, errors) -> list:
        now = self.clock()
        interval = feed.interval or self.default_interval
        if status.last_error:
            self.failures[feed.url] += 1
            interval = min(self.max_backoff, interval * 2 ** self.failures[feed.url])
        else:
            self.failures[feed.url] = 0
        self.next_due[feed.url] = now + interval
        self.state.feeds[feed.url] = FeedStateRow(status.etag, status.last_modified)
        for item in items:
            if item.url not in self.known:
                self.known.add(item.url)
                self.waiting[item.url] = _Page(item, due=now)
        return [status, *errors]

    def _fetched(self, page: _Page, article, seen, error) -> list:
        transient = article is None and seen is None  # no seen row: worth trying again
        out = fetched_elements(article, seen, error)
        if transient and page.failures + 1 < PAGE_RETRIES:
            page.failures += 1
            page.due = self.clock() + min(PAGE_RETRY_MAX, PAGE_RETRY_FIRST * 2 ** (page.failures - 1))
            page.due = max(page.due, self.clock() + self.fetcher.host_backoff(page.item.url))
        else:
            del self.waiting[page.item.url]
        return out

    def close(self) -> None:
        """Stop at once: queued fetches are cancelled and fetches in flight abandoned (their pages are fetched
        after a restart: only a finished fetch marks a page done)."""
        self.pool.shutdown()
