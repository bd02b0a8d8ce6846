"""What every pipeline shares: the runner choice, the --db flag, the run summary."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field

import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions

DEFAULT_DB = "newswatch.duckdb"


def default_db() -> str:
    return os.environ.get("NEWSWATCH_DB") or DEFAULT_DB


# How long a command waits at start for another process to release the database before it gives up.
DB_START_WAIT_SECONDS = 10.0


class DatabaseUnavailable(Exception):
    """The database cannot be written when a command starts (exit 2, one line)."""


def check_database(db: str, wait_seconds: float | None = None) -> None:
    """Fail fast, before any fetching or parsing, when ``db`` cannot be written: its folder is missing, it is not
    a DuckDB file, or another process holds it for longer than ``wait_seconds`` (:data:`DB_START_WAIT_SECONDS`)."""
    import duckdb
    wait_seconds = DB_START_WAIT_SECONDS if wait_seconds is None else wait_seconds

    from newswatch.transforms.sink import connect, is_lock_error
    folder = os.path.dirname(os.path.abspath(db))
    if not os.path.isdir(folder):
        raise DatabaseUnavailable(f"cannot create the database {db}: there is no folder {folder}")
    try:
        connect(db, wait_seconds=wait_seconds).close()
    except duckdb.Error as exc:
        if is_lock_error(exc):
            raise DatabaseUnavailable(f"the database {db} is held by another process (waited {wait_seconds:g} s); "
                                      "stop that process or pass another --db") from exc
        raise DatabaseUnavailable(f"cannot open the database {db}: {str(exc).splitlines()[0]}") from exc


def add_db_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default=default_db(), help="DuckDB file (default: $NEWSWATCH_DB or newswatch.duckdb)")


def add_sink_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sink", choices=("duckdb", "parquet"), default="duckdb",
                   help="duckdb (default), or parquet shards in --output for distributed runners "
                        "(merge them with `newswatch load DIR`)")
    p.add_argument("--output", default=None, help="folder for Parquet shards (with --sink parquet)")


def sink_options(args) -> dict:
    """Options for WriteToDuckDB from --sink/--output; raises SystemExit(2) on a bad combination."""
    if args.sink == "parquet":
        if not args.output:
            raise SystemExit("--sink parquet needs --output DIR")
        return {"output": args.output}
    return {}


def make_pipeline(pipeline_args: list[str], *, streaming: bool = False) -> beam.Pipeline:
    """A pipeline on Beam's in-process runner unless --runner says otherwise.

    Beam's default runner first tries to download a Prism binary; the
    in-process FnApiRunner needs nothing from the network.
    """
    options = PipelineOptions(pipeline_args, streaming=streaming or None, save_main_session=False)
    runner = None
    if not any(a == "--runner" or a.startswith("--runner=") for a in pipeline_args):
        from apache_beam.runners.portability.fn_api_runner import FnApiRunner
        runner = FnApiRunner()
    return beam.Pipeline(runner=runner, options=options)


@dataclass
class RunSummary:
    counters: dict[str, int] = field(default_factory=dict)

    def get(self, name: str) -> int:
        return self.counters.get(name, 0)

    @property
    def failed_inputs(self) -> int:
        return self.get("ingest_errors")


def summarise(pipeline) -> RunSummary:
    result = getattr(pipeline, "result", None)
    counters = {}
    if result is not None:
        try:
            query = result.metrics().query(MetricsFilter().with_namespace("newswatch"))
            for c in query["counters"]:
                counters[c.key.metric.name] = counters.get(c.key.metric.name, 0) + (c.committed or 0)
        except Exception:  # noqa: BLE001 - a runner without metrics still ran
            pass
    return RunSummary(counters)
