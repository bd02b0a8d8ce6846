"""The analyst's views and reference table (schemas/ddl.sql), and output that suits a terminal and a script."""
import io

import pytest

from newswatch.pipelines import cli
from newswatch.pipelines.display.tables import events_table
from newswatch.schemas import taxonomy
from newswatch.transforms.storage.sink import connect


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("views") / "seeds.duckdb")
    assert cli.main(["replay", "--db", db]) == 0
    return db


def query(db, sql):
    conn = connect(db, read_only=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_event_sources_has_one_row_per_mention_with_its_article(seeded):
    (n_sources,), = query(seeded, "SELECT count(*) FROM event_sources")
    (n_mentions,), = query(seeded, "SELECT count(*) FROM event_mentions")
    assert n_sources == n_mentions > 0
    missing = query(seeded, "SELECT count(*) FROM event_sources WHERE event_type IS NULL OR title IS NULL")
    assert missing == [(0,)]
    agree = query(seeded, """SELECT count(*) FROM event_sources s JOIN articles a USING (article_id)
                             WHERE s.url IS NOT DISTINCT FROM a.url AND s.published_at IS NOT DISTINCT FROM
                             a.published_at""")
    assert agree == [(n_mentions,)]


def test_dyads_count_each_unordered_pair_once_per_type(seeded):
    rows = query(seeded, "SELECT party_a, party_b, event_type, events, reports FROM dyads")
    assert rows and all(a < b for a, b, *_ in rows)
    expected = query(seeded, """SELECT event_type, count(*), sum(article_count) FROM events
                                WHERE list_contains(participants, 'JPN') AND list_contains(participants, 'VNM')
                                GROUP BY ALL ORDER BY 1""")
    got = sorted((t, n, r) for a, b, t, n, r in rows if (a, b) == ("JPN", "VNM"))
    assert got == [(t, n, r) for t, n, r in expected]


def test_event_types_come_from_the_taxonomy(seeded):
    rows = query(seeded, "SELECT event_type, cameo_code, plover_type FROM event_types ORDER BY 1")
    assert rows == sorted((name, t["cameo"], t["plover"]) for name, t in taxonomy().items())


def test_csv_has_unix_line_ends_and_lists_as_duckdb_prints_them(seeded, capsys):
    assert cli.main(["sql", "SELECT participants FROM events LIMIT 1", "--format", "csv", "--db", seeded]) == 0
    out = capsys.readouterr().out
    assert "\r" not in out and out.splitlines()[1] in ('"[JPN, VNM]"', '"[ASEAN, JPN]"')


def test_events_fit_an_80_column_terminal(seeded, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = io.StringIO()
    conn = connect(seeded, read_only=True)
    try:
        events_table(conn, limit=5, out=out)
    finally:
        conn.close()
    lines = out.getvalue().splitlines()
    assert len(lines) > 5 and max(len(line.rstrip()) for line in lines) <= 80
    assert any(line.startswith("agreement  JPN-VNM") for line in lines)


def test_events_filters_and_script_formats(seeded, capsys):
    import csv
    import json as _json
    assert cli.main(["events", "--type", "agreement", "--format", "csv", "--db", seeded]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    (n,), = query(seeded, "SELECT count(*) FROM events WHERE event_type = 'agreement'")
    assert len(rows) == n > 0 and {r["type"] for r in rows} == {"agreement"}
    assert all(r["id"] and r["url"].startswith("http") for r in rows)
    assert cli.main(["events", "--country", "asean", "--format", "json", "--db", seeded]) == 0
    found = _json.loads(capsys.readouterr().out)
    assert found and all("ASEAN" in e["participants"] for e in found)
    assert cli.main(["events", "--since", "2021-01-01", "--format", "json", "--db", seeded]) == 0
    assert all(e["date"] >= "2021" for e in _json.loads(capsys.readouterr().out))
    assert cli.main(["events", "--type", "summit", "--db", seeded]) == 2


def test_events_min_confidence_keeps_exactly_the_events_at_or_above_it(seeded, capsys):
    import json as _json
    confidences = sorted(c for (c,) in query(seeded, "SELECT confidence FROM events"))
    assert confidences[0] < confidences[-1]  # the seeds' events differ in confidence, so a cut shows something
    cut = (confidences[0] + confidences[-1]) / 2
    assert cli.main(["events", "--min-confidence", str(cut), "--format", "json", "--db", seeded]) == 0
    shown = _json.loads(capsys.readouterr().out)
    expected = {i for (i,) in query(seeded, f"SELECT event_id FROM events WHERE confidence >= {cut}")}
    assert 0 < len(expected) < len(confidences) and {e["id"] for e in shown} == expected
    assert cli.main(["events", "--min-confidence", str(cut), "--db", seeded]) == 0
    assert f"({len(confidences)}, {len(expected)} shown)" in capsys.readouterr().out
    top = confidences[-1]  # "at or above": the events at exactly the cut stay
    assert cli.main(["events", "--min-confidence", repr(top), "--format", "json", "--db", seeded]) == 0
    assert len(_json.loads(capsys.readouterr().out)) == confidences.count(top) > 0


def test_an_event_of_unknown_confidence_is_not_filtered_away(seeded, tmp_path, capsys):
    """A database from elsewhere may hold an event whose confidence is NULL (the schema allows it): as in
    `eval`, it counts as confidence 1, so neither the default nor a cut hides it."""
    import json as _json
    import shutil
    db = str(tmp_path / "copy.duckdb")
    shutil.copy(seeded, db)
    conn = connect(db)
    try:
        (event_id,), = conn.execute("SELECT event_id FROM events ORDER BY confidence LIMIT 1").fetchall()
        conn.execute("UPDATE events SET confidence = NULL WHERE event_id = ?", [event_id])
        (total,), = conn.execute("SELECT count(*) FROM events").fetchall()
    finally:
        conn.close()
    for extra in ([], ["--min-confidence", "0.99"]):
        assert cli.main(["events", *extra, "--format", "json", "--db", db]) == 0
        shown = _json.loads(capsys.readouterr().out)
        assert event_id in {e["id"] for e in shown}
    assert cli.main(["events", "--format", "json", "--db", db]) == 0
    assert len(_json.loads(capsys.readouterr().out)) == total


@pytest.mark.parametrize("value", ["1.5", "-0.1", "high", "nan"])
def test_events_min_confidence_outside_0_to_1_is_a_usage_error(seeded, capsys, value):
    assert cli.main(["events", "--min-confidence", value, "--db", seeded]) == 2
    assert "--min-confidence" in capsys.readouterr().err


@pytest.mark.parametrize("columns", ["80", "200"])
def test_the_table_says_how_many_shown_events_are_doubtful_and_how_to_leave_them_out(seeded, tmp_path, monkeypatch,
                                                                                      capsys, columns):
    import shutil
    monkeypatch.setenv("COLUMNS", columns)
    db = str(tmp_path / "copy.duckdb")
    shutil.copy(seeded, db)
    conn = connect(db)
    try:
        (before,), = conn.execute("SELECT count(*) FROM events WHERE confidence < 0.5").fetchall()
        conn.execute("UPDATE events SET confidence = 0.2, low_confidence = true WHERE event_id IN "
                     "(SELECT event_id FROM events WHERE confidence >= 0.5 ORDER BY event_id LIMIT 2)")
    finally:
        conn.close()
    assert cli.main(["events", "--db", db]) == 0
    out = capsys.readouterr().out
    assert f"{before + 2} of these below confidence 0.5: newswatch events --min-confidence 0.5 leaves them out" in out
    assert cli.main(["events", "--min-confidence", "0.5", "--db", db]) == 0
    assert "below confidence" not in capsys.readouterr().out
