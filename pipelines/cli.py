"""The ``newswatch`` command line (the contract is the project's specification, kept outside this repository).

Exit status: 0 success, 1 the run finished but some inputs failed (they are
in ``ingest_errors``), 2 bad usage or configuration, 3 newswatch itself crashed.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from newswatch.pipelines.status import EXIT_BROKEN_PIPE, EXIT_CRASH, EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE

COMMANDS = {
    "replay": "replay files or folders (default: the bundled seeds)",
    "run": "one batch pass over the feeds of a feeds file",
    "monitor": "poll feeds continuously (streaming)",
    "load": "merge Parquet shards of --sink parquet runs into the database",
    "sql": "run read-only SQL against the database (it cannot write or read other files)",
    "export": "write a read-only query's result to FILE.parquet or FILE.csv",
    "eval": "replay into a scratch database and score against a gold file",
    "events": "print the events table in a readable form",
    "report": "write one self-contained HTML page of the events (timeline, who with whom, sources)",
}


def _usage() -> str:
    lines = ["usage: newswatch COMMAND [ARGS] [--db PATH] [-v|-q] [beam pipeline options]",
             "       newswatch --version", "", "commands:"]
    lines += [f"  {name:<8} {text}" for name, text in COMMANDS.items()]
    return "\n".join(lines)


class _QuietBeamImport(logging.Filter):
    """Beam warns at import that Google Cloud clients are missing; newswatch never uses them."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "apitools not found" not in record.getMessage()


