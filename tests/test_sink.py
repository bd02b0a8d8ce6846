"""The DuckDB sink on a real database file: merging, idempotency, errors."""
import datetime as dt

from conftest import table_counts
from newswatch.schemas.rows import Article, EventCandidate, ExtractedArticle, IngestError, Mention
from newswatch.transforms.sink import connect, write

NOW = dt.datetime(2024, 1, 1)


def article(aid, text="text", origin=None):
    return Article(article_id=aid, url=None, origin=origin or aid, title=None, publisher=None, published_at=None,
                   fetched_at=NOW, language="en", text=text, content_hash=f"h-{aid}-{text}", source="replay",
                   date_source=None)


def event(kind="agreement", parties=("JPN", "VNM"), date=dt.date(2018, 4, 10), precision="day", start=0):
    m = Mention(evidence="e", char_start=start, char_end=start + 1, in_background=False, confidence=0.9,
                date=date, date_precision=precision, status="occurred")
    return EventCandidate(event_type=kind, participants=parties, event_date=date, date_precision=precision,
                          location=None, status="occurred", confidence=0.9, cameo_code="057", plover_type="AGREE",
                          mentions=[m])


def counts(db):
    return table_counts(db)


def test_day_and_month_reports_merge_across_runs(db_path):
    write(db_path, [ExtractedArticle(article("a"), [event()])])
    write(db_path, [ExtractedArticle(article("b"), [event(date=dt.date(2018, 4, 1), precision="month")])])
    conn = connect(db_path, read_only=True)
    rows = conn.execute("SELECT event_date, date_precision, article_count FROM events").fetchall()
    conn.close()
    assert rows == [(dt.date(2018, 4, 10), "day", 2)]


def test_month_first_then_day_refines_the_date(db_path):
    write(db_path, [ExtractedArticle(article("a"), [event(date=dt.date(2018, 4, 1), precision="month")])])
    write(db_path, [ExtractedArticle(article("b"), [event()])])
    conn = connect(db_path, read_only=True)
    assert conn.execute("SELECT event_date, date_precision, article_count FROM events").fetchall() == [
        (dt.date(2018, 4, 10), "day", 2)]
    conn.close()


def test_different_days_types_or_undated_do_not_merge(db_path):
    write(db_path, [ExtractedArticle(article("a"), [event(), event(kind="dialogue_meeting", start=5)])])
    write(db_path, [ExtractedArticle(article("b"), [event(date=dt.date(2018, 4, 20)), event(date=None, precision=None)])])
    assert counts(db_path)["events"] == 4


def test_replaying_the_same_articles_changes_no_counts(db_path):
    batch = [ExtractedArticle(article("a"), [event()]), ExtractedArticle(article("b"), [event()])]
    errors = [IngestError(origin="x.jsonl:3", stage="read", error="invalid JSON")]
    write(db_path, batch, errors)
    first = counts(db_path)
    write(db_path, batch, errors)
    assert counts(db_path) == first == {"articles": 2, "events": 1, "event_mentions": 2, "ingest_errors": 1}


def test_changed_article_is_relinked(db_path):
    write(db_path, [ExtractedArticle(article("a", "v1"), [event()])])
    write(db_path, [ExtractedArticle(article("a", "v2"), [event(kind="port_visit")])])
    conn = connect(db_path, read_only=True)
    assert conn.execute("SELECT event_type, article_count FROM events").fetchall() == [("port_visit", 1)]
    conn.close()


def test_sql_waits_for_the_writer_and_sees_the_rows(db_path):
    write(db_path, [ExtractedArticle(article("a"), [event()])])
    conn = connect(db_path, read_only=True, wait_seconds=5)
    assert conn.execute("SELECT participants FROM events").fetchone()[0] == ["JPN", "VNM"]
    conn.close()
