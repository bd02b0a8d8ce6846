"""Writing to DuckDB: articles, merged events, mentions and errors, idempotently.

All merging across articles and runs is decided here, by stable keys and
upserts, so the pipeline needs no shuffle (streaming on the local runner
never fires one) and a later run joins events already in the database.

Rules:

* An article already stored with the same content hash is skipped: replaying
  the same input changes no counts. One whose content changed is re-linked.
* A candidate joins an existing event of the same type and participants when
  both have a date and the dates are compatible (one period contains the
  other; two days at most one day apart, for reports dated by time zone or
  by "today" on a re-post). Undated candidates never join across articles:
  an undated report could be any of several events.
* Writes are batched as Arrow tables inside one transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import threading
import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from newswatch.schemas import apply_ddl
from newswatch.schemas.rows import Article, EventCandidate, ExtractedArticle, FeedStatus, IngestError, SeenUrl, as_row
from newswatch.transforms.extract import LOW_CONFIDENCE_THRESHOLD, periods_compatible

log = logging.getLogger(__name__)

MERGE_SLACK_DAYS = 1
RAW_LIMIT = 4000
_PRECISION_ORDER = {"day": 0, "month": 1, "year": 2, None: 3}
_process_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(path: str) -> threading.Lock:
    with _locks_guard:
        return _process_locks.setdefault(path, threading.Lock())


def is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text or "conflicting" in text or "being used by another process" in text


def connect(path: str, *, read_only: bool = False, wait_seconds: float = 30.0) -> duckdb.DuckDBPyConnection:
    """Open the database, waiting (with backoff) while another process holds its lock."""
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            conn = duckdb.connect(path, read_only=read_only)
            if not read_only:
                apply_ddl(conn)
            return conn
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            if not is_lock_error(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def _hash(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(str(p if p is not None else "").encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()


def error_id(err: IngestError) -> str:
    return _hash(err.feed, err.origin, err.url, err.stage, err.error)[:24]


@dataclass
class WriteStats:
    articles_new: int = 0
    articles_unchanged: int = 0
    articles_updated: int = 0
    events_new: int = 0
    events_merged: int = 0
    mentions: int = 0
    errors: int = 0
    error_stages: dict[str, int] = field(default_factory=dict)
    feeds: int = 0
    seen_urls: int = 0

    def add(self, other: "WriteStats") -> None:
        for f in dataclasses.fields(self):
            if f.name == "error_stages":
                for k, v in other.error_stages.items():
                    self.error_stages[k] = self.error_stages.get(k, 0) + v
            else:
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


def _execute_with_batch(conn, sql: str, rows: list[dict]) -> None:
    """Run ``sql`` with the rows available as the Arrow table ``batch`` (one columnar insert, not executemany)."""
    conn.register("batch", pa.Table.from_pylist(rows))
    try:
        conn.execute(sql)
    finally:
        conn.unregister("batch")


def _insert(conn, table: str, rows: list[dict], *, replace: bool = False) -> None:
    if not rows:
        return
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    _execute_with_batch(conn, f"{verb} INTO {table} BY NAME SELECT * FROM batch", rows)


def write_errors(conn, errors: Iterable[IngestError], now: dt.datetime) -> int:
    rows = {}
    for err in errors:
        eid = error_id(err)
        rows[eid] = {"error_id": eid, "first_seen_at": now, "last_seen_at": now, "attempts": 1, "feed": err.feed,
                     "origin": err.origin, "url": err.url, "stage": err.stage, "error": err.error,
                     "raw": (err.raw or "")[:RAW_LIMIT] or None}
    if not rows:
        return 0
    _execute_with_batch(conn, """
        INSERT INTO ingest_errors BY NAME SELECT * FROM batch
        ON CONFLICT (error_id) DO UPDATE SET last_seen_at = excluded.last_seen_at,
            attempts = ingest_errors.attempts + 1
    """, list(rows.values()))
    return len(rows)


@dataclass
class _EventState:
    row: dict
    new: bool
    changed: bool = False


class _EventIndex:
    """Events of the database that candidates may join, loaded per (type, participants) key."""

    def __init__(self, conn):
        self.conn = conn
        self.by_key: dict[tuple, list[_EventState]] = {}

    def candidates(self, event_type: str, participants: tuple[str, ...]) -> list[_EventState]:
        key = (event_type, participants)
        if key not in self.by_key:
            cur = self.conn.execute(
                "SELECT * FROM events WHERE event_type = ? AND participants = ?::VARCHAR[]",
                [event_type, list(participants)])
            cols = [d[0] for d in cur.description]
            self.by_key[key] = [_EventState(dict(zip(cols, r)), new=False) for r in cur.fetchall()]
        return self.by_key[key]


def _find_match(states: list[_EventState], cand: EventCandidate) -> _EventState | None:
    if cand.event_date is None:
        return None
    matches = []
    for st in states:
        d, p = st.row["event_date"], st.row["date_precision"]
        if d is None:
            continue
        if periods_compatible(d, p, cand.event_date, cand.date_precision, slack_days=MERGE_SLACK_DAYS):
            exact = (d == cand.event_date and p == cand.date_precision)
            matches.append((not exact, abs((d - cand.event_date).days), st))
    if not matches:
        return None
    matches.sort(key=lambda m: (m[0], m[1]))
    # an imprecise candidate ("April 2018") that fits two different events joins neither
    if len(matches) > 1 and matches[0][0] and matches[1][0] and cand.date_precision != "day":
        return None
    return matches[0][2]


def _new_event_row(cand: EventCandidate, article: Article, now: dt.datetime) -> dict:
    first = cand.mentions[0]
    return {
        "event_id": _hash(cand.event_type, cand.participants, cand.event_date, cand.date_precision,
                          article.article_id, first.char_start)[:20],
        "event_type": cand.event_type, "participants": list(cand.participants), "event_date": cand.event_date,
        "date_precision": cand.date_precision, "location": cand.location, "status": cand.status,
        "confidence": cand.confidence, "article_count": 1, "first_seen_at": now, "last_seen_at": now,
        "cameo_code": cand.cameo_code, "plover_type": cand.plover_type,
        "low_confidence": cand.confidence < LOW_CONFIDENCE_THRESHOLD,
    }


def _merge_into(st: _EventState, cand: EventCandidate, now: dt.datetime) -> None:
    row = st.row
    if _PRECISION_ORDER[cand.date_precision] < _PRECISION_ORDER[row["date_precision"]]:
        row["event_date"], row["date_precision"] = cand.event_date, cand.date_precision
    row["article_count"] = (row["article_count"] or 0) + 1
    row["last_seen_at"] = now
    row["confidence"] = max(row["confidence"] or 0.0, cand.confidence)
    row["low_confidence"] = row["confidence"] < LOW_CONFIDENCE_THRESHOLD
    if cand.status == "occurred":
        row["status"] = "occurred"
    row["location"] = row["location"] or cand.location
    st.changed = True


def _unlink_article(conn, article_id: str) -> None:
    """Remove an article's mentions (its content changed) and fix the events they fed."""
    affected = [r[0] for r in conn.execute(
        "SELECT DISTINCT event_id FROM event_mentions WHERE article_id = ?", [article_id]).fetchall()]
    conn.execute("DELETE FROM event_mentions WHERE article_id = ?", [article_id])
    for event_id in affected:
        count = conn.execute("SELECT count(DISTINCT article_id) FROM event_mentions WHERE event_id = ?",
                             [event_id]).fetchone()[0]
        if count == 0:
            conn.execute("DELETE FROM events WHERE event_id = ?", [event_id])
        else:
            conn.execute("UPDATE events SET article_count = ? WHERE event_id = ?", [count, event_id])


