"""The Beam layer: small composite PTransforms that only move data.

Every stage calls a plain function (records, articles, extract, sink) and
sends what fails, with the reason, to an ``errors`` output instead of
raising, so one bad input never stops the rest.

    ReadReplayFiles ─┐
                     ├─> PrepareArticles ─> ExtractEvents ─┐
    (feed sources) ──┘            │               │         ├─> WriteToDuckDB
                                  └── errors ─────┴─────────┘
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from newswatch.schemas.rows import ExtractedArticle, FeedItem, FeedStatus, IngestError, RawArticle, SeenUrl

log = logging.getLogger(__name__)
ERRORS = "errors"


def _error(origin, stage, exc, *, url=None, raw=None, feed=None) -> IngestError:
    reason = str(exc) or exc.__class__.__name__
    if not isinstance(exc, ValueError):
        reason = f"{exc.__class__.__name__}: {reason}"
    return IngestError(origin=origin, stage=stage, error=reason, url=url, raw=raw, feed=feed)


class _ReadFile(beam.DoFn):
    def __init__(self):
        self.read = Metrics.counter("newswatch", "files_read")
        self._manifests = {}

    def process(self, path: str):
        from newswatch.transforms.records import load_manifest, read_file
        p = Path(path)
        if p.parent not in self._manifests:
            self._manifests[p.parent] = load_manifest(p.parent)
        self.read.inc()
        for item in read_file(p, self._manifests[p.parent]):
            if isinstance(item, IngestError):
                yield pvalue.TaggedOutput(ERRORS, item)
            else:
                yield item


class ReadReplayFiles(beam.PTransform):
    """Files and folders to replay -> RawArticle (main) and IngestError (``errors``)."""

    def __init__(self, paths):
        super().__init__()
        self.paths = list(paths or [])

    def expand(self, pbegin):
        from newswatch.transforms.records import bundled_seeds, expand_paths
        files, errors = [], []
        for item in expand_paths(self.paths or [bundled_seeds()]):
            (errors if isinstance(item, IngestError) else files).append(item if isinstance(item, IngestError) else str(item))
        read = (pbegin | "Files" >> beam.Create(files)
                | "Read" >> beam.ParDo(_ReadFile()).with_outputs(ERRORS, main="articles"))
        path_errors = pbegin | "PathErrors" >> beam.Create(errors)
        all_errors = (read[ERRORS], path_errors) | "AllReadErrors" >> beam.Flatten()
        return {"articles": read.articles, ERRORS: all_errors}


class _Prepare(beam.DoFn):
    def __init__(self):
        self.ok = Metrics.counter("newswatch", "articles_prepared")
        self.failed = Metrics.counter("newswatch", "articles_failed")

    def process(self, raw: RawArticle):
        from newswatch.transforms.articles import prepare
        try:
            article = prepare(raw)
        except Exception as exc:  # noqa: BLE001 - every failure becomes an ingest error
            self.failed.inc()
            stage = "decode" if "decod" in str(exc).lower() else "clean"
            yield pvalue.TaggedOutput(ERRORS, _error(raw.origin, stage, exc, url=raw.url, feed=raw.feed,
                                                     raw=(raw.text or raw.html or "")[:2000]))
            return
        self.ok.inc()
        yield article


class PrepareArticles(beam.PTransform):
    """RawArticle -> Article (clean text, metadata, stable id); failures to ``errors``."""

    def expand(self, raws):
        out = raws | "Prepare" >> beam.ParDo(_Prepare()).with_outputs(ERRORS, main="articles")
        return {"articles": out.articles, ERRORS: out[ERRORS]}


class _Extract(beam.DoFn):
    def __init__(self, model: str | None = None):
        self.model = model
        self.events = Metrics.counter("newswatch", "events_extracted")

    def setup(self):
        from newswatch.transforms.nlp import load_pipeline
        self.nlp = load_pipeline(self.model)

    def process(self, article):
        from newswatch.transforms.articles import is_english
        from newswatch.transforms.extract import extract_events
        if not is_english(article):
            yield ExtractedArticle(article, [])
            return
        try:
            events = extract_events(article, self.nlp)
        except Exception as exc:  # noqa: BLE001
            log.debug("extraction failed for %s: %s", article.origin, traceback.format_exc())
            yield pvalue.TaggedOutput(ERRORS, _error(article.origin, "extract", exc, url=article.url, feed=article.feed,
                                                     raw=f"article_id={article.article_id}"))
            yield ExtractedArticle(article, [])
            return
        self.events.inc(len(events))
        yield ExtractedArticle(article, events)


class ExtractEvents(beam.PTransform):
    """Article -> ExtractedArticle (the article and its events); failures to ``errors``."""

    def __init__(self, model: str | None = None):
        super().__init__()
        self.model = model

    def expand(self, articles):
        out = articles | "Extract" >> beam.ParDo(_Extract(self.model)).with_outputs(ERRORS, main="extracted")
        return {"extracted": out.extracted, ERRORS: out[ERRORS]}


class _WriteDuckDB(beam.DoFn):
    """Buffers rows and writes them in finish_bundle (and every max_batch rows).

    Element-wise, so it flows in streaming mode on the local runner too;
    merging is decided in the sink by stable keys, with no shuffle.
    """

    def __init__(self, db_path: str, max_batch: int = 200):
        self.db_path = db_path
        self.max_batch = max_batch
        self.written = Metrics.counter("newswatch", "articles_written")
        self.error_rows = Metrics.counter("newswatch", "errors_written")
        self.inputs_failed = Metrics.counter("newswatch", "ingest_errors")
        self.events_new = Metrics.counter("newswatch", "events_new")
        self.events_merged = Metrics.counter("newswatch", "events_merged")

    def start_bundle(self):
        self.items, self.errors, self.feed_states, self.seen = [], [], [], []

    def process(self, element):
        if isinstance(element, IngestError):
            self.inputs_failed.inc()
            Metrics.counter("newswatch", f"errors_{element.stage}").inc()
            self.errors.append(element)
        elif isinstance(element, FeedStatus):
            self.feed_states.append(element)
        elif isinstance(element, SeenUrl):
            self.seen.append(element)
        else:
            self.items.append(element)
        if len(self.items) + len(self.errors) + len(self.seen) >= self.max_batch:
            yield from self._flush()

    def finish_bundle(self):
        for stats in self._flush():
            yield beam.utils.windowed_value.WindowedValue(
                stats, 0, [beam.transforms.window.GlobalWindow()])

    def _flush(self):
        if not (self.items or self.errors or self.feed_states or self.seen):
            return
        from newswatch.transforms.sink import write
        stats = write(self.db_path, self.items, self.errors, feed_states=self.feed_states, seen=self.seen)
        self.written.inc(stats.articles_new + stats.articles_updated)
        self.error_rows.inc(stats.errors)
        self.events_new.inc(stats.events_new)
        self.events_merged.inc(stats.events_merged)
        self.items, self.errors, self.feed_states, self.seen = [], [], [], []
        yield stats


class WriteToDuckDB(beam.PTransform):
    """ExtractedArticle and IngestError -> rows in DuckDB; outputs WriteStats per flush."""

    def __init__(self, db_path: str, max_batch: int = 200):
        super().__init__()
        self.db_path = db_path
        self.max_batch = max_batch

    def expand(self, pcoll):
        return pcoll | "Write" >> beam.ParDo(_WriteDuckDB(self.db_path, self.max_batch))


class ArticlesToDuckDB(beam.PTransform):
    """The shared tail of every pipeline: prepare, extract, write (with every error)."""

    def __init__(self, db_path: str, model: str | None = None, upstream_errors=(), side_rows=()):
        super().__init__()
        self.db_path = db_path
        self.model = model
        self.upstream_errors = upstream_errors
        self.side_rows = side_rows  # feed states, seen URLs: written in the same transactions

    def expand(self, raws):
        prepared = raws | "PrepareArticles" >> PrepareArticles()
        extracted = prepared["articles"] | "ExtractEvents" >> ExtractEvents(self.model)
        errors = (*self.upstream_errors, *self.side_rows, prepared[ERRORS], extracted[ERRORS])
        to_write = (extracted["extracted"], *errors) | "Rows" >> beam.Flatten()
        return to_write | "WriteToDuckDB" >> WriteToDuckDB(self.db_path)


class _PollFeed(beam.DoFn):
    """FeedConfig -> FeedItem (new entries), FeedStatus and IngestError (``errors``)."""

    def __init__(self, policy, state):
        self.policy = policy
        self.state = state
        self.polled = Metrics.counter("newswatch", "feeds_polled")
        self.unchanged = Metrics.counter("newswatch", "feeds_unchanged")
        self.entries = Metrics.counter("newswatch", "entries_new")
        self.failed = Metrics.counter("newswatch", "feeds_failed")

    def setup(self):
        from newswatch.transforms.fetch import Fetcher
        self.fetcher = Fetcher(self.policy)

    def process(self, feed):
        from newswatch.pipelines.progress import reporter
        from newswatch.transforms.feedsource import poll_feed
        try:
            status, items, errors = poll_feed(self.fetcher, feed, self.state.feeds.get(feed.url))
        except Exception as exc:  # noqa: BLE001 - one feed never stops the others
            yield pvalue.TaggedOutput(ERRORS, _error(feed.url, "fetch_feed", exc, url=feed.url, feed=feed.name))
            return
        self.polled.inc()
        if status.not_modified:
            self.unchanged.inc()
        if status.last_error:
            self.failed.inc()
        new = [i for i in items if i.url not in self.state.seen]
        self.entries.inc(len(new))
        reporter().feed_done(feed.name, len(new), status)
        yield pvalue.TaggedOutput(STATES, status)
        for err in errors:
            yield pvalue.TaggedOutput(ERRORS, err)
        yield from new


STATES = "states"


class PollFeeds(beam.PTransform):
    """FeedConfig -> new FeedItems (main), FeedStatus (``states``), IngestError (``errors``)."""

    def __init__(self, policy, state):
        super().__init__()
        self.policy = policy
        self.state = state

    def expand(self, feeds):
        out = feeds | "Poll" >> beam.ParDo(_PollFeed(self.policy, self.state)).with_outputs(ERRORS, STATES, main="items")
        return {"items": out.items, STATES: out[STATES], ERRORS: out[ERRORS]}


class _FetchArticle(beam.DoFn):
    """FeedItem -> RawArticle, SeenUrl (``seen``) and IngestError (``errors``); each URL once per worker."""

    def __init__(self, policy):
        self.policy = policy
        self.fetched = Metrics.counter("newswatch", "pages_fetched")

    def setup(self):
        from newswatch.transforms.fetch import Fetcher
        self.fetcher = Fetcher(self.policy)
        self.done: set[str] = set()

    def process(self, item: FeedItem):
        from newswatch.pipelines.progress import reporter
        from newswatch.transforms.feedsource import fetch_article
        if item.url in self.done:
            return
        self.done.add(item.url)
        try:
            article, seen, err = fetch_article(self.fetcher, item)
        except Exception as exc:  # noqa: BLE001
            article, seen, err = None, None, _error(item.link, "fetch_page", exc, url=item.url, feed=item.feed)
        self.fetched.inc()
        reporter().article_done(item.feed, err is None)
        if seen is not None:
            yield pvalue.TaggedOutput(SEEN, seen)
        if err is not None:
            yield pvalue.TaggedOutput(ERRORS, err)
        if article is not None:
            yield article


SEEN = "seen"


class FetchArticles(beam.PTransform):
    """FeedItem -> RawArticle (main), SeenUrl (``seen``), IngestError (``errors``)."""

    def __init__(self, policy):
        super().__init__()
        self.policy = policy

    def expand(self, items):
        out = items | "Fetch" >> beam.ParDo(_FetchArticle(self.policy)).with_outputs(ERRORS, SEEN, main="articles")
        return {"articles": out.articles, SEEN: out[SEEN], ERRORS: out[ERRORS]}
