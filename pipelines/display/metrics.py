"""``monitor --metrics-port N``: the monitor's cycles as Prometheus metrics, served while it runs.

The sink reports every cycle (transforms/beam/telemetry.py); :class:`PrometheusObserver` turns the reports into
prometheus_client counters and gauges in a registry of its own, served over HTTP on ``/metrics``.
"""

from __future__ import annotations

import threading

from newswatch.transforms.beam.telemetry import Cycle, Observer

NAMESPACE = "newswatch"


class PrometheusObserver(Observer):
    def __init__(self):
        from prometheus_client import CollectorRegistry, Counter, Gauge
        self.registry = CollectorRegistry()
        r, ns = self.registry, NAMESPACE
        self.cycles = Counter("cycles", "Polling cycles the sink has closed", namespace=ns, registry=r)
        self.polls = Counter("feed_polls", "Feed polls", namespace=ns, registry=r)
        self.unchanged = Counter("feed_polls_unchanged", "Feed polls answered 'not modified'", namespace=ns,
                                 registry=r)
        self.poll_failures = Counter("feed_poll_failures", "Feed polls that failed", namespace=ns, registry=r)
        self.failing = Gauge("feeds_failing", "Feeds whose last poll failed", namespace=ns, registry=r)
        self.entries = Counter("feed_entries", "New feed entries found", namespace=ns, registry=r)
        self.articles = Counter("articles_written", "Articles written (new or changed)", namespace=ns, registry=r)
        self.events = Counter("events_new", "New events written", namespace=ns, registry=r)
        self.merged = Counter("events_merged", "Reports merged into existing events", namespace=ns, registry=r)
        self.errors = Counter("ingest_errors", "Ingest errors, by stage", ["stage"], namespace=ns, registry=r)
        self.pending = Gauge("rows_pending", "Rows waiting for the database (it was busy)", namespace=ns,
                             registry=r)
        self.lag = Gauge("write_lag_seconds", "Seconds the oldest pending row has waited", namespace=ns,
                         registry=r)
        self.last_write = Gauge("last_write_timestamp_seconds", "When the sink last wrote (Unix time)",
                                namespace=ns, registry=r)
        self._lock = threading.Lock()

    def cycle(self, report: Cycle) -> None:
        with self._lock:
            self.cycles.inc()
            self.polls.inc(report.feeds)
            self.unchanged.inc(report.unchanged)
            self.poll_failures.inc(report.failing)
            self.entries.inc(report.entries)
            self.articles.inc(report.articles)
            self.events.inc(report.events)
            self.merged.inc(report.merged)
            for stage, n in report.errors.items():
                self.errors.labels(stage=stage).inc(n)
            self.failing.set(report.feeds_failing)
            self.pending.set(report.pending)
            self.lag.set(report.lag)
            if report.wrote:
                self.last_write.set_to_current_time()


def serve(observer: PrometheusObserver, port: int, address: str = "127.0.0.1"):
    """Serve ``/metrics`` on address:port from a daemon thread; returns the server (call ``shutdown()``)."""
    from prometheus_client import start_http_server
    server, _thread = start_http_server(port, addr=address, registry=observer.registry)
    return server
