"""Beam's DaskRunner on a local dask.distributed cluster: the seeds, written as Parquet shards and loaded,
give exactly the local runner's events."""
import socket

import pytest
from conftest import table_counts

from newswatch.pipelines import cli
from newswatch.transforms.storage.sink import connect

pytest.importorskip("apache_beam.runners.dask.dask_runner", reason="apache-beam[dask] is a dependency")


def events(db):
    conn = connect(db, read_only=True)
    try:
        return conn.execute("SELECT event_id, event_type, participants, event_date, date_precision, article_count "
                            "FROM events ORDER BY event_id").fetchall()
    finally:
        conn.close()


def test_the_seeds_on_dask_give_the_local_runners_events(tmp_path, capsys):
    local = str(tmp_path / "local.duckdb")
    assert cli.main(["replay", "--db", local, "-q"]) == 0
    shards = str(tmp_path / "shards")
    assert cli.main(["replay", "--runner", "DaskRunner", "--sink", "parquet", "--output", shards, "-q"]) == 0
    assert "this runner reports no counts" in capsys.readouterr().out  # said, not a false zero
    loaded = str(tmp_path / "loaded.duckdb")
    assert cli.main(["load", shards, "--db", loaded]) == 0
    assert events(loaded) == events(local) and len(events(local)) >= 10
    assert table_counts(loaded) == table_counts(local)


def test_an_unknown_runner_is_a_usage_error(capsys):
    assert cli.main(["replay", "--runner", "NoSuchRunner", "--sink", "parquet", "--output", "/tmp/x"]) == 2
    err = capsys.readouterr().err
    assert "cannot use the runner 'NoSuchRunner'" in err and "Traceback" not in err


def test_an_unreachable_dask_scheduler_is_one_line_and_exit_2(tmp_path, capsys):
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert cli.main(["replay", "--runner", "DaskRunner", f"--dask_client_address=tcp://127.0.0.1:{port}",
                     "--dask_connection_timeout", "2", "--sink", "parquet", "--output", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert "newswatch replay: cannot reach the Dask scheduler" in err and "Traceback" not in err
