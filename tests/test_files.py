"""Reading replay inputs (transforms/sources/files.py): every file read or reported, manifests, folders."""
import json
import os
from pathlib import Path

import pytest

from newswatch.schemas.rows import IngestError, RawArticle
from newswatch.transforms.language.articles import dateline_date, prepare
from newswatch.transforms.sources.files import read_inputs


def test_bundled_seeds_have_their_manifest_metadata():
    items = list(read_inputs(None))
    assert len(items) == 5 and all(isinstance(i, RawArticle) for i in items)
    by_name = {i.origin: i for i in items}
    assert by_name["001_60b8c169422bd640.txt"].published == "2018-04-12"
    assert by_name["001_60b8c169422bd640.txt"].url.startswith("https://vietnamtimes")
    assert by_name["003_5bbd971c8a5c2908.txt"].published is None


def test_txt_title_and_header_lines(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("A title\nURL: https://example.org/x\nPUBLISHED: unknown\n\nBody text.", encoding="utf-8")
    (item,) = read_inputs([f])
    assert item.title == "A title" and item.url == "https://example.org/x" and item.published is None
    assert item.text == "Body text."


def test_bad_jsonl_lines_become_errors_and_the_rest_flows(tmp_path):
    f = tmp_path / "records.jsonl"
    good = {"id": "ok-1", "text": "India and Sri Lanka held talks.", "published": "2020-01-02"}
    f.write_text("\n".join([json.dumps(good), "{not json", json.dumps({"id": "no-text"}),
                            json.dumps({"id": "both", "text": "a", "html": "<p>b</p>"}),
                            json.dumps({"id": "bad-type", "text": 5})]), encoding="utf-8")
    items = list(read_inputs([f]))
    oks = [i for i in items if isinstance(i, RawArticle)]
    errors = [i for i in items if isinstance(i, IngestError)]
    assert [o.origin for o in oks] == ["ok-1"]
    assert len(errors) == 4
    reasons = " | ".join(e.error for e in errors)
    assert "invalid JSON" in reasons and 'non-empty "text" or "html"' in reasons and "only one of" in reasons


def test_missing_path_and_unsupported_type_are_errors(tmp_path):
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    items = list(read_inputs([tmp_path / "nope", tmp_path / "x.pdf"]))
    assert all(isinstance(i, IngestError) for i in items) and len(items) == 2


@pytest.mark.parametrize("encoding, bom", [("latin-1", b""), ("cp1252", b""), ("utf-16", b""),
                                           ("utf-8", b"\xef\xbb\xbf")])
def test_text_and_html_files_are_decoded_as_pages_are(tmp_path, encoding, bom):
    """Saved pages and archives come in many encodings: byte-order mark, <meta charset>, UTF-8, detection."""
    body = "Défense et coopération: l'accord signé à Brest, déclaré «historique» par les deux ministres."
    f = tmp_path / "saved.txt"
    f.write_bytes(bom + f"Un titre\n\n{body}".encode(encoding))
    (item,) = read_inputs([f])
    assert isinstance(item, RawArticle) and item.title == "Un titre" and item.text == body
    page = tmp_path / "saved.html"
    page.write_bytes(f'<html><head><meta charset="windows-1252"><title>T</title></head><body><p>{body}</p>'
                     f'</body></html>'.encode("cp1252"))
    (item,) = read_inputs([page])
    assert isinstance(item, RawArticle) and "l'accord signé à Brest" in item.html


def test_a_binary_file_is_a_decode_error(tmp_path):
    f = tmp_path / "image.txt"
    f.write_bytes(bytes(range(256)) * 40)
    (item,) = read_inputs([f])
    assert isinstance(item, IngestError) and item.stage == "decode" and "cannot decode" in item.error


def test_every_file_of_a_folder_is_read_or_reported_but_hidden_ones(tmp_path):
    (tmp_path / "a.txt").write_text("T\n\nText.", encoding="utf-8")
    (tmp_path / "notes.md").write_text("# notes", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "scan.pdf").write_bytes(b"%PDF")
    for hidden in (".DS_Store", "_SUCCESS", ".part-0.txt.crc"):
        (tmp_path / hidden).write_bytes(b"x")
    (tmp_path / "_tmp").mkdir()
    (tmp_path / "_tmp" / "half-written.txt").write_text("T\n\nText.", encoding="utf-8")
    items = list(read_inputs([tmp_path]))
    assert [i.origin for i in items if isinstance(i, RawArticle)] == ["a.txt"]
    errors = sorted((Path(e.origin).name, e.error) for e in items if isinstance(e, IngestError))
    assert [name for name, _ in errors] == ["notes.md", "scan.pdf"]
    assert all("not replayed: unsupported file type" in reason for _, reason in errors)


def test_prepare_gives_stable_ids_and_dateline_date():
    raw = RawArticle(origin="r1", text="Brussels, 10 July 2023\n\nThe Council today adopted a measure.", title="T")
    a, b = prepare(raw), prepare(raw)
    assert a.article_id == b.article_id and a.content_hash == b.content_hash
    assert a.published_at.date().isoformat() == "2023-07-10" and a.date_source == "dateline"
    assert dateline_date("Tue. Jul 16th, 2024\n\nText") is None


def test_same_url_is_one_article_whatever_the_origin():
    a = prepare(RawArticle(origin="one.txt", text="Some text here.", url="https://example.org/a?utm_source=x"))
    b = prepare(RawArticle(origin="two", text="Some text here.", url="https://example.org/a"))
    assert a.article_id == b.article_id


# ------------------------------------------------------------ poison inputs (issue 11)

SURROGATE_LINE = '{"id": "odd", "text": "Talks were held \\ud800 in the capital.", "title": "T \\udfff"}'
DEEP_LINE = "[" * 100_000 + "]" * 100_000


def test_a_lone_surrogate_is_replaced_and_the_record_kept(tmp_path):
    f = tmp_path / "r.jsonl"
    f.write_text(SURROGATE_LINE + "\n", encoding="utf-8")
    (item,) = read_inputs([f])
    assert isinstance(item, RawArticle) and item.text == "Talks were held \ufffd in the capital."
    assert item.title == "T \ufffd"
    item.text.encode("utf-8")  # storable


def test_a_line_nested_too_deeply_is_an_error_and_the_rest_flows(tmp_path):
    f = tmp_path / "r.jsonl"
    f.write_text("\n".join([DEEP_LINE, json.dumps({"id": "fine", "text": "Some text."})]), encoding="utf-8")
    deep, fine = read_inputs([f])
    assert isinstance(deep, IngestError) and "nested too deeply" in deep.error and deep.origin.endswith("r.jsonl:1")
    assert isinstance(fine, RawArticle) and fine.origin == "fine"


def test_a_malformed_manifest_is_reported_and_its_folder_still_read(tmp_path):
    (tmp_path / "a.txt").write_text("Title A\n\nBody A.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Title B\n\nBody B.", encoding="utf-8")
    (tmp_path / "manifest.jsonl").write_text("\n".join([
        json.dumps({"file": "a.txt", "url": "https://example.org/a"}), "{broken", json.dumps({"url": "no file"}),
        "[1, 2]"]), encoding="utf-8")
    other = tmp_path.parent / (tmp_path.name + "-other")
    other.mkdir()
    (other / "c.txt").write_text("Title C\n\nBody C.", encoding="utf-8")
    items = list(read_inputs([tmp_path, other]))
    articles = {i.origin: i for i in items if isinstance(i, RawArticle)}
    errors = [i for i in items if isinstance(i, IngestError)]
    assert sorted(articles) == ["a.txt", "b.txt", "c.txt"]
    assert articles["a.txt"].url == "https://example.org/a"
    assert len(errors) == 3 and all("invalid manifest entry" in e.error for e in errors)
    assert {e.origin.rsplit(":", 1)[1] for e in errors} == {"2", "3", "4"}


def test_poison_inputs_replay_with_every_input_accounted_for(tmp_path):
    """A folder of good and poison inputs: exit 1, every input an article or an error row, and a re-run the
    same (issue 11: a poison record once crashed the batch write on every run)."""
    from conftest import table_counts

    from newswatch.pipelines import cli
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("A good title\n\nA good body of text.", encoding="utf-8")
    (folder / "records.jsonl").write_text("\n".join([
        SURROGATE_LINE, DEEP_LINE, json.dumps({"id": "plain", "text": "Plain text."}), "{oops"]), encoding="utf-8")
    (folder / "manifest.jsonl").write_text("not json\n", encoding="utf-8")
    db = str(tmp_path / "n.duckdb")
    assert cli.main(["replay", str(folder), "--db", db]) == 1
    first = table_counts(db)
    assert (first["articles"], first["ingest_errors"]) == (3, 3)  # good.txt, odd, plain; deep, oops, manifest
    assert cli.main(["replay", str(folder), "--db", db]) == 1
    assert table_counts(db) == first


def test_the_error_path_cannot_fail_on_what_it_reports(tmp_path):
    from conftest import table_counts

    from newswatch.transforms.storage.sink import write
    db = str(tmp_path / "n.duckdb")
    write(db, [], [IngestError(origin="x\ud800.jsonl:1", stage="read", error="bad \udc80", raw="raw \ud800 text")])
    assert table_counts(db)["ingest_errors"] == 1


def test_an_article_too_long_to_extract_is_stored_with_an_error_row(tmp_path):
    from conftest import table_counts

    from newswatch.pipelines import cli
    from newswatch.transforms.language.nlp import MAX_EXTRACT_CHARS
    from newswatch.transforms.storage.sink import connect
    f = tmp_path / "long.jsonl"
    body = "The committee met again. " * (MAX_EXTRACT_CHARS // 25 + 10)
    f.write_text("\n".join([json.dumps({"id": "long", "title": "Long", "text": body}),
                            json.dumps({"id": "short", "title": "Short", "text": "A short text."})]),
                 encoding="utf-8")
    db = str(tmp_path / "n.duckdb")
    assert cli.main(["replay", str(f), "--db", db]) == 1
    assert table_counts(db)["articles"] == 2
    conn = connect(db, read_only=True)
    try:
        (row,) = conn.execute("SELECT origin, stage, error FROM ingest_errors").fetchall()
    finally:
        conn.close()
    assert row[0] == f"{tmp_path.resolve() / 'long.jsonl'}:1" and row[1] == "extract" and "too long" in row[2]


def test_an_unparseable_publication_date_is_noted_not_dropped_silently(tmp_path):
    from conftest import table_counts

    from newswatch.pipelines import cli
    from newswatch.transforms.storage.sink import connect
    f = tmp_path / "r.jsonl"
    f.write_text("\n".join(json.dumps({"id": i, "text": "Some text.", "published": p}) for i, p in
                           [("a", "yesterday"), ("b", "2024-13-45"), ("c", "2024-03-05")]), encoding="utf-8")
    db = str(tmp_path / "n.duckdb")
    assert cli.main(["replay", str(f), "--db", db, "-q"]) == 0
    conn = connect(db, read_only=True)
    try:
        rows = dict(conn.execute("SELECT origin, date_note FROM articles WHERE published_at IS NULL").fetchall())
    finally:
        conn.close()
    assert set(rows) == {"a", "b"} and "'yesterday' is not an ISO date" in rows["a"]
    assert table_counts(db)["articles"] == 3


def test_failing_files_of_the_same_name_in_two_folders_are_two_error_rows(tmp_path):
    from conftest import table_counts

    from newswatch.pipelines import cli
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "same.txt").write_bytes("Titre\nD\xe9fense".encode("latin-1"))
    db = str(tmp_path / "n.duckdb")
    assert cli.main(["replay", str(tmp_path / "one"), str(tmp_path / "two"), "--db", db, "-q"]) == 1
    assert table_counts(db)["ingest_errors"] == 2


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0)])
def test_a_second_version_of_the_same_url_is_a_row_not_a_silent_drop(tmp_path, order):
    from conftest import table_counts

    from newswatch.pipelines import cli
    from newswatch.transforms.storage.sink import connect
    records = [{"id": "first", "url": "https://news.example/a?utm_source=x", "published": "2024-05-01",
                "text": "The council met on Monday to discuss the harbour budget."},
               {"id": "second", "url": "https://news.example/a", "published": "2024-05-02",
                "text": "The council met on Monday to discuss the harbour budget and the new ferry."},
               {"id": "other", "url": "https://news.example/b", "text": "The library opened a reading room."}]
    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(json.dumps(records[i]) for i in order), encoding="utf-8")
    db = str(tmp_path / "n.duckdb")
    assert cli.main(["replay", str(f), "--db", db, "-q"]) == 1  # an input was not stored
    assert table_counts(db) == {"articles": 2, "events": 0, "event_mentions": 0, "ingest_errors": 1}
    conn = connect(db, read_only=True)
    try:
        text = conn.execute("SELECT text FROM articles WHERE url = 'https://news.example/a'").fetchone()[0]
        stage, origin, error = conn.execute("SELECT stage, origin, error FROM ingest_errors").fetchone()
    finally:
        conn.close()
    assert text.endswith("the new ferry.")  # the version published latest, whatever the order
    assert stage == "duplicate" and origin.endswith(f"in.jsonl:{order.index(0) + 1}") and "same URL" in error


