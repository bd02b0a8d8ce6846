"""Replaying web archives (transforms/sources/warc.py) from small WARC files the tests write with warcio."""
import io

import pytest
from conftest import table_counts
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newswatch.pipelines import cli
from newswatch.schemas.rows import IngestError, RawArticle
from newswatch.transforms.sources.files import read_inputs
from newswatch.transforms.sources.warc import Skipped, read_warc
from newswatch.transforms.storage.sink import connect

PAGE = ("<html><head><title>{title}</title></head><body><article><h1>{title}</h1><p>{text}</p>"
        "<p>The committee will report again next spring, officials said.</p></article></body></html>")
STORY = ("Chile and Peru signed a defence cooperation agreement in Lima on Monday, covering joint training of "
         "their navies and the exchange of officers.")


def record(writer, kind, uri, *, status="200 OK", content_type="text/html; charset=utf-8", body=b"",
           date="2023-05-09T08:00:00Z"):
    http = None
    if kind in ("response", "request"):
        http = StatusAndHeaders(status if kind == "response" else f"GET {uri} HTTP/1.1",
                                [("Content-Type", content_type)] if kind == "response" else [("Host", "x")],
                                protocol="HTTP/1.1", is_http_request=kind == "request")
    return writer.create_warc_record(uri, kind, payload=io.BytesIO(body), http_headers=http,
                                     warc_headers_dict={"WARC-Date": date})


def write_archive(path, *, gzip=True):
    """A small CC-NEWS-like archive: two articles among records that are not articles."""
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=gzip)
    w.write_record(w.create_warcinfo_record(path.name, {"software": "test"}))
    w.write_record(record(w, "request", "https://news.example/a"))
    w.write_record(record(w, "response", "https://news.example/a",
                          body=PAGE.format(title="Defence pact", text=STORY).encode()))
    w.write_record(record(w, "response", "https://news.example/logo.png", content_type="image/png",
                          body=b"\x89PNG....."))
    w.write_record(record(w, "response", "https://news.example/gone", status="404 Not Found",
                          body=b"<html>gone</html>"))
    w.write_record(record(w, "response", "https://news.example/b", content_type="text/html; charset=windows-1252",
                          body=PAGE.format(title="Harbour", text="The harbour café reopened after repairs, "
                                           "the mayor said on Tuesday.").encode("cp1252")))
    path.write_bytes(buf.getvalue())
    return path


@pytest.mark.parametrize("name, gzip", [("news.warc.gz", True), ("news.warc", False)])
def test_html_200_responses_are_articles_the_rest_skipped(tmp_path, name, gzip):
    out = list(read_warc(write_archive(tmp_path / name, gzip=gzip)))
    articles = [o for o in out if isinstance(o, RawArticle)]
    assert [a.url for a in articles] == ["https://news.example/a", "https://news.example/b"]
    assert articles[0].published_fallback == "2023-05-09T08:00:00Z" and "café" in articles[1].html
    assert sorted(o.kind for o in out if isinstance(o, Skipped)) == ["HTTP 404", "not HTML (image/png)",
                                                                     "request", "warcinfo"]
    assert not [o for o in out if isinstance(o, IngestError)]


def test_a_truncated_archive_keeps_what_it_holds_and_reports_the_rest(tmp_path):
    full = write_archive(tmp_path / "full.warc.gz").read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(full[:-40])  # the last article loses its end
    out = list(read_warc(cut))
    assert [o.url for o in out if isinstance(o, RawArticle)] == ["https://news.example/a"]
    (error,) = [o for o in out if isinstance(o, IngestError)]
    assert error.origin.startswith(str(cut.resolve()) + "#") and ("truncated" in error.error or
                                                                  "corrupt" in error.error)


@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
def test_a_corrupt_record_is_one_row_and_reading_goes_on(tmp_path, gzip):
    path = write_archive(tmp_path / ("bad.warc.gz" if gzip else "bad.warc"), gzip=gzip)
    data = bytearray(path.read_bytes())
    magic = b"\x1f\x8b\x08" if gzip else b"WARC/1."
    starts = [i for i in range(len(data)) if data.startswith(magic, i)]
    assert len(starts) == 6
    png = starts[3]  # the fourth record (an image response) is wrecked
    if gzip:
        data[png + 12:png + 40] = b"\x00garbage\x00" * 3 + b"x"
    else:
        data[png:png + 8] = b"GARBAGE!"
    path.write_bytes(bytes(data))
    out = list(read_warc(path))
    assert [o.url for o in out if isinstance(o, RawArticle)] == ["https://news.example/a", "https://news.example/b"]
    (error,) = [o for o in out if isinstance(o, IngestError)]
    assert error.origin == f"{path.resolve()}#{png}" and "corrupt WARC record" in error.error
    assert error.error.isprintable() and "first line" not in error.error  # no quoted (compressed) bytes


