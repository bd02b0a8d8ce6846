"""Prepare and extract: RawArticle -> Article -> ExtractedArticle, every failure an error row.

Two shapes over the same two plain steps (:func:`prepared`, :func:`extracted`):

* batch pipelines use :class:`PrepareArticles` and :class:`ExtractEvents`, which send error rows to an
  ``errors`` output that the pipeline flattens into the sink's input;
* the monitor (and a replay on a runner that mishandles several outputs, such as DaskRunner) uses
  :class:`ProcessArticles`: one step that prepares and extracts the raw articles it meets and passes every
  other row (feed states, seen URLs, errors, cycle ends) on untouched. On the local runner in streaming
  mode a Flatten holds its input until the source ends, so the monitor cannot join outputs; it chains.
"""

from __future__ import annotations

import collections
import logging
import traceback
from collections.abc import Callable, Iterator

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from newswatch.schemas.rows import Article, ExtractedArticle, IngestError, RawArticle
from newswatch.transforms.beam.outputs import ERRORS, error_row
from newswatch.transforms.beam.telemetry import observer
from newswatch.transforms.language.extraction import extractor_function

log = logging.getLogger(__name__)

Routed = Iterator[tuple[str | None, object]]  # (None, main output) or (side output tag, row)


def prepared(raw: RawArticle) -> Routed:
    """A raw article -> its Article, or its error row (and its seen row, which follows the error to the sink)."""
    from newswatch.transforms.language.articles import prepare
    try:
        article = prepare(raw)
    except Exception as exc:  # noqa: BLE001 - every failure becomes an ingest error
        stage = "decode" if "decod" in str(exc).lower() else "clean"
        observer().input_done(False)
        yield ERRORS, error_row(raw.location or raw.origin, stage, exc, url=raw.url, feed=raw.feed,
                                raw=(raw.text or raw.html or "")[:2000])
        if raw.seen is not None:
            yield ERRORS, raw.seen
        return
    yield None, article


def _too_long(article: Article) -> bool:
    from newswatch.transforms.language.nlp import MAX_EXTRACT_CHARS
    return len(article.text) > MAX_EXTRACT_CHARS


def readable(article: Article) -> bool:
    """Whether :func:`extracted` runs the extractor on the article (English, and not too long)."""
    from newswatch.transforms.language.articles import is_english
    return is_english(article) and not _too_long(article)


def extracted(article: Article, nlp, extract_events: Callable) -> Routed:
    """An article -> the article with its events; an article that cannot be read is stored without events, next
    to an error row that says why (too long, or the extractor failed)."""
    from newswatch.transforms.language.articles import is_english
    from newswatch.transforms.language.nlp import MAX_EXTRACT_CHARS
    if not is_english(article):
        observer().input_done(True)
        yield None, ExtractedArticle(article, [])
        return
    origin, where = article.location or article.origin, f"article_id={article.article_id}"
    if _too_long(article):
        observer().input_done(False)
        yield ERRORS, error_row(origin, "extract", ValueError(
            f"article too long to extract: {len(article.text)} characters (the limit is {MAX_EXTRACT_CHARS}); "
            "stored without events"), url=article.url, feed=article.feed, raw=where)
        yield None, ExtractedArticle(article, [])
        return
    try:
        events = extract_events(article, nlp)
    except Exception as exc:  # noqa: BLE001
        log.debug("extraction failed for %s: %s", article.origin, traceback.format_exc())
        observer().input_done(False)
        yield ERRORS, error_row(origin, "extract", exc, url=article.url, feed=article.feed, raw=where)
        yield None, ExtractedArticle(article, [])
        return
    observer().input_done(True)
    yield None, ExtractedArticle(article, events)


class _Counted(beam.DoFn):
    def __init__(self):
        self.prepared = Metrics.counter("newswatch", "articles_prepared")
        self.failed = Metrics.counter("newswatch", "articles_failed")
        self.events = Metrics.counter("newswatch", "events_extracted")

    def count(self, tag, row):
        if isinstance(row, Article):
            self.prepared.inc()
        elif isinstance(row, ExtractedArticle):
            self.events.inc(len(row.events))
        elif isinstance(row, IngestError) and row.stage in ("decode", "clean"):
            self.failed.inc()
        return row


class _Extractor(_Counted):
    def __init__(self, model: str | None, extractor: str, cascade: bool = True):
        super().__init__()
        self.model = model
        self.extractor = extractor
        self.cascade = cascade

    def setup(self):
        from newswatch.transforms.language.nlp import load_pipeline
        self.nlp = load_pipeline(self.model)
        self.extract_events = extractor_function(self.extractor, cascade=self.cascade)


def _given(outcome: tuple[bool, object]) -> Callable:
    """An extract function that returns (or raises) what a worker process found for the article."""
    def extract(article, nlp):
        ok, value = outcome
        if not ok:
            raise value
        return value
    return extract