_VERBOSITY = {"-q": logging.ERROR, "--quiet": logging.ERROR, "-v": logging.INFO, "--verbose": logging.INFO,
              "-vv": logging.DEBUG}


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as package_version
    try:
        return package_version("newswatch")
    except PackageNotFoundError:
        return "unknown (not installed)"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # -v/-q belong to every command (and -q also hides the progress display of `run` and `replay`)
    levels = [_VERBOSITY[a] for a in argv if a in _VERBOSITY]
    argv = [a for a in argv if a not in _VERBOSITY]
    if argv and argv[0] in ("run", "replay") and levels and levels[-1] == logging.ERROR:
        argv.append("--quiet")
    level = levels[-1] if levels else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        datefmt="%Y-%m-%dT%H:%M:%S%z", force=True)
    logging.getLogger("newswatch").setLevel(level)
    for handler in logging.getLogger().handlers:
        handler.addFilter(_QuietBeamImport())
    if argv and argv[0] == "--version":
        print(f"newswatch {version()}")
        return EXIT_OK
    if not argv or argv[0] in ("-h", "--help"):
        print(_usage())
        return EXIT_OK if argv else EXIT_USAGE
    command, rest = argv[0], argv[1:]
    handler = {"replay": cmd_replay, "sql": cmd_sql, "export": cmd_export, "eval": cmd_eval, "events": cmd_events,
               "run": cmd_run, "monitor": cmd_monitor, "load": cmd_load, "report": cmd_report}.get(command)
    if handler is None:
        print(f"newswatch: unknown command {command!r}\n\n{_usage()}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return handler(rest)
    except SystemExit as exc:  # argparse errors (already printed) or a usage message
        if isinstance(exc.code, str):
            print(f"newswatch {command}: {exc.code}", file=sys.stderr)
        return EXIT_USAGE if exc.code not in (0, None) else EXIT_OK
    except UsageError as exc:
        print(f"newswatch {command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # the reader went away ("newswatch events | head"): no traceback, and none at exit
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # noqa: BLE001
        from newswatch.pipelines.common import DatabaseUnavailable
        if isinstance(exc, DatabaseUnavailable):
            print(f"newswatch {command}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        # a crash of newswatch itself, not of an input (those are rows of ingest_errors): exit 3, so that
        # cron and scripts tell it from "finished, some inputs failed" (1); the traceback is for the bug report
        import traceback
        traceback.print_exc(file=sys.stderr)
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        print(f"newswatch {command}: crashed: {exc.__class__.__name__}: {first}", file=sys.stderr)
        return EXIT_CRASH


class UsageError(Exception):
    """Bad usage or configuration (exit 2)."""


def cmd_replay(argv: list[str]) -> int:
    import datetime as dt

    from newswatch.pipelines import replay
    from newswatch.pipelines.common import parse_with_beam
    known, _ = parse_with_beam(replay.parser(), argv)
    started = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)  # the sink's clock (UTC)
    summary = replay.run(argv)
    if known.sink == "parquet":
        counts = (f"{summary.get('articles_prepared')} articles read, {summary.failed_inputs} failed inputs"
                  if summary.counted else "this runner reports no counts")
        print(f"replayed into Parquet shards in {known.output} ({counts}); "
              f"merge them with `newswatch load {known.output}`")
        return EXIT_INPUT_ERRORS if summary.failed_inputs else EXIT_OK
    print(f"replayed into {known.db}: {summary.get('articles_prepared')} articles read, "
          f"{summary.get('articles_written')} new or changed, {summary.get('events_new')} new events, "
          f"{summary.get('events_merged')} merged into existing events, {summary.failed_inputs} failed inputs"
          + (f", {summary.get('archive_records_skipped')} web-archive records skipped (requests, revisits, "
             "non-HTML, not 200)" if summary.get("archive_records_skipped") else ""))
    if summary.failed_inputs:
        print_failures(known.db, started)
    print_events(known.db)
    return EXIT_INPUT_ERRORS if summary.failed_inputs else EXIT_OK


# How many of a run's failures the summary names.
FAILURES_SHOWN = 3


def print_failures(db: str, since, out=None) -> None:
    """The first few inputs that failed in this run, and the query that lists them all."""
    from newswatch.transforms.storage.sink import connect
    stamp = since.strftime("%Y-%m-%d %H:%M:%S")
    query = f"SELECT origin, stage, error FROM ingest_errors WHERE last_seen_at >= TIMESTAMP '{stamp}'"
    conn = connect(db, read_only=True)
    try:
        rows = conn.execute(query + " ORDER BY origin, stage LIMIT ?", [FAILURES_SHOWN + 1]).fetchall()
    finally:
        conn.close()
    out = out or sys.stdout
    print("failed:", file=out)
    for origin, stage, error in rows[:FAILURES_SHOWN]:
        print(f"  {origin} ({stage}): {error.splitlines()[0] if error else ''}", file=out)
    if len(rows) > FAILURES_SHOWN:
        print("  ...", file=out)
    print(f'all of them: newswatch sql --db {db} "{query}"', file=out)


def print_events(db: str, limit: int = 50) -> None:
    from newswatch.pipelines.display.tables import events_table
    with _analyst_session(db, 10.0) as conn:
        events_table(conn, limit=limit)


def cmd_events(argv: list[str]) -> int:
    import datetime as dt

    from newswatch.pipelines.common import add_db_argument, positive, probability
    from newswatch.pipelines.display.tables import events_table
    from newswatch.schemas import event_types
    p = argparse.ArgumentParser(prog="newswatch events", description="The events, readable; or csv/json.")
    add_db_argument(p)
    p.add_argument("--limit", type=int, default=100)
    p.add_argument("--type", choices=event_types(), help="only this event type")
    p.add_argument("--country", metavar="CODE", help="only events with this participant (ISO-3 or organisation code)")
    p.add_argument("--since", type=dt.date.fromisoformat, metavar="YYYY-MM-DD", help="only events dated from this day")
    p.add_argument("--min-confidence", type=probability, default=0.0, metavar="P",
                   help="only events at this confidence or above (0 to 1; `newswatch eval` prints how often events "
                        "at each confidence are right)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help="csv and json add each event's id and first source's url and publisher")
    p.add_argument("--wait", type=positive, default=30.0, help="seconds to wait for a writer's lock (default 30)")
    args = p.parse_args(argv)
    import duckdb
    with _analyst_session(args.db, args.wait) as conn:
        try:
            events_table(conn, args.limit, event_type=args.type, country=args.country, since=args.since,
                         fmt=args.format, min_confidence=args.min_confidence)
        except duckdb.Error as exc:
            raise UsageError(f"cannot read {args.db}: {str(exc).splitlines()[0]}") from exc
    return EXIT_OK


def cmd_sql(argv: list[str]) -> int:
    from newswatch.pipelines.common import add_db_argument, positive
    from newswatch.pipelines.display.tables import print_query
    p = argparse.ArgumentParser(prog="newswatch sql", description="Run read-only SQL against the database.")
    p.add_argument("query", help="the SQL, or - to read it from standard input")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--wait", type=positive, default=30.0, help="seconds to wait for a writer's lock (default 30)")
    add_db_argument(p)
    args = p.parse_args(argv)
    import duckdb
    query = sys.stdin.read() if args.query == "-" else args.query
    with _analyst_session(args.db, args.wait) as conn:
        try:
            cur = conn.execute(query)
            print_query(cur, args.format)
        except duckdb.Error as exc:
            raise UsageError(_sql_error(exc)) from exc
    return EXIT_OK


def _sql_error(exc: Exception) -> str:
    line = str(exc).splitlines()[0]
    if "disabled" in line or "Cannot change configuration" in line:
        return f"refused: newswatch sql reads this database only, and writes nothing ({line})"
    return line


class _analyst_session:
    """The sandboxed read-only connection of ``sql`` and ``export`` (transforms/storage/sink.py: sandboxed)."""

    def __init__(self, db: str, wait: float):
        self.db, self.wait = db, wait

    def __enter__(self):
        import os

        import duckdb

        from newswatch.transforms.storage.sink import sandboxed
        if not os.path.exists(self.db):
            raise UsageError(f"no database at {self.db} (run `newswatch replay` first, or pass --db)")
        try:
            self.conn = sandboxed(self.db, wait_seconds=self.wait)
        except duckdb.Error as exc:
            raise UsageError(f"cannot open {self.db}: {str(exc).splitlines()[0]}") from exc
        return self.conn

    def __exit__(self, *exc):
        self.conn.close()
        return False


def cmd_export(argv: list[str]) -> int:
    """A query's result to a Parquet or CSV file, written by newswatch (``sql`` itself cannot write files)."""
    from newswatch.pipelines.common import add_db_argument, positive
    p = argparse.ArgumentParser(prog="newswatch export", description="Write a read-only query's result to a file.")
    p.add_argument("query")
    p.add_argument("--to", required=True, metavar="FILE", help="FILE.parquet or FILE.csv")
    p.add_argument("--wait", type=positive, default=30.0, help="seconds to wait for a writer's lock (default 30)")
    add_db_argument(p)
    args = p.parse_args(argv)
    import os

    import duckdb
    kind = os.path.splitext(args.to)[1].lower()
    if kind not in (".parquet", ".csv"):
        raise UsageError(f"--to must end in .parquet or .csv, not {args.to!r}")
    with _analyst_session(args.db, args.wait) as conn:
        try:
            relation = conn.sql(args.query)
            if relation is None:
                raise UsageError("export needs a query that returns rows")
            reader = relation.to_arrow_reader()
        except duckdb.Error as exc:
            raise UsageError(_sql_error(exc)) from exc
        rows = _write_batches(reader, args.to, kind)
    print(f"{rows} row{'s' if rows != 1 else ''} -> {args.to}")
    return EXIT_OK


def _write_batches(reader, path: str, kind: str) -> int:
    """Stream record batches to ``path`` (written beside it, then moved in place)."""
    import os

    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq
    tmp = f"{path}.tmp-{os.getpid()}"
    rows = 0
    flat = _csv_batch if kind == ".csv" else (lambda batch: batch)
    schema = reader.schema
    if kind == ".csv":  # what the flattened batches will hold
        schema = _csv_batch(pa.RecordBatch.from_pylist([], schema=schema)).schema
    try:
        writer = pq.ParquetWriter(tmp, schema) if kind == ".parquet" else pcsv.CSVWriter(tmp, schema)
        try:
            for batch in reader:
                writer.write_batch(flat(batch))
                rows += batch.num_rows
        finally:
            writer.close()
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)  # a failed export leaves no partial file behind
    return rows


def _csv_batch(batch):
    """CSV has no lists: a list of plain values (an event's participants) becomes its items joined by ";" (a
    missing item empty), and any other nested value (a struct, a map, a list of lists) its JSON."""
    import json

    import pyarrow as pa
    columns, fields = [], []
    for field, column in zip(batch.schema, batch.columns):
        if pa.types.is_nested(field.type):
            plain = (pa.types.is_list(field.type) or pa.types.is_large_list(field.type)) and \
                not pa.types.is_nested(field.type.value_type)
            column = pa.array([None if v is None else ";".join("" if x is None else str(x) for x in v) if plain
                               else json.dumps(v, default=str) for v in column.to_pylist()], type=pa.string())
            field = pa.field(field.name, pa.string())
        columns.append(column)
        fields.append(field)
    return pa.RecordBatch.from_arrays(columns, schema=pa.schema(fields))


def cmd_report(argv: list[str]) -> int:
    """One HTML page of the events (pipelines/display/report.py), read in the same sandbox as ``sql``."""
    import os

    import duckdb

    from newswatch.pipelines.display import report
    args = report.parser().parse_args(argv)
    folder = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise UsageError(f"cannot write {args.out}: {folder} is not a writable folder")
    with _analyst_session(args.db, args.wait) as conn:
        try:
            totals = report.write_report(conn, args.out, os.path.basename(args.db), since=args.since,
                                         country=args.country, event_type=args.type,
                                         min_confidence=args.min_confidence)
        except duckdb.Error as exc:
            raise UsageError(f"cannot read {args.db}: {str(exc).splitlines()[0]}") from exc
    print(f"{totals['events']} events from {totals['reports']} reports -> {args.out}")
    return EXIT_OK


def cmd_eval(argv: list[str]) -> int:
    from newswatch.pipelines.evaluate import run_eval
    return run_eval(argv)


def cmd_load(argv: list[str]) -> int:
    from newswatch.pipelines.load import main as load_main
    return load_main(argv)


def cmd_run(argv: list[str]) -> int:
    try:
        from newswatch.pipelines import feedrun
    except ImportError as exc:
        raise UsageError(f"`run` is not available: {exc}") from exc
    return feedrun.main(argv)


def cmd_monitor(argv: list[str]) -> int:
    try:
        from newswatch.pipelines import monitor
    except ImportError as exc:
        raise UsageError(f"`monitor` is not available: {exc}") from exc
    return monitor.main(argv)


if __name__ == "__main__":
    sys.exit(main())
