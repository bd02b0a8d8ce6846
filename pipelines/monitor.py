"""``newswatch monitor --feeds FILE [--interval SECONDS]``: continuous monitoring as a streaming pipeline.

    PollLoop (a cycle a second) ─> ProcessArticles ─> WriteToDuckDB
    (one linear chain of fused, element-wise steps: ProcessArticles prepares
     and extracts the raw articles and passes on the feed states, seen URLs,
     errors and CycleEnd markers; the loop fetches feeds and pages
     concurrently: transforms/sources/polling.py)

Designed around Beam's local runner (FnApiRunner) in streaming mode: every
step is element-wise (no GroupByKey, Reshuffle or timers, which never fire
there, and no Flatten, which holds its input until the source ends). The
source is one long-running DoFn (see ``transforms/beam/feeds.py``: ``_PollLoop`` for why not
PeriodicImpulse: it grows the process by megabytes per tick); everything it
yields flows straight through the fused steps, and the sink writes at every
CycleEnd, so an entry is queryable within the polling interval plus the time
to fetch and extract it. Merging happens in the sink by stable keys.

Stopping: SIGINT/SIGTERM set a flag; the loop ends its cycle and returns,
the sink writes what it holds, and the pipeline finishes normally. A restart
resumes from the stored feed state and seen URLs.

Analysts: ``newswatch sql`` waits briefly for the writer's lock. To query
continuously without ever blocking the monitor, pass ``--snapshot PATH``:
after writes (at most every ``--snapshot-every`` seconds) the monitor
replaces PATH atomically with a copy of the database; open that read-only.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from newswatch.pipelines.common import (DatabaseUnavailable, add_db_argument, add_extraction_arguments,
                                        add_sink_arguments, check_database, make_pipeline, parse_with_beam, port_number,
                                        positive, sink_options)
from newswatch.pipelines.status import EXIT_OK, EXIT_USAGE
from newswatch.transforms.beam.articles import ProcessArticles
from newswatch.transforms.beam.feeds import PollLoop
from newswatch.transforms.beam.write import WriteToDuckDB
from newswatch.transforms.sources.polling import clear_stop, request_stop

log = logging.getLogger("newswatch.monitor")



def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="newswatch monitor", description="Poll feeds continuously (streaming).")
    p.add_argument("--feeds", required=True)
    p.add_argument("--interval", type=positive, default=300.0,
                   help="seconds between polls of a feed without its own interval (default 300)")
    add_db_argument(p)
    add_extraction_arguments(p)
    p.add_argument("--snapshot", default=None, help="keep a read-only copy of the database here for analysts")
    p.add_argument("--snapshot-every", type=positive, default=30.0, help="seconds between snapshot refreshes")
    p.add_argument("--lock-wait", type=positive, default=1.0,
                   help="seconds a write waits for the database lock before keeping rows pending (default 1)")
    p.add_argument("--metrics-port", type=port_number, default=None, metavar="N",
                   help="serve Prometheus metrics on http://ADDRESS:N/metrics while running")
    p.add_argument("--metrics-address", default="127.0.0.1", metavar="ADDRESS",
                   help="address the metrics are served on (default 127.0.0.1; 0.0.0.0 for every interface)")
    p.add_argument("--run-for", type=float, default=None, help=argparse.SUPPRESS)  # tests and benchmarks
    p.add_argument("--batch-rows", type=int, default=200, help=argparse.SUPPRESS)  # rows per write (tests)
    add_sink_arguments(p)
    return p


def build(pipeline, config, args):
    policy = config.fetch_policy()
    # One linear chain: on the local runner a Flatten would hold rows until the source ends.
    return (pipeline
            | "PollLoop" >> PollLoop(policy, config.feeds, args.db, args.interval, run_for=args.run_for)
            | "ProcessArticles" >> ProcessArticles(args.model, args.extractor, args.cascade)
            | "WriteToDuckDB" >> WriteToDuckDB(args.db, args.batch_rows, keep_on_lock=True, lock_wait=args.lock_wait,
                                               snapshot=args.snapshot, snapshot_every=args.snapshot_every,
                                               log_cycles=True, **sink_options(args)))


def main(argv: list[str]) -> int:
    # SIGINT/SIGTERM request a clean stop from the start: one that comes while the model loads ends the
    # monitor (status 0) before its first poll instead of killing it
    clear_stop()
    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _monitor(argv)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _monitor(argv: list[str]) -> int:
    from newswatch.transforms.sources.feedconfig import ConfigError, load_feeds_config
    args, pipeline_args = parse_with_beam(parser(), argv)
    try:
        config = load_feeds_config(args.feeds)
        if not sink_options(args):
            check_database(args.db)
    except (ConfigError, DatabaseUnavailable) as exc:
        print(f"newswatch monitor: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if any(a.startswith("--direct_num_workers") for a in pipeline_args):
        print("newswatch monitor: --direct_num_workers is not supported in streaming mode on the local runner "
              "(it ends the pipeline after a few elements)", file=sys.stderr)
        return EXIT_USAGE
    if logging.getLogger("newswatch").getEffectiveLevel() == logging.WARNING:  # the default: say what it does
        logging.getLogger("newswatch").setLevel(logging.INFO)
    metrics = None
    if args.metrics_port is not None:
        from newswatch.pipelines.display.metrics import PrometheusObserver, serve
        from newswatch.transforms.beam import telemetry
        observer = PrometheusObserver()
        try:
            metrics = serve(observer, args.metrics_port, args.metrics_address)
        except OSError as exc:
            print(f"newswatch monitor: cannot serve metrics on {args.metrics_address}:{args.metrics_port}: "
                  f"{exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
        telemetry.install(observer)
        log.info("metrics on http://%s:%d/metrics", args.metrics_address, args.metrics_port)
    log.info("monitoring %d feeds (interval %.0f s) into %s; stop with Ctrl-C or SIGTERM",
             len(config.feeds), args.interval, args.db)
    try:
        with make_pipeline(pipeline_args, streaming=True) as pipeline:
            build(pipeline, config, args)
    finally:
        if metrics is not None:
            from newswatch.transforms.beam import telemetry
            telemetry.install(telemetry.Observer())
            metrics.shutdown()
            metrics.server_close()
    log.info("monitor stopped")
    return EXIT_OK