class _Prepare(_Counted):
    def process(self, raw: RawArticle):
        for tag, row in prepared(raw):
            self.count(tag, row)
            yield row if tag is None else pvalue.TaggedOutput(tag, row)


class _Extract(_Extractor):
    """Extracts in this process, or, with ``processes`` > 1, in a pool of worker processes
    (``transforms/language/parallel.py``): up to :attr:`AHEAD` articles per worker are in flight, rows leave in
    the order the articles came, each with its own element's window and timestamp, and the bundle's end waits
    for the rest. The cascade's first pass runs here, so an article it turns away never crosses to a worker,
    and the pool starts with the first article that needs the parse (a stream of news at large may have none)."""

    AHEAD = 8  # articles in flight per worker: enough to keep each busy, few enough to keep memory flat

    def __init__(self, model: str | None, extractor: str, cascade: bool = True, processes: int = 1):
        super().__init__(model, extractor, cascade)
        self.processes = processes
        self.pool = None

    def setup(self):
        if self.processes == 1:
            super().setup()

    def teardown(self):
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    def _submit(self, article: Article):
        """The worker's future of the article's events; None when this process answers it (unreadable, or
        turned away by the cascade: no events)."""
        from newswatch.transforms.language.extraction import needs_parse
        if not readable(article) or not needs_parse(self.extractor, article, cascade=self.cascade):
            return None
        if self.pool is None:
            from newswatch.transforms.language.parallel import ExtractPool
            self.pool = ExtractPool(self.processes, self.model, self.extractor, cascade=False)  # checked here
        return self.pool.submit(article)

    def start_bundle(self):
        self.in_flight = collections.deque()

    def process(self, article: Article, timestamp=beam.DoFn.TimestampParam, window=beam.DoFn.WindowParam):
        if self.processes == 1:
            for tag, row in extracted(article, self.nlp, self.extract_events):
                self.count(tag, row)
                yield row if tag is None else pvalue.TaggedOutput(tag, row)
            return
        self.in_flight.append((article, timestamp, window, self._submit(article)))
        while self.in_flight and (len(self.in_flight) > self.AHEAD * self.processes
                                  or self.in_flight[0][3] is None or self.in_flight[0][3].done()):
            yield from self._emit(*self.in_flight.popleft())

    def finish_bundle(self):
        while self.processes > 1 and self.in_flight:
            yield from self._emit(*self.in_flight.popleft())

    def _emit(self, article, timestamp, window, future):
        from apache_beam.utils.windowed_value import WindowedValue
        extract = _given(future.result()) if future is not None else _given((True, []))
        for tag, row in extracted(article, None, extract):
            self.count(tag, row)
            value = WindowedValue(row, timestamp, [window])
            yield value if tag is None else pvalue.TaggedOutput(tag, value)


class PrepareArticles(beam.PTransform):
    """RawArticle -> Article (``articles``: clean text, metadata, stable id); failures to ``errors``."""

    def expand(self, raws):
        out = raws | "Prepare" >> beam.ParDo(_Prepare()).with_outputs(ERRORS, main="articles")
        return {"articles": out.articles, ERRORS: out[ERRORS]}


class ExtractEvents(beam.PTransform):
    """Article -> ExtractedArticle (``extracted``: the article and its events); failures to ``errors``."""

    def __init__(self, model: str | None = None, extractor: str = "rules", cascade: bool = True,
                 processes: int = 1):
        super().__init__()
        self.model = model
        self.extractor = extractor
        self.cascade = cascade
        self.processes = processes

    def expand(self, articles):
        out = articles | "Extract" >> beam.ParDo(_Extract(self.model, self.extractor, self.cascade,
                                                          self.processes)).with_outputs(ERRORS, main="extracted")
        return {"extracted": out.extracted, ERRORS: out[ERRORS]}


class _Process(_Extractor):
    def process(self, element):
        if not isinstance(element, RawArticle):  # feed states, seen URLs, errors, cycle ends: the sink's
            yield element
            return
        for tag, row in prepared(element):
            self.count(tag, row)
            if isinstance(row, Article):
                for tag2, row2 in extracted(row, self.nlp, self.extract_events):
                    yield self.count(tag2, row2)
            else:
                yield row


class ProcessArticles(beam.PTransform):
    """One step for linear chains: RawArticle -> ExtractedArticle and error rows; any other row passes on."""

    def __init__(self, model: str | None = None, extractor: str = "rules", cascade: bool = True):
        super().__init__()
        self.model = model
        self.extractor = extractor
        self.cascade = cascade

    def expand(self, rows):
        return rows | "PrepareAndExtract" >> beam.ParDo(_Process(self.model, self.extractor, self.cascade))
