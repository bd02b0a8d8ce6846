"""Replay's guarantees on real runs: the result does not depend on input order, and a run killed at any moment
and run again equals a clean run (issue 11)."""
import json
import random
import subprocess
import sys
import time

import pytest
from conftest import FIXTURES, table_counts

from newswatch.pipelines import cli
from newswatch.transforms.storage.sink import connect

EVENTS = "SELECT event_type, participants, event_date, date_precision, article_count FROM events ORDER BY ALL"


def _stream():
    """dev2's articles that report one event with another article, and the ordinary news beside them."""
    gold = [json.loads(line) for line in (FIXTURES / "dev2" / "gold.jsonl").read_text().splitlines() if line]
    ids = {}
    for g in gold:
        for e in g["events"]:
            ids.setdefault(e["id"], set()).add(g["file"])
    paired = {f for files in ids.values() if len(files) > 1 for f in files}
    ordinary = [g["file"] for g in gold if not g["is_defence_cooperation"]][:4]
    wanted = paired | set(ordinary)
    records = [json.loads(line) for line in (FIXTURES / "dev2" / "articles.jsonl").read_text().splitlines() if line]
    return [r for r in records if r["id"] in wanted]


def _events(db):
    conn = connect(db, read_only=True)
    try:
        return conn.execute(EVENTS).fetchall()
    finally:
        conn.close()


def _write(path, records):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clean")
    records = _stream()
    assert len(records) >= 10
    db = str(folder / "clean.duckdb")
    assert cli.main(["replay", _write(folder / "in.jsonl", records), "--db", db, "-q"]) == 0
    return records, db


def test_the_result_does_not_depend_on_the_order_of_the_input(tmp_path, clean):
    records, clean_db = clean
    shuffled = records[:]
    random.Random(7).shuffle(shuffled)
    db = str(tmp_path / "shuffled.duckdb")
    assert cli.main(["replay", _write(tmp_path / "in.jsonl", list(reversed(shuffled))), "--db", db, "-q"]) == 0
    assert _events(db) == _events(clean_db)


@pytest.mark.parametrize("after", [0.5, 3.0])
def test_a_replay_killed_mid_run_then_rerun_equals_a_clean_run(tmp_path, clean, after):
    records, clean_db = clean
    source = _write(tmp_path / "in.jsonl", records)
    db = str(tmp_path / "killed.duckdb")
    proc = subprocess.Popen([sys.executable, "-m", "newswatch.pipelines.cli", "replay", source, "--db", db, "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(after)
    proc.kill()
    proc.wait(timeout=30)
    assert cli.main(["replay", source, "--db", db, "-q"]) == 0
    assert table_counts(db) == table_counts(clean_db)
    assert _events(db) == _events(clean_db)
