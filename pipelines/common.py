"""What every pipeline shares: the runner choice, the --db flag, the run summary."""

from __future__ import annotations

import argparse
import functools
import logging
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

    from newswatch.transforms.storage.sink import connect, is_lock_error
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


# The DaskRunner's own options (--dask_client_address...) are defined where the runner is, a module that takes a
# quarter of a second to import (dask.distributed): read only when one is given.
DASK_OPTION_PREFIX = "--dask_"


@functools.cache
def _beam_options(with_dask: bool = False) -> dict[str, bool]:
    """Every Beam pipeline option string -> whether it takes a value (``with_dask``: the DaskRunner's too)."""
    from apache_beam.options.pipeline_options import PipelineOptions, _BeamArgumentParser
    if with_dask:
        try:
            import apache_beam.runners.dask.dask_runner  # noqa: F401
        except ImportError:
            pass

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    parser = _BeamArgumentParser(allow_abbrev=False)
    for cls in set(subclasses(PipelineOptions)):
        try:
            cls._add_argparse_args(parser)
        except Exception:  # noqa: BLE001 - an optional runner's options that cannot register
            continue
    return {opt: action.nargs != 0 for action in parser._actions for opt in action.option_strings
            if opt.startswith("--")}


def parse_with_beam(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """Split Beam's pipeline options (``--runner X`` or ``--runner=X``, with their values) from a command's own
    arguments, then parse those strictly: a mistyped option is a usage error (exit 2), not a Beam option, and
    an option's value is never taken for a positional path; paths may also follow options."""
    own = {opt for action in parser._actions for opt in action.option_strings}
    beam = _beam_options(any(token.startswith(DASK_OPTION_PREFIX) for token in argv))
    mine, pipeline_args = [], []
    i = 0
    while i < len(argv):
        token = argv[i]
        name = token.split("=", 1)[0]
        if token.startswith("--") and name not in own and name in beam:
            pipeline_args.append(token)
            if "=" not in token and beam[name]:
                if i + 1 == len(argv) or (argv[i + 1].startswith("-") and not _number(argv[i + 1])):
                    parser.error(f"argument {name}: expected one argument")  # "--runner" with no name: exit 2
                pipeline_args.append(argv[i + 1])
                i += 1
        else:
            mine.append(token)
        i += 1
    return parser.parse_intermixed_args(mine), pipeline_args  # paths may come after options too


def _number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _float(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None


def probability(value: str) -> float:
    """argparse type: a number from 0 to 1 (a confidence)."""
    number = _float(value)
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError(f"must be from 0 to 1, not {value}")
    return number


def positive(value: str) -> float:
    """argparse type: a number of seconds greater than zero."""
    number = _float(value)
    if not number > 0 or number == float("inf"):
        raise argparse.ArgumentTypeError(f"must be greater than 0 (and finite), not {value}")
    return number


def port_number(value: str) -> int:
    """argparse type: a TCP port, 1 to 65535."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 0 < number < 65536:
        raise argparse.ArgumentTypeError(f"must be a port from 1 to 65535, not {value}")
    return number


def add_db_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default=default_db(), help="DuckDB file (default: $NEWSWATCH_DB or newswatch.duckdb)")


def add_extraction_arguments(p: argparse.ArgumentParser, *, extractor_help: str | None = None) -> None:
    """--model, --extractor and --no-cascade: how a pipeline finds events."""
    from newswatch.transforms.language.extraction import EXTRACTORS
    p.add_argument("--model", default=None, help="spaCy pipeline to load (default: en_core_web_sm if installed)")
    p.add_argument("--extractor", choices=sorted(EXTRACTORS), default="rules", help=extractor_help or (
        "rules (default): every event the rules find, its confidence from the learned model; hybrid: only those "
        "the model judges right (higher precision, lower recall); components: parse-based roles and modality "
        "with the trained sentence classifier"))
    p.add_argument("--no-cascade", dest="cascade", action="store_false",
                   help="run the spaCy pipeline on every article; by default a cheap first pass skips those where "
                        "the rules (rules, hybrid) cannot find an event, with identical results")


# A batch run extracts in a pool of worker processes by default when it has at least this many inputs: below
# it, starting the workers (each loads the spaCy pipeline) costs more than it saves.
AUTO_PROCESSES_FROM = 200
# A feed run cannot count its articles before it polls: from this many feeds it is taken as large (a first pass
# over them fetches hundreds of pages). The pool starts only with the first article that needs the parse, so a
# later pass that finds little new starts it late or never.
AUTO_FEEDS_FROM = 10


def add_processes_argument(p: argparse.ArgumentParser, large: str = f"{AUTO_PROCESSES_FROM} inputs or more (or a "
                                                                      "web archive)") -> None:
    p.add_argument("--extract-processes", default="auto", metavar="N|auto",
                   help="worker processes that extract events (each loads the spaCy pipeline once); auto "
                        f"(default): one per usable core, up to 4, on the local runner with {large}, else 1")


def extract_processes(value: str, pipeline_args: list[str], inputs: int | None) -> int:
    """The number of extraction processes for --extract-processes ``value``; ``inputs``: how many articles the
    run reads (None: not known beforehand, as for a web archive, which is a large backfill)."""
    if value != "auto":
        try:
            number = int(value)
        except ValueError:
            raise SystemExit(f"--extract-processes must be a whole number or auto, not {value!r}") from None
        if number < 1:
            raise SystemExit(f"--extract-processes must be at least 1, not {number}")
        return number
    if runner_name(pipeline_args) is not None:  # another runner spreads the work its own way
        return 1
    if inputs is not None and inputs < AUTO_PROCESSES_FROM:
        return 1
    from newswatch.transforms.language.parallel import usable_cores
    return max(1, min(usable_cores(), 4))


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


# Runners Beam does not know by their short name.
RUNNER_ALIASES = {"DaskRunner": "apache_beam.runners.dask.dask_runner.DaskRunner"}
# Beam's direct runner is the local runner a run uses without --runner. Beam's own DirectRunner first
# downloads a Prism binary from GitHub (a network fetch at run time, and another engine); newswatch runs it
# as the in-process FnApiRunner, as when no runner is named.
def _direct(value: str) -> bool:
    """Does the runner name Beam's direct runner, in any of the forms Beam resolves (any case, with or without
    "Runner", or a path under apache_beam.runners)?"""
    module, _, name = value.lower().rpartition(".")
    if module and not module.startswith("apache_beam.runners"):
        return False
    return name.removesuffix("runner") in ("direct", "switchingdirect")


def runner_name(pipeline_args: list[str]) -> str | None:
    """The --runner given (either form), with its alias resolved; None when there is none or it names Beam's
    direct runner, which is the in-process runner of a run that names none."""
    for i, arg in enumerate(pipeline_args):
        if arg.startswith("--runner="):
            value = arg.split("=", 1)[1]
        elif arg == "--runner" and i + 1 < len(pipeline_args):
            value = pipeline_args[i + 1]
        else:
            continue
        return None if _direct(value) else RUNNER_ALIASES.get(value, value)
    return None


def needs_linear_chain(pipeline_args: list[str]) -> bool:
    """Beam's DaskRunner (2.77) hands every output of a multi-output DoFn to each of its consumers, so on it
    the batch path runs as one chain of single-output steps."""
    return "dask" in (runner_name(pipeline_args) or "").lower()


def make_pipeline(pipeline_args: list[str], *, streaming: bool = False) -> beam.Pipeline:
    """A pipeline on Beam's in-process runner unless --runner names another.

    Beam's default runner, and its DirectRunner, first try to download a
    Prism binary; the in-process FnApiRunner needs nothing from the network.
    An unknown runner, or one whose package is missing, is a usage error.
    """
    name = runner_name(pipeline_args)
    options = PipelineOptions(_without_runner(pipeline_args), streaming=streaming or None, save_main_session=False)
    if name is None:
        from apache_beam.runners.portability.fn_api_runner import FnApiRunner
        return beam.Pipeline(runner=FnApiRunner(), options=options)
    from apache_beam.runners.runner import create_runner
    if "dask" in name.lower() and not logging.getLogger("newswatch").isEnabledFor(logging.DEBUG):
        # the local cluster's scheduler and workers log every start and stop at INFO (-vv shows them)
        for noisy in ("distributed", "bokeh", "tornado"):
            logging.getLogger(noisy).setLevel(logging.ERROR)
    try:
        runner = create_runner(name)
    except (ValueError, ImportError) as exc:
        raise SystemExit(f"cannot use the runner {name!r}: {str(exc).splitlines()[0][:200]}") from exc
    return beam.Pipeline(runner=runner, options=options)


def _without_runner(pipeline_args: list[str]) -> list[str]:
    out, skip = [], False
    for arg in pipeline_args:
        if skip:
            skip = False
            continue
        if arg == "--runner":
            skip = True
            continue
        if arg.startswith("--runner="):
            continue
        out.append(arg)
    return out


@dataclass
class RunSummary:
    counters: dict[str, int] = field(default_factory=dict)
    counted: bool = True  # False when the runner reports no metrics (Beam's DaskRunner)

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
            return RunSummary({}, counted=False)
    return RunSummary(counters, counted=bool(counters))
