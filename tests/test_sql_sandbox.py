"""``newswatch sql`` reads its own database and nothing else; ``newswatch export`` writes a query's result."""
import datetime as dt

import duckdb
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from newswatch.pipelines import cli
from newswatch.schemas.rows import Article, ExtractedArticle
from newswatch.transforms.storage.sink import write


@pytest.fixture
def db(tmp_path):
    path = str(tmp_path / "news.duckdb")
    art = Article(article_id="a1", url="https://example.org/a", origin="a.txt", title="A title", publisher=None,
                  published_at=None, fetched_at=dt.datetime(2024, 1, 1), language="en", text="Some text.",
                  content_hash="h1", source="replay", date_source=None)
    write(path, [ExtractedArticle(art, [])])
    return path


@pytest.fixture
def other(tmp_path):
    path = str(tmp_path / "other.duckdb")
    conn = duckdb.connect(path)
    conn.execute("CREATE TABLE kept AS SELECT 42 AS x")
    conn.close()
    return path


def test_plain_queries_still_work(db, capsys):
    assert cli.main(["sql", "SELECT count(*) AS n FROM articles", "--format", "csv", "--db", db]) == 0
    assert capsys.readouterr().out.split() == ["n", "1"]


def test_another_database_can_be_neither_changed_nor_read(db, other, capsys):
    assert cli.main(["sql", f"ATTACH '{other}' AS o (READ_WRITE); DELETE FROM o.kept", "--db", db]) == 2
    assert cli.main(["sql", f"ATTACH '{other}' AS o (READ_ONLY)", "--db", db]) == 2
    assert "refused" in capsys.readouterr().err
    conn = duckdb.connect(other, read_only=True)
    assert conn.execute("SELECT x FROM kept").fetchall() == [(42,)]
    conn.close()


@pytest.mark.parametrize("query", [
    "COPY (SELECT 1) TO '{target}'",
    "COPY articles TO '{target}' (FORMAT parquet)",
    "EXPORT DATABASE '{target}'",
])
def test_no_file_is_written(db, tmp_path, query):
    target = tmp_path / "written"
    assert cli.main(["sql", query.format(target=target), "--db", db]) == 2
    assert not target.exists()


@pytest.mark.parametrize("query", [
    "SELECT * FROM read_csv('{secret}')",
    "SELECT * FROM read_text('{secret}')",
    "SELECT * FROM '{secret}'",
    "SELECT * FROM glob('{folder}/*')",
])
def test_no_file_of_the_machine_is_read(db, tmp_path, capsys, query):
    secret = tmp_path / "secret.csv"
    secret.write_text("token\nsesame\n")
    assert cli.main(["sql", query.format(secret=secret, folder=tmp_path), "--format", "csv", "--db", db]) == 2
    captured = capsys.readouterr()
    assert "sesame" not in captured.out and "secret.csv" not in captured.out
    assert captured.err.count("\n") == 1  # one clear line


@pytest.mark.parametrize("query", ["INSTALL httpfs", "LOAD httpfs", "SET enable_external_access = true",
                                   "SET lock_configuration = false"])
def test_no_extension_and_no_way_out(db, query):
    assert cli.main(["sql", query, "--db", db]) == 2


def test_export_writes_parquet_and_csv(db, tmp_path, capsys):
    pq_path, csv_path = tmp_path / "out.parquet", tmp_path / "out.csv"
    assert cli.main(["export", "SELECT article_id, title FROM articles", "--to", str(pq_path), "--db", db]) == 0
    assert pq.read_table(pq_path).to_pylist() == [{"article_id": "a1", "title": "A title"}]
    assert cli.main(["export", "SELECT article_id FROM articles", "--to", str(csv_path), "--db", db]) == 0
    assert pcsv.read_csv(csv_path).to_pylist() == [{"article_id": "a1"}]
    assert "1 row -> " in capsys.readouterr().out


def test_export_refuses_what_sql_refuses(db, tmp_path):
    assert cli.main(["export", "SELECT 1", "--to", str(tmp_path / "x.xlsx"), "--db", db]) == 2
    assert cli.main(["export", f"SELECT * FROM read_text('{db}')", "--to", str(tmp_path / "x.csv"),
                     "--db", db]) == 2
    assert not (tmp_path / "x.csv").exists()


def test_export_to_csv_writes_a_list_column_as_its_items_joined(db, tmp_path):
    """An event's participants are a list; CSV has none (once: a crash, and a .tmp file left behind)."""
    out = tmp_path / "lists.csv"
    query = ("SELECT ['JPN', 'VNM'] AS participants, [1, 2, 3] AS numbers, 'x' AS plain, ['a', NULL, 'b'] AS gap, "
             "{'k': 1} AS struct, [[1], [2, 3]] AS nested")
    assert cli.main(["export", query, "--to", str(out), "--db", db]) == 0
    assert pcsv.read_csv(out).to_pylist() == [{"participants": "JPN;VNM", "numbers": "1;2;3", "plain": "x",
                                               "gap": "a;;b", "struct": '{"k": 1}', "nested": "[[1], [2, 3]]"}]
    assert cli.main(["export", "SELECT ['a'] AS l WHERE false", "--to", str(tmp_path / "none.csv"), "--db", db]) == 0
    assert sorted(p.name for p in tmp_path.iterdir() if ".tmp-" in p.name) == []