def test_replay_of_an_archive_stores_its_articles_with_the_capture_date_as_fallback(tmp_path, capsys):
    folder = tmp_path / "crawl"
    folder.mkdir()
    write_archive(folder / "CC-NEWS-20230509.warc.gz")
    db = str(tmp_path / "n.duckdb")
    assert cli.main(["replay", str(folder), "--db", db]) == 0
    out = capsys.readouterr().out
    assert "2 articles read" in out and "4 web-archive records skipped" in out
    assert table_counts(db)["ingest_errors"] == 0
    conn = connect(db, read_only=True)
    try:
        rows = conn.execute("SELECT url, published_at, date_source FROM articles ORDER BY url").fetchall()
        events = conn.execute("SELECT event_type, participants FROM events").fetchall()
    finally:
        conn.close()
    assert [r[0] for r in rows] == ["https://news.example/a", "https://news.example/b"]
    assert all(str(r[1]).startswith("2023-05-09") and r[2] == "archive" for r in rows)
    assert ("agreement", ["CHL", "PER"]) in events
    assert cli.main(["replay", str(folder), "--db", db]) == 0  # again: nothing changes
    assert table_counts(db)["articles"] == 2


def test_read_inputs_gives_articles_and_errors_only(tmp_path):
    path = write_archive(tmp_path / "a.warc.gz")
    assert [type(x) for x in read_inputs([path])] == [RawArticle, RawArticle]


@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
def test_after_two_corrupt_stretches_records_keep_their_places(tmp_path, gzip):
    """Junk between records, twice: every article after it is still read, at its own byte in the file."""
    path = write_archive(tmp_path / ("two.warc.gz" if gzip else "two.warc"), gzip=gzip)
    data = path.read_bytes()
    magic = b"\x1f\x8b\x08" if gzip else b"WARC/1."
    starts = [i for i in range(len(data)) if data.startswith(magic, i)] + [len(data)]
    parts = [data[a:b] for a, b in zip(starts, starts[1:])]
    junk = b"JUNK" * 5
    path.write_bytes(b"".join(parts[:2] + [junk] + parts[2:4] + [junk] + parts[4:]))
    b_start = sum(map(len, parts[:5])) + 2 * len(junk)
    out = list(read_warc(path))
    articles = [o for o in out if isinstance(o, RawArticle)]
    assert [(a.url, a.location) for a in articles] == [
        ("https://news.example/a", f"{path.resolve()}#{len(parts[0]) + len(parts[1]) + len(junk)}"),
        ("https://news.example/b", f"{path.resolve()}#{b_start}")]
    assert len([o for o in out if isinstance(o, IngestError)]) == 2


@pytest.mark.parametrize("name, content, reason", [
    ("empty.warc", b"", "no WARC record"),
    ("empty.warc.gz", b"", "no WARC record"),
    ("notes.warc", b"this is not a web archive at all\n" * 5, "not a WARC file"),  # warcio: five ARC records
    ("notes2.warc", b"just some notes\nin a text file\n", "Unknown archive format"),
])
def test_a_file_that_holds_no_warc_record_is_one_row(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    out = list(read_warc(path))
    assert len(out) == 1 and isinstance(out[0], IngestError) and reason in out[0].error


def test_a_response_without_a_target_uri_is_a_row_and_reading_goes_on(tmp_path):
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=True)
    w.write_record(record(w, "response", "https://news.example/a", body=PAGE.format(title="T", text=STORY).encode()))
    rec = record(w, "response", "https://news.example/c", body=PAGE.format(title="T", text=STORY).encode())
    rec.rec_headers.remove_header("WARC-Target-URI")
    w.write_record(rec)
    path = tmp_path / "nouri.warc.gz"
    path.write_bytes(buf.getvalue())
    out = list(read_warc(path))
    assert [o.url for o in out if isinstance(o, RawArticle)] == ["https://news.example/a"]
    (error,) = [o for o in out if isinstance(o, IngestError)]
    assert "corrupt WARC record" in error.error  # warcio fails on it


def test_a_record_whose_content_length_is_short_is_a_row_not_a_cut_article(tmp_path):
    path = write_archive(tmp_path / "short.warc", gzip=False)
    data = path.read_bytes()
    a = data.index(b"WARC-Target-URI: https://news.example/a", data.index(b"WARC-Type: response"))
    start = data.rindex(b"WARC/1.", 0, a)
    header_end = data.index(b"\r\n\r\n", start)
    head = data[start:header_end]
    length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
    head = head.replace(f"Content-Length: {length}".encode(), f"Content-Length: {length - 60}".encode())
    path.write_bytes(data[:start] + head + data[header_end:])
    out = list(read_warc(path))
    assert [o.url for o in out if isinstance(o, RawArticle)] == ["https://news.example/b"]
    (error,) = [o for o in out if isinstance(o, IngestError)]
    assert error.origin == f"{path.resolve()}#{start}" and error.url == "https://news.example/a"
    assert "does not end where its Content-Length says" in error.error
