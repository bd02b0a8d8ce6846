"""The command line behaves like a good Unix tool: strict options, Beam options in both forms, -v/-q, --version."""
import io
import tempfile

import pytest
from conftest import table_counts

from newswatch.pipelines import cli


@pytest.fixture
def one_article(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("A title\n\nSome text about nothing in particular.", encoding="utf-8")
    return str(f)


def test_version(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("newswatch ")


@pytest.mark.parametrize("argv", [
    ["replay", "--limt", "5"],
    ["eval", "gold.jsonl", "--extracter", "rules"],
    ["run", "--feeds", "f.toml", "--bogus"],
    ["monitor", "--feeds", "f.toml", "--interval", "0"],
    ["monitor", "--feeds", "f.toml", "--interval", "-5"],
    ["monitor", "--feeds", "f.toml", "--snapshot-every", "nan"],
    ["sql", "SELECT 1", "--wait", "0"],
    ["replay", "a.jsonl", "--runner"],                       # a Beam option with no value
    ["replay", "a.jsonl", "--runner", "-q"],
])
def test_mistyped_options_and_bad_values_are_usage_errors(argv, capsys):
    assert cli.main(argv) == 2
    assert "usage:" in capsys.readouterr().err


@pytest.mark.parametrize("runner", [["--runner", "DirectRunner"], ["--runner=DirectRunner"]])
def test_beam_options_pass_in_both_forms_and_never_become_paths(tmp_path, one_article, runner, monkeypatch):
    db = str(tmp_path / "n.duckdb")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    assert cli.main(["replay", one_article, *runner, "--db", db, "-q"]) == 0
    assert table_counts(db)["articles"] == 1 and table_counts(db)["ingest_errors"] == 0
    # the direct runner runs in process: Beam's own would first start a Prism job server (a binary it
    # downloads from GitHub), which leaves a beam-temp folder behind
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize("name", ["DirectRunner", "direct", "dIrEcTrUnNeR", "switchingdirect",
                                  "apache_beam.runners.DirectRunner", "apache_beam.runners.direct.DirectRunner",
                                  "apache_beam.runners.direct.direct_runner.SwitchingDirectRunner"])
def test_every_name_of_beams_direct_runner_runs_in_process(name):
    from apache_beam.runners.portability.fn_api_runner import FnApiRunner

    from newswatch.pipelines.common import extract_processes, make_pipeline
    assert isinstance(make_pipeline(["--runner", name]).runner, FnApiRunner)
    assert extract_processes("auto", [f"--runner={name}"], None) == extract_processes("auto", [], None)


@pytest.mark.parametrize("beam_args", [
    ["--runner", "DirectRunner"],
    ["--runner=DaskRunner", "--dask_client_address", "tcp://127.0.0.1:1"],
    ["--dask_client_address=tcp://127.0.0.1:1", "--runner", "DaskRunner", "--dask_npartitions", "4"],
])
def test_beam_and_dask_options_split_from_the_command_s_own(beam_args):
    """A Beam option's value, a Dask runner's option among them, is never taken for a positional path."""
    from newswatch.pipelines import replay
    from newswatch.pipelines.common import parse_with_beam
    known, pipeline_args = parse_with_beam(replay.parser(), ["a.jsonl", *beam_args, "--db", "x.duckdb", "b.jsonl"])
    assert known.paths == ["a.jsonl", "b.jsonl"] and known.db == "x.duckdb"
    assert pipeline_args == beam_args


def test_verbosity_flags_go_anywhere(tmp_path, one_article):
    db = str(tmp_path / "n.duckdb")
    assert cli.main(["-v", "replay", one_article, "--db", db]) == 0
    assert cli.main(["replay", one_article, "--db", db, "--quiet"]) == 0


def test_sql_reads_the_query_from_stdin(tmp_path, one_article, monkeypatch, capsys):
    db = str(tmp_path / "n.duckdb")
    assert cli.main(["replay", one_article, "--db", db, "-q"]) == 0
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO("SELECT count(*) AS n FROM articles"))
    assert cli.main(["sql", "-", "--format", "csv", "--db", db]) == 0
    assert capsys.readouterr().out.split() == ["n", "1"]


def _bad_records(tmp_path):
    records = tmp_path / "records.jsonl"
    records.write_text('{"id": "fine", "text": "Nothing happened in the town hall today."}\n'
                       'not json\n'
                       '{"id": "empty"}\n'
                       '{"id": "also-fine", "text": "The library opened a new reading room."}\n'
                       '{"id": "no-text", "title": "A title only"}\n'
                       '{"id": "empty-text", "text": ""}\n', encoding="utf-8")
    return records


def test_replay_names_its_first_failures_and_the_query_for_all_of_them(tmp_path, capsys):
    db = str(tmp_path / "n.duckdb")
    assert cli.main(["replay", str(_bad_records(tmp_path)), "--db", db]) == 1
    out = capsys.readouterr().out
    named = [line for line in out.splitlines() if line.startswith("  ") and "(read):" in line]
    assert len(named) == cli.FAILURES_SHOWN and "  ..." in out.splitlines()
    query = out.split("all of them: ")[1].splitlines()[0]
    assert query.startswith(f"newswatch sql --db {db} ")
    # the printed query lists every failure of the run, and only those
    assert cli.main(["sql", query.split('"')[1], "--db", db, "--format", "csv"]) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    assert len(rows) == 4 == table_counts(db)["ingest_errors"]
    assert all(line.split("(read):")[0].strip() in "".join(rows) for line in named)


def test_replay_shows_every_input_on_its_progress_display(tmp_path):
    """The display (transforms/beam/telemetry.py -> pipelines/display/progress.py) counts one outcome per input."""
    from newswatch.pipelines import replay
    from newswatch.pipelines.display import progress
    from newswatch.transforms.beam import telemetry
    screen = io.StringIO()
    replay.run([str(_bad_records(tmp_path)), "--db", str(tmp_path / "n.duckdb")],
               display=progress.ReplayDisplay(stream=screen))
    shown = screen.getvalue()
    assert "6/6" in shown and "4 failed" in shown, shown
    assert type(telemetry.observer()) is telemetry.Observer  # nobody watches after the run


BAD_DATABASES = {
    "not DuckDB": lambda tmp: (tmp / "notes.duckdb", "not a valid DuckDB database"),
    "a folder": lambda tmp: (tmp, "Is a directory"),
    "in a missing folder": lambda tmp: (tmp / "no" / "x.duckdb", "no"),
    "unwritable": lambda tmp: ("/proc/newswatch-test.duckdb", "/proc/newswatch-test.duckdb"),  # even for root
}
COMMANDS = {
    "replay": lambda tmp: ["replay"],
    "run": lambda tmp: ["run", "--feeds", str(tmp / "feeds.toml")],
    "monitor": lambda tmp: ["monitor", "--feeds", str(tmp / "feeds.toml")],
    "load": lambda tmp: ["load", str(tmp)],
    "events": lambda tmp: ["events"],
    "sql": lambda tmp: ["sql", "SELECT 1"],
    "export": lambda tmp: ["export", "SELECT 1", "--to", str(tmp / "out.csv")],
    "report": lambda tmp: ["report", "--out", str(tmp / "out.html")],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("kind", sorted(BAD_DATABASES))
def test_a_bad_database_is_one_line_and_exit_2_before_any_work(tmp_path, capsys, command, kind):
    (tmp_path / "notes.duckdb").write_text("not a database\n", encoding="utf-8")
    (tmp_path / "feeds.toml").write_text('[[feed]]\nname = "x"\nurl = "http://127.0.0.1:9/feed.xml"\n',
                                         encoding="utf-8")
    db, words = BAD_DATABASES[kind](tmp_path)
    assert cli.main([*COMMANDS[command](tmp_path), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"newswatch {command}: ") and words in err, err
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "out.html").exists()


@pytest.mark.parametrize("command", [["sql", "--format", "csv", "SELECT range AS n FROM range(2000000)"],
                                     ["events"], ["sql", "SELECT 1 AS n"]], ids=["sql-csv", "events", "sql-table"])
def test_a_reader_that_goes_away_is_exit_141_without_a_traceback(tmp_path, one_article, command):
    """"newswatch sql ... | head -1": once a crash (exit 3, with a traceback); the tables rich prints exited 1,
    read as 2 (a usage error)."""
    import subprocess
    import sys
    db = str(tmp_path / "n.duckdb")
    assert cli.main(["replay", one_article, "--db", db, "-q"]) == 0
    proc = subprocess.Popen([sys.executable, "-m", "newswatch.pipelines.cli", *command, "--db", db],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        proc.stdout.close()  # the reader is gone before the first line is written
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == 141, err
    finally:
        proc.kill()
    assert "Traceback" not in err and "crashed" not in err, err
