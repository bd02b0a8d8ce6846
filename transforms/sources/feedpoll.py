"""Feeds as a source: poll a feed politely, turn new entries into articles.

Plain functions around :mod:`fetch`, :mod:`feeds` and :mod:`pages`; the Beam
layer (``transforms/beam/feeds.py``) and the monitor's poller (:mod:`polling`)
call them. Feed state (ETag, Last-Modified) and the seen-URL set come from the
database (:func:`load_state`, through ``storage/sink.py``'s ``read_source_state``) and go back to it through
the sink, so a later run sends conditional requests and fetches no page twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from newswatch.schemas.rows import FeedItem, FeedStatus, IngestError, RawArticle, SeenUrl
from newswatch.transforms.sources.feedconfig import FeedConfig
from newswatch.transforms.sources.feeds import parse_feed
from newswatch.transforms.sources.fetch import Fetcher
from newswatch.transforms.sources.pages import EmptyExtraction, UndecodablePage, extract_page
from newswatch.transforms.sources.urls import canonical_url

# Fetch failures worth retrying on a later run (the URL is not marked seen).
TRANSIENT = frozenset({"timeout", "connection", "dns", "tls", "http_5xx", "http_429", "truncated"})


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


@dataclass
class FeedStateRow:
    etag: str | None = None
    last_modified: str | None = None
    unconditional: bool = False  # a page of it is pending: ask in full, but keep the validators (load_state)


@dataclass
class SourceState:
    """What earlier runs left: conditional-GET validators per feed URL, and the URLs already done."""

    feeds: dict[str, FeedStateRow] = field(default_factory=dict)
    seen: frozenset[str] = frozenset()


# A page that failed for a passing reason within this many days is still pending (see load_state).
PENDING_DAYS = 7


def load_state(conn) -> SourceState:
    """What earlier runs left. A feed with a pending page (one that failed for a passing reason, so it is
    neither seen nor stored, first within the last ``PENDING_DAYS``) is asked for without its validators: a
    304 would hide the entry, and the page would never be fetched again. After that it is given up."""
    pending = {r[0] for r in conn.execute("""
        SELECT DISTINCT e.feed FROM ingest_errors e
        WHERE e.stage = 'fetch_page' AND e.feed IS NOT NULL AND e.url IS NOT NULL AND e.first_seen_at >= ?
          AND e.url NOT IN (SELECT url FROM seen_urls)
          AND e.url NOT IN (SELECT url FROM articles WHERE url IS NOT NULL)""",
        [_now() - dt.timedelta(days=PENDING_DAYS)]).fetchall()}
    feeds = {url: FeedStateRow(etag, lm, unconditional=name in pending) for url, name, etag, lm in
             conn.execute("SELECT feed_url, name, etag, last_modified FROM feed_state").fetchall()}
    seen = frozenset(r[0] for r in conn.execute("SELECT url FROM seen_urls").fetchall())
    return SourceState(feeds, seen)


def _kind(result) -> str:
    if result.error_kind == "http_status" and result.status:
        if result.status >= 500:
            return "http_5xx"
        if result.status == 429:
            return "http_429"
    return result.error_kind or "unknown"


def poll_feed(fetcher: Fetcher, feed: FeedConfig, state: FeedStateRow | None) -> tuple[FeedStatus, list[FeedItem], list[IngestError]]:
    """One conditional GET of a feed and its parse: the new status, its entries, and what went wrong.

    Never raises: an unexpected failure is the feed's error, so one feed never stops the others.
    """
    try:
        return _poll_feed(fetcher, feed, state)
    except Exception as exc:  # noqa: BLE001
        state = state or FeedStateRow()
        reason = f"{exc.__class__.__name__}: {exc}"
        status = FeedStatus(feed_url=feed.url, name=feed.name, etag=state.etag, last_modified=state.last_modified,
                            last_polled_at=_now(), last_status=None, last_error=reason)
        return status, [], [IngestError(origin=feed.url, url=feed.url, feed=feed.name, stage="fetch_feed",
                                        error=reason, raw=f"feed {feed.name}: {feed.url}")]


def _poll_feed(fetcher: Fetcher, feed: FeedConfig, state: FeedStateRow | None):
    now = _now()
    state = state or FeedStateRow()
    asked = FeedStateRow() if state.unconditional else state
    result = fetcher.fetch(feed.url, etag=asked.etag, last_modified=asked.last_modified, accept=("feed",))
    errors: list[IngestError] = []
    status = FeedStatus(feed_url=feed.url, name=feed.name, etag=result.etag or state.etag,
                        last_modified=result.last_modified or state.last_modified, last_polled_at=now,
                        last_status=result.status, last_error=result.error, not_modified=result.not_modified)
    if result.error:
        errors.append(IngestError(origin=feed.url, url=feed.url, feed=feed.name, stage="fetch_feed",
                                  error=result.error, raw=f"feed {feed.name}: {feed.url}"))
        # keep the old validators: the next poll must not believe it has the current version
        status.etag, status.last_modified = state.etag, state.last_modified
        return status, [], errors
    if result.not_modified:
        return status, [], errors
    parsed = parse_feed(result.body or b"", url=result.final_url, content_type=result.headers.get("content-type"))
    if parsed.error:
        errors.append(IngestError(origin=feed.url, url=feed.url, feed=feed.name, stage="parse_feed",
                                  error=parsed.error, raw=(result.body or b"")[:2000].decode("utf-8", "replace")))
        status.last_error = parsed.error
        status.etag, status.last_modified = state.etag, state.last_modified  # refetch once it is fixed
    elif parsed.bozo:
        errors.append(IngestError(origin=feed.url, url=feed.url, feed=feed.name, stage="parse_feed",
                                  error=f"malformed feed, {len(parsed.entries)} entries recovered: {parsed.bozo_reason}",
                                  raw=(result.body or b"")[:2000].decode("utf-8", "replace")))
    for skipped in parsed.skipped_entries:
        errors.append(IngestError(origin=skipped.link or f"{feed.url}#entry-{skipped.index}", url=skipped.link,
                                  feed=feed.name, stage="parse_feed", error=f"entry skipped: {skipped.reason}",
                                  raw=skipped.title))
    items = [FeedItem(feed=feed.name, feed_url=feed.url, url=e.url, link=e.link, title=e.title,
                      published=e.published, summary=e.summary) for e in parsed.entries]
    status.entries = len(items)
    return status, items, errors


def fetched_elements(article: RawArticle | None, seen: SeenUrl | None, error: IngestError | None) -> list:
    """What one page fetch sends on, in order: the article carrying its seen row (so that both are written in
    one transaction), else the error and then the seen row (a crash between them costs a re-fetch, never the
    reason)."""
    out: list = []
    if article is not None:
        article.seen, seen = seen, None
        out.append(article)
    if error is not None:
        out.append(error)
    if seen is not None:
        out.append(seen)
    return out


def fetch_article(fetcher: Fetcher, item: FeedItem) -> tuple[RawArticle | None, SeenUrl | None, IngestError | None]:
    """Fetch and extract one entry's page.

    Returns the article (or None), the seen-URL record (None after a transient
    failure, so a later run retries), and the error if any.
    """
    now = _now()
    result = fetcher.fetch(item.url, accept=("html",))
    if result.error:
        err = IngestError(origin=item.link, url=item.url, feed=item.feed, stage="fetch_page", error=result.error,
                          raw=f"entry of {item.feed}: {item.title or ''}")
        seen = None if _kind(result) in TRANSIENT else SeenUrl(item.url, item.feed, now, None, "failed")
        return None, seen, err
    try:
        page = extract_page(result.body or b"", url=result.final_url, declared_charset=result.charset)
    except (UndecodablePage, EmptyExtraction) as exc:
        stage = "decode" if isinstance(exc, UndecodablePage) else "extract_page"
        err = IngestError(origin=item.link, url=item.url, feed=item.feed, stage=stage, error=str(exc),
                          raw=f"page {result.final_url} ({len(result.body or b'')} bytes)")
        return None, SeenUrl(item.url, item.feed, now, None, "failed"), err
    if item.published:
        published, source = item.published.isoformat(), "feed"
    elif page.published:
        published, source = page.published.isoformat(), "page"
    else:
        published, source = None, None
    # the page's own address after redirects: three tracking links to one story are one article
    url = canonical_url(result.final_url) or item.url
    article = RawArticle(origin=item.link, text=page.text, url=url, title=item.title or page.title,
                         published=published, publisher=page.publisher, language=page.language,
                         source=f"feed:{item.feed}", feed=item.feed, fetched_at=now, published_source=source)
    return article, SeenUrl(item.url, item.feed, now, None, "fetched"), None