def test_a_file_name_that_is_not_utf8_is_a_row_and_the_rest_of_the_folder_flows(tmp_path):
    """A Latin-1 name ("caf\\xe9.txt"): once it crashed the whole replay in Beam's Create."""
    from conftest import table_counts

    from newswatch.pipelines import cli
    from newswatch.transforms.storage.sink import connect
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("A good title\n\nA good body of text.", encoding="utf-8")
    bad = os.path.join(os.fsencode(folder), b"caf\xe9.txt")
    with open(bad, "wb") as f:
        f.write(b"Another title\n\nAnother body of text.")
    db = str(tmp_path / "n.duckdb")
    assert cli.main(["replay", str(folder), "--db", db]) == 1
    assert cli.main(["replay", os.fsdecode(bad), "--db", db]) == 1  # named on the command line: the same row
    counts = table_counts(db)
    assert (counts["articles"], counts["ingest_errors"]) == (1, 1)
    conn = connect(db, read_only=True)
    (origin, error), = conn.execute("SELECT origin, error FROM ingest_errors").fetchall()
    conn.close()
    assert origin == f"{folder}/caf\\xe9.txt" and "not valid UTF-8" in error


def test_bad_records_that_share_an_id_are_each_a_row_at_their_place(tmp_path):
    from conftest import table_counts

    from newswatch.pipelines import cli
    from newswatch.transforms.storage.sink import connect
    for sub, lines in (("x", ['{"id": "r1", "text": 5}', '{"id": "r1", "text": 6}']), ("y", ['{"id": "r1", "text": 7}'])):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = str(tmp_path / "n.duckdb")
    assert cli.main(["replay", str(tmp_path / "x"), str(tmp_path / "y"), "--db", db]) == 1
    assert table_counts(db)["ingest_errors"] == 3
    conn = connect(db, read_only=True)
    rows = conn.execute("SELECT origin, error FROM ingest_errors ORDER BY origin").fetchall()
    conn.close()
    assert [origin for origin, _ in rows] == [f"{tmp_path}/x/a.jsonl:1", f"{tmp_path}/x/a.jsonl:2",
                                              f"{tmp_path}/y/a.jsonl:1"]
    assert all("'r1'" in error for _, error in rows)


