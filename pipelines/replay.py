"""The replay pipeline: archived articles (the bundled seeds by default) to DuckDB.

Like Beam's own examples, :func:`run` splits the arguments it knows from the
Beam pipeline options it passes through (``--runner``, ``--direct_num_workers``...).
"""

from __future__ import annotations

import argparse
import logging

import apache_beam as beam

from newswatch.pipelines.common import (RunSummary, add_db_argument, add_extraction_arguments,
                                        add_processes_argument, add_sink_arguments, check_database,
                                        extract_processes, make_pipeline, needs_linear_chain, parse_with_beam,
                                        sink_options, summarise)
from newswatch.pipelines.display import progress
from newswatch.transforms.beam import telemetry
from newswatch.transforms.beam.articles import ProcessArticles
from newswatch.transforms.beam.outputs import ERRORS
from newswatch.transforms.beam.read import ReadReplayFiles
from newswatch.transforms.beam.write import ArticlesToDuckDB, WriteToDuckDB
from newswatch.transforms.sources.files import bundled_seeds, count_inputs

log = logging.getLogger(__name__)


def build(pipeline: beam.Pipeline, paths: list[str], db_path: str, model: str | None = None,
          extractor: str = "rules", linear: bool = False, cascade: bool = True, processes: int = 1, **sink):
    if linear:  # one chain of single-output steps (as the monitor), for runners that mishandle several outputs
        return (pipeline
                | "ReadReplayFiles" >> ReadReplayFiles(paths, linear=True)
                | "ProcessArticles" >> ProcessArticles(model, extractor, cascade)
                | "WriteToDuckDB" >> WriteToDuckDB(db_path, **sink))
    read = pipeline | "ReadReplayFiles" >> ReadReplayFiles(paths)
    return read["articles"] | "ArticlesToDuckDB" >> ArticlesToDuckDB(db_path, model, upstream_errors=(read[ERRORS],),
                                                                      extractor=extractor, cascade=cascade,
                                                                      processes=processes, **sink)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="newswatch replay", description="Replay archived articles into the database.")
    p.add_argument("paths", nargs="*", help=".txt, .html or .jsonl files or folders (default: the bundled seeds)")
    add_db_argument(p)
    add_extraction_arguments(p)
    add_processes_argument(p)
    p.add_argument("--quiet", action="store_true", help="no progress display")
    add_sink_arguments(p)
    return p


def run(argv: list[str] | None = None, *, display: progress.ReplayDisplay | None = None) -> RunSummary:
    """Replay; ``display`` shows progress (default: on a terminal, unless --quiet)."""
    known, pipeline_args = parse_with_beam(parser(), argv)
    sink = sink_options(known)
    if not sink:
        check_database(known.db)
    display = telemetry.install(display or progress.for_terminal(progress.ReplayDisplay, known.quiet))
    inputs = count_inputs(known.paths or [bundled_seeds()])
    if isinstance(display, progress.ReplayDisplay):
        display.start(inputs)
    linear = needs_linear_chain(pipeline_args)
    processes = extract_processes(known.extract_processes, pipeline_args, inputs)
    try:
        with make_pipeline(pipeline_args) as pipeline:
            build(pipeline, known.paths, known.db, known.model, known.extractor, linear=linear,
                  cascade=known.cascade, processes=processes, **sink)
    except OSError as exc:
        if linear and "connect" in str(exc).lower():  # the Dask scheduler given is not there: configuration
            raise SystemExit(f"cannot reach the Dask scheduler: {str(exc).splitlines()[0][:200]}") from exc
        raise
    finally:
        if isinstance(display, progress.ReplayDisplay):
            display.stop()
        telemetry.install(telemetry.Observer())
    return summarise(pipeline)
