"""``newswatch run --feeds FILE``: one polite, incremental batch pass over RSS/Atom feeds.

    feeds file ─> PollFeeds ─> FetchArticles ─> ArticlesToDuckDB (the replay tail)
                    │ states        │ seen           ▲
                    └─ errors ──────┴─ errors ───────┘

State from earlier runs (ETag/Last-Modified per feed, URLs already fetched)
is read from the database before the pipeline starts and written back by the
sink, in the same transactions as the articles.
"""

from __future__ import annotations

import argparse
import sys
import time

import apache_beam as beam

from newswatch.pipelines.common import (AUTO_FEEDS_FROM, DatabaseUnavailable, RunSummary, add_db_argument,
                                        add_extraction_arguments, add_processes_argument, add_sink_arguments,
                                        check_database, extract_processes, make_pipeline, parse_with_beam,
                                        sink_options, summarise)
from newswatch.pipelines.display import progress
from newswatch.pipelines.status import EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE
from newswatch.transforms.beam import telemetry
from newswatch.transforms.beam.feeds import FetchArticles, PollFeeds
from newswatch.transforms.beam.outputs import ERRORS, SEEN, STATES
from newswatch.transforms.beam.write import ArticlesToDuckDB


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="newswatch run", description="One batch pass over the feeds of a feeds file.")
    p.add_argument("--feeds", required=True, help="feeds file (TOML: [[feed]] name, url)")
    add_db_argument(p)
    add_extraction_arguments(p)
    add_processes_argument(p, f"{AUTO_FEEDS_FROM} feeds or more")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    add_sink_arguments(p)
    return p


def build(pipeline: beam.Pipeline, config, state, db: str, model: str | None = None, policy=None,
          extractor: str = "rules", cascade: bool = True, processes: int = 1, **sink):
    policy = policy or config.fetch_policy()
    polled = pipeline | "Feeds" >> beam.Create(list(config.feeds)) | "PollFeeds" >> PollFeeds(policy, state)
    fetched = polled["items"] | "FetchArticles" >> FetchArticles(policy)
    return fetched["articles"] | "ArticlesToDuckDB" >> ArticlesToDuckDB(
        db, model, upstream_errors=(polled[ERRORS], fetched[ERRORS]), side_rows=(polled[STATES], fetched[SEEN]),
        extractor=extractor, cascade=cascade, processes=processes, **sink)


def run(argv: list[str] | None = None, *, policy=None) -> RunSummary:
    from newswatch.transforms.sources.feedconfig import load_feeds_config
    known, pipeline_args = parse_with_beam(parser(), argv)
    sink = sink_options(known)
    config = load_feeds_config(known.feeds)
    if not sink:
        check_database(known.db)
    from newswatch.transforms.storage.sink import read_source_state
    state = read_source_state(known.db)
    # the articles are not known before the feeds are polled: a long feeds file counts as a large run
    processes = extract_processes(known.extract_processes, pipeline_args,
                                  None if len(config.feeds) >= AUTO_FEEDS_FROM else len(config.feeds))
    display = telemetry.install(progress.for_terminal(progress.FeedRunDisplay, known.quiet))
    if isinstance(display, progress.FeedRunDisplay):
        display.start(len(config.feeds))
    try:
        with make_pipeline(pipeline_args) as pipeline:
            build(pipeline, config, state, known.db, known.model, policy, extractor=known.extractor,
                  cascade=known.cascade, processes=processes, **sink)
    finally:
        if isinstance(display, progress.FeedRunDisplay):
            display.stop()
        telemetry.install(telemetry.Observer())
    return summarise(pipeline)


def format_summary(summary: RunSummary, elapsed: float) -> str:
    stages = {k[len("errors_"):]: v for k, v in summary.counters.items() if k.startswith("errors_") and v}
    lines = [
        f"feeds polled     {summary.get('feeds_polled')} ({summary.get('feeds_unchanged')} unchanged, "
        f"{summary.get('feeds_failed')} failed)",
        f"new entries      {summary.get('entries_new')}",
        f"pages fetched    {summary.get('pages_fetched')}",
        f"articles stored  {summary.get('articles_written')}",
        f"events           {summary.get('events_new')} new, {summary.get('events_merged')} merged into known events",
        f"errors           {summary.failed_inputs}" + (
            " (" + ", ".join(f"{k} {v}" for k, v in sorted(stages.items())) + ")" if stages else ""),
        f"elapsed          {elapsed:.1f} s",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    from newswatch.transforms.sources.feedconfig import ConfigError
    started = time.monotonic()
    try:
        summary = run(argv)
    except (ConfigError, DatabaseUnavailable) as exc:
        print(f"newswatch run: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(format_summary(summary, time.monotonic() - started))
    return EXIT_INPUT_ERRORS if summary.failed_inputs else EXIT_OK
