"""Writing: every row to DuckDB (or to Parquet shards), batched, in the sink's transactions.

    ArticlesToDuckDB:  RawArticle ─> PrepareArticles ─> ExtractEvents ─┐
                       upstream errors, feed states, seen URLs ────────┴─> Flatten ─> WriteToDuckDB
"""

from __future__ import annotations

import logging

import apache_beam as beam
from apache_beam.metrics import Metrics

from newswatch.schemas.rows import CycleEnd, FeedStatus, IngestError, SeenUrl
from newswatch.transforms.beam.articles import ExtractEvents, PrepareArticles
from newswatch.transforms.beam.outputs import ERRORS
from newswatch.transforms.beam.telemetry import Cycle, observer

log = logging.getLogger(__name__)


# Seconds a feed's quiet polls (nothing changed) may wait to be recorded when nothing else is written.
QUIET_WRITE_EVERY = 300.0


class _WriteDuckDB(beam.DoFn):
    """Buffers rows and writes them in finish_bundle (and every max_batch rows).

    Element-wise, so it flows in streaming mode on the local runner too;
    merging is decided in the sink by stable keys, with no shuffle.

    In streaming mode (``keep_on_lock``) the buffer outlives the bundle: when
    another process holds the database (an analyst's session), the rows stay
    pending and are written by a later bundle, so nothing is lost or
    duplicated; the write lag is logged. After a successful write it can
    refresh a read-only snapshot of the database for analysts.
    """

    def __init__(self, db_path: str, max_batch: int = 200, *, keep_on_lock: bool = False,
                 lock_wait: float = 60.0, snapshot: str | None = None, snapshot_every: float = 30.0,
                 log_cycles: bool = False, output: str | None = None):
        self.db_path = db_path
        self.output = output  # --sink parquet: write shards here instead (newswatch load merges them)
        self.max_batch = max_batch
        self.keep_on_lock = keep_on_lock
        self.lock_wait = lock_wait
        self.snapshot = snapshot
        self.snapshot_every = snapshot_every
        self.log_cycles = log_cycles
        self.written = Metrics.counter("newswatch", "articles_written")
        self.error_rows = Metrics.counter("newswatch", "errors_written")
        self.inputs_failed = Metrics.counter("newswatch", "ingest_errors")
        self.events_new = Metrics.counter("newswatch", "events_new")
        self.events_merged = Metrics.counter("newswatch", "events_merged")
        self.lag_ms = Metrics.distribution("newswatch", "write_lag_ms")

    def setup(self):
        self.items, self.errors, self.feed_states, self.seen = [], [], [], []
        # polls that changed nothing (not modified, no error, same validators as the last poll this process
        # saw): only the latest per feed is kept, written with the next real write or after QUIET_WRITE_EVERY
        # seconds, so a quiet monitor does not take the database's lock on every poll
        self.quiet: dict[str, FeedStatus] = {}
        self.quiet_since: float | None = None
        self.known_state: dict[str, tuple | None] = {}
        self.pending_since: float | None = None
        self.last_snapshot = 0.0

    def start_bundle(self):
        self.cycle = Cycle()

    def process(self, element):
        import time
        if isinstance(element, CycleEnd):
            self._end_cycle()
            return
        if isinstance(element, FeedStatus):
            self._feed_status(element)
        elif self.pending_since is None:
            self.pending_since = time.monotonic()
        if isinstance(element, IngestError):
            self.inputs_failed.inc()
            Metrics.counter("newswatch", f"errors_{element.stage}").inc()
            self.errors.append(element)
            self.cycle.errors[element.stage] = self.cycle.errors.get(element.stage, 0) + 1
        elif isinstance(element, SeenUrl):
            self.seen.append(element)
        elif not isinstance(element, FeedStatus):
            self.items.append(element)
        if len(self.items) + len(self.errors) + len(self.seen) >= self.max_batch:
            self._flush()

    def _feed_status(self, status: FeedStatus) -> None:
        import time
        self.cycle.feeds += 1
        self.cycle.unchanged += int(status.not_modified)
        self.cycle.failing += int(bool(status.last_error))
        self.cycle.entries += status.entries
        state = None if status.last_error else (status.etag, status.last_modified)
        quiet = status.not_modified and state is not None and self.known_state.get(status.feed_url) == state
        self.known_state[status.feed_url] = state
        if quiet:
            self.quiet[status.feed_url] = status
            self.quiet_since = self.quiet_since or time.monotonic()
            return
        self.quiet.pop(status.feed_url, None)
        self.feed_states.append(status)
        if self.pending_since is None:
            self.pending_since = time.monotonic()

    def finish_bundle(self):
        self._end_cycle(final=True)

    def _end_cycle(self, final: bool = False):
        """Write what the cycle brought (a bundle's end, or the monitor's CycleEnd marker) and report it."""
        self._flush(final=final)
        c = self.cycle
        c.pending, c.lag = self._pending(), self._lag()
        c.feeds_failing = sum(1 for state in self.known_state.values() if state is None)
        if self.log_cycles and (c.feeds or c.errors or c.pending):
            log.info("cycle: %d feeds polled (%d unchanged, %d failing), %d entries, %d articles stored, "
                     "%d new events (%d merged), %d errors, %d rows pending, write lag %.1f s", c.feeds,
                     c.unchanged, c.failing, c.entries, c.articles, c.events, c.merged, sum(c.errors.values()),
                     c.pending, c.lag)
        observer().cycle(c)
        self.start_bundle()  # fresh cycle counters

    def teardown(self):
        try:
            self._flush(final=True)
        except Exception:  # noqa: BLE001 - nothing more can be done at teardown
            log.exception("could not write %d pending rows at shutdown", self._pending())

    def _pending(self) -> int:
        return len(self.items) + len(self.errors) + len(self.feed_states) + len(self.seen)

    def _lag(self) -> float:
        import time
        return 0.0 if self.pending_since is None else time.monotonic() - self.pending_since

    def _quiet_due(self, final: bool) -> bool:
        import time
        return bool(self.quiet) and (final or time.monotonic() - self.quiet_since >= QUIET_WRITE_EVERY)

    def _flush(self, final: bool = False):
        import time

        import duckdb

        from newswatch.transforms.storage.sink import is_lock_error, write
        if not self._pending() and not self._quiet_due(final):
            return
        if self.quiet:  # quiet polls ride along with any write
            self.feed_states.extend(self.quiet.values())
            self.quiet.clear()
            self.quiet_since = None
        if self.output:
            from newswatch.transforms.storage.shards import write_shards
            write_shards(self.output, self.items, self.errors, self.feed_states, self.seen)
            self.written.inc(len(self.items))
            self.cycle.articles += len(self.items)
            self.cycle.wrote = True
            self.items, self.errors, self.feed_states, self.seen = [], [], [], []
            self.pending_since = None
            return
        try:
            stats = write(self.db_path, self.items, self.errors, feed_states=self.feed_states, seen=self.seen,
                          wait_seconds=self.lock_wait)
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            if not (self.keep_on_lock and is_lock_error(exc)):
                raise
            log.warning("database busy (%s); %d rows kept pending for %.1f s", str(exc).splitlines()[0],
                        self._pending(), self._lag())
            return
        self.lag_ms.update(int(self._lag() * 1000))
        if stats.duplicates:  # inputs the sink itself turned into error rows
            self.inputs_failed.inc(stats.duplicates)
            Metrics.counter("newswatch", "errors_duplicate").inc(stats.duplicates)
            self.cycle.errors["duplicate"] = self.cycle.errors.get("duplicate", 0) + stats.duplicates
        self.written.inc(stats.articles_new + stats.articles_updated)
        self.error_rows.inc(stats.errors)
        self.events_new.inc(stats.events_new)
        self.events_merged.inc(stats.events_merged)
        self.cycle.articles += stats.articles_new + stats.articles_updated
        self.cycle.events += stats.events_new
        self.cycle.merged += stats.events_merged
        self.cycle.wrote = True
        self.items, self.errors, self.feed_states, self.seen = [], [], [], []
        self.pending_since = None
        if self.snapshot and time.monotonic() - self.last_snapshot >= self.snapshot_every:
            from newswatch.transforms.storage.sink import refresh_snapshot
            try:
                refresh_snapshot(self.db_path, self.snapshot)
                self.last_snapshot = time.monotonic()
            except OSError as exc:
                log.warning("snapshot not refreshed: %s", exc)