def write_feed_states(conn, states: Iterable[FeedStatus]) -> int:
    rows = {}
    for st in states:
        rows[st.feed_url] = {"feed_url": st.feed_url, "name": st.name, "etag": st.etag,
                             "last_modified": st.last_modified, "last_polled_at": st.last_polled_at,
                             "last_status": st.last_status, "last_error": st.last_error,
                             "consecutive_failures": 1 if st.last_error else 0}
    if not rows:
        return 0
    _execute_with_batch(conn, """
        INSERT INTO feed_state BY NAME SELECT * FROM batch
        ON CONFLICT (feed_url) DO UPDATE SET name = excluded.name, etag = excluded.etag,
            last_modified = excluded.last_modified, last_polled_at = excluded.last_polled_at,
            last_status = excluded.last_status, last_error = excluded.last_error,
            consecutive_failures = CASE WHEN excluded.last_error IS NULL THEN 0
                                        ELSE feed_state.consecutive_failures + 1 END
    """, list(rows.values()))
    return len(rows)


def write_seen(conn, seen: Iterable[SeenUrl]) -> int:
    rows = {}
    for s in seen:
        rows.setdefault(s.url, {"url": s.url, "feed": s.feed, "first_seen_at": s.first_seen_at,
                                "article_id": s.article_id, "status": s.status})
    if not rows:
        return 0
    _execute_with_batch(conn, "INSERT INTO seen_urls BY NAME SELECT * FROM batch ON CONFLICT (url) DO NOTHING",
                        list(rows.values()))
    return len(rows)