def test_a_publication_date_off_the_calendar_or_in_the_future_is_noted_and_the_article_kept(tmp_path):
    """Once "9999-12-31T23:00:00-05:00" dropped its article (past the calendar's end in UTC) and "9999-06-01"
    its events."""
    from newswatch.pipelines import cli
    from newswatch.transforms.storage.sink import connect
    text = "Kenya and Uganda signed a defence cooperation agreement in Nairobi on Monday."
    values = {"a": "9999-12-31T23:00:00-05:00", "b": "0001-01-01T00:00:00+05:00", "c": "9999-06-01",
              "d": "2999-06-01", "e": "1850-01-01", "f": "2024-03-05"}
    (tmp_path / "r.jsonl").write_text("\n".join(json.dumps({"id": i, "text": text, "published": p, "url": f"https://x.example/{i}"})
                                                for i, p in values.items()), encoding="utf-8")
    db = str(tmp_path / "n.duckdb")
    assert cli.main(["replay", str(tmp_path / "r.jsonl"), "--db", db, "-q"]) == 0
    conn = connect(db, read_only=True)
    rows = {origin: (published, note) for origin, published, note in conn.execute(
        "SELECT origin, published_at, date_note FROM articles").fetchall()}
    mentions = conn.execute("SELECT count(DISTINCT article_id) FROM event_mentions").fetchone()[0]
    errors = conn.execute("SELECT count(*) FROM ingest_errors").fetchone()[0]
    conn.close()
    assert sorted(rows) == sorted(values) and mentions == len(values) and errors == 0
    assert all(rows[i][0] is None and "in the future; ignored" in rows[i][1] for i in "abcde")
    assert rows["f"][0] is not None and rows["f"][1] is None


