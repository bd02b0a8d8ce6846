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
    if len(article.text) > MAX_EXTRACT_CHARS:
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


class _Prepare(_Counted):
    def process(self, raw: RawArticle):
        for tag, row in prepared(raw):
            self.count(tag, row)
            yield row if tag is None else pvalue.TaggedOutput(tag, row)


class _Extract(_Extractor):
    def process(self, article: Article):
        for tag, row in extracted(article, self.nlp, self.extract_events):
            self.count(tag, row)
            yield row if tag is None else pvalue.TaggedOutput(tag, row)


class PrepareArticles(beam.PTransform):
    """RawArticle -> Article (``articles``: clean text, metadata, stable id); failures to ``errors``."""

    def expand(self, raws):
        out = raws | "Prepare" >> beam.ParDo(_Prepare()).with_outputs(ERRORS, main="articles")
        return {"articles": out.articles, ERRORS: out[ERRORS]}


class ExtractEvents(beam.PTransform):
    """Article -> ExtractedArticle (``extracted``: the article and its events); failures to ``errors``."""

    def __init__(self, model: str | None = None, extractor: str = "rules", cascade: bool = True):
        super().__init__()
        self.model = model
        self.extractor = extractor
        self.cascade = cascade

    def expand(self, articles):
        out = articles | "Extract" >> beam.ParDo(_Extract(self.model, self.extractor, self.cascade)).with_outputs(
            ERRORS, main="extracted")
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