def write_batch(conn, items: list[ExtractedArticle], errors: list[IngestError] = (),
                now: dt.datetime | None = None, *, feed_states: list[FeedStatus] = (),
                seen: list[SeenUrl] = ()) -> WriteStats:
    """Write one batch in one transaction; returns what changed."""
    now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    stats = WriteStats()
    conn.execute("BEGIN TRANSACTION")
    try:
        stats.errors = write_errors(conn, errors, now)
        stats.feeds = write_feed_states(conn, feed_states)
        for err in errors:
            stats.error_stages[err.stage] = stats.error_stages.get(err.stage, 0) + 1
        ids = list({it.article.article_id for it in items})
        existing = {}
        if ids:
            existing = dict(conn.execute("SELECT article_id, content_hash FROM articles WHERE article_id IN "
                                         "(SELECT unnest(?::VARCHAR[]))", [ids]).fetchall())
        index = _EventIndex(conn)
        article_rows, mention_rows = [], []
        seen_in_batch: set[str] = set()
        for item in items:
            art = item.article
            if art.article_id in seen_in_batch:
                stats.articles_unchanged += 1
                continue
            seen_in_batch.add(art.article_id)
            old_hash = existing.get(art.article_id)
            if old_hash == art.content_hash:
                stats.articles_unchanged += 1
                continue
            if old_hash is not None:
                _unlink_article(conn, art.article_id)
                conn.execute("DELETE FROM articles WHERE article_id = ?", [art.article_id])
                index.by_key.clear()
                stats.articles_updated += 1
            else:
                stats.articles_new += 1
            article_rows.append(as_row(art, exclude=("feed",)))
            for cand in item.events:
                states = index.candidates(cand.event_type, cand.participants)
                match = _find_match(states, cand)
                if match is None:
                    match = _EventState(_new_event_row(cand, art, now), new=True)
                    states.append(match)
                    stats.events_new += 1
                else:
                    _merge_into(match, cand, now)
                    stats.events_merged += 1
                for m in cand.mentions:
                    mention_rows.append({
                        "event_id": match.row["event_id"], "article_id": art.article_id, "evidence": m.evidence,
                        "char_start": m.char_start, "char_end": m.char_end, "in_background": m.in_background,
                        "confidence": m.confidence, "mention_date": m.date,
                        "mention_date_precision": m.date_precision, "status": m.status})
        _insert(conn, "articles", article_rows)
        event_rows = [st.row for states in index.by_key.values() for st in states if st.new or st.changed]
        for row in event_rows:
            row["participants"] = list(row["participants"])
        _insert(conn, "events", event_rows, replace=True)
        _insert(conn, "event_mentions", _dedupe_mentions(mention_rows), replace=True)
        stats.mentions = len(mention_rows)
        # seen URLs last, with the article ids now known
        by_url = {it.article.url: it.article.article_id for it in items if it.article.url}
        stats.seen_urls = write_seen(conn, [dataclasses.replace(s, article_id=s.article_id or by_url.get(s.url))
                                            for s in seen])
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise
    return stats


def _dedupe_mentions(rows: list[dict]) -> list[dict]:
    out = {}
    for r in rows:
        out[(r["event_id"], r["article_id"], r["char_start"])] = r
    return list(out.values())


def write(path: str, items: list[ExtractedArticle], errors: list[IngestError] = (), *,
          feed_states: list[FeedStatus] = (), seen: list[SeenUrl] = (), wait_seconds: float = 60.0) -> WriteStats:
    """Open, write one batch, close: the unit the Beam sink flushes with.

    The writer lock is held only for the batch, so analysts' read-only
    sessions can open the file between flushes.
    """
    with _lock_for(path):
        conn = connect(path, wait_seconds=wait_seconds)  # waits, with backoff, while another process holds it
        try:
            return write_batch(conn, items, list(errors), feed_states=list(feed_states), seen=list(seen))
        finally:
            conn.close()


def read_source_state(path: str):
    """Feed validators and seen URLs stored by earlier runs (empty for a new database)."""
    from newswatch.transforms.feedsource import SourceState, load_state
    if not os.path.exists(path):
        return SourceState()
    with _lock_for(path):
        conn = connect(path)  # read-write: creates tables missing from an older database
        try:
            return load_state(conn)
        finally:
            conn.close()


def refresh_snapshot(path: str, snapshot: str) -> None:
    """Replace ``snapshot`` with a copy of the database, atomically.

    Called right after a write, when this process has closed its connection
    (DuckDB checkpoints on close), under the same process lock as writes.
    Analysts open the snapshot read-only and never block the writer; a
    reader keeps the old file until it reopens.
    """
    with _lock_for(path):
        tmp = f"{snapshot}.tmp-{os.getpid()}"
        shutil.copyfile(path, tmp)
        os.replace(tmp, snapshot)