def test_links_in_a_folder_are_followed_once_and_a_broken_one_is_a_row(tmp_path, monkeypatch):
    from newswatch.transforms.sources.files import expand_paths
    (tmp_path / "top").mkdir()
    (tmp_path / "real").mkdir()
    (tmp_path / "top" / "own.txt").write_text("Own\n\nText.", encoding="utf-8")
    (tmp_path / "real" / "linked.txt").write_text("Linked\n\nText.", encoding="utf-8")
    (tmp_path / "top" / "archive").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "loop").symlink_to(tmp_path / "top")  # top -> archive -> loop -> top ...
    (tmp_path / "top" / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    monkeypatch.chdir(tmp_path)
    out = list(expand_paths(["top", "missing.txt"]))  # typed relative: rows name the full path
    files = [p for p in out if isinstance(p, Path)]
    errors = sorted((e.origin, e.error) for e in out if isinstance(e, IngestError))
    assert files == [tmp_path / "top" / "archive" / "linked.txt", tmp_path / "top" / "own.txt"]
    assert errors == [(str(tmp_path / "missing.txt"), "no such file or folder"),
                      (str(tmp_path / "top" / "gone.txt"), f"broken symbolic link (to {tmp_path / 'nowhere.txt'})")]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_a_utf16_jsonl_file_with_its_byte_order_mark_is_read(tmp_path, encoding):
    lines = [json.dumps({"id": i, "text": f"Text number {i}, café."}, ensure_ascii=False) for i in ("a", "b", "c")]
    data = "\n".join(lines).encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    (tmp_path / "r.jsonl").write_bytes(data)
    out = list(read_inputs([str(tmp_path / "r.jsonl")]))
    assert [(o.origin, o.text) for o in out] == [(i, f"Text number {i}, café.") for i in ("a", "b", "c")]