class WriteToDuckDB(beam.PTransform):
    """ExtractedArticle, IngestError, FeedStatus, SeenUrl -> rows in DuckDB."""

    def __init__(self, db_path: str, max_batch: int = 200, **options):
        super().__init__()
        self.db_path = db_path
        self.max_batch = max_batch
        self.options = options

    def expand(self, pcoll):
        return pcoll | "Write" >> beam.ParDo(_WriteDuckDB(self.db_path, self.max_batch, **self.options))


class ArticlesToDuckDB(beam.PTransform):
    """The shared tail of every pipeline: prepare, extract, write (with every error)."""

    def __init__(self, db_path: str, model: str | None = None, upstream_errors=(), side_rows=(),
                 extractor: str = "rules", cascade: bool = True, processes: int = 1, **sink_options):
        super().__init__()
        self.db_path = db_path
        self.model = model
        self.extractor = extractor
        self.cascade = cascade
        self.processes = processes  # worker processes for extraction (1: in the runner's own process)
        self.upstream_errors = upstream_errors
        self.side_rows = side_rows  # feed states, seen URLs: written in the same transactions
        self.sink_options = sink_options

    def expand(self, raws):
        prepared = raws | "PrepareArticles" >> PrepareArticles()
        extracted = prepared["articles"] | "ExtractEvents" >> ExtractEvents(
            self.model, self.extractor, self.cascade, self.processes)
        errors = (*self.upstream_errors, *self.side_rows, prepared[ERRORS], extracted[ERRORS])
        to_write = (extracted["extracted"], *errors) | "Rows" >> beam.Flatten()
        return to_write | "WriteToDuckDB" >> WriteToDuckDB(self.db_path, **self.sink_options)
