"""Writing to DuckDB: articles, merged events, mentions and errors, idempotently.

All merging across articles and runs is decided here, by stable keys and
upserts, so the pipeline needs no shuffle (streaming on the local runner
never fires one) and a later run joins events already in the database.

Rules:

* An article already stored with the same content hash is skipped: replaying
  the same input changes no counts. One whose content changed is re-linked.
* A candidate joins an existing event of the same type whose parties are the
  same or one set within the other (outlets name different members of a
  multilateral event; the event then carries them all), when the dates are
  compatible (one period contains the other; two days at most one day apart,
  for reports dated by time zone or by "today" on a re-post, three for a drill
  or port call that runs over days, told alike), or, where one
  side is undated, when its report of what occurred was published during the
  event or a few days after it; short of one day and one party set, the
  reports must also be told in like words (:func:`find_match`). A report
  that nothing places in time (no date, from an article with no publication
  date) joins only when told more alike still, and not when its article
  names a later year or other sums of money (:func:`told_apart`). Ambiguous
  candidates join nothing.
* Writes are batched as Arrow tables inside one transaction.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import functools
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from newswatch.schemas import LOW_CONFIDENCE_THRESHOLD, apply_ddl, spans_days
from newswatch.schemas.rows import (Article, EventCandidate, ExtractedArticle, FeedStatus, IngestError, SeenUrl, as_row,
                                    stable_hash, storable_row)
from newswatch.transforms.language.dates import periods_compatible

log = logging.getLogger(__name__)

MERGE_SLACK_DAYS = 1
# ... and for events that run over days (taxonomy.toml spans_days: drills, port calls), reports told alike.
MERGE_SPAN_DAYS = 3
# An undated report joins an event it was published at most this many days after (or an undated one published
# as close to it).
MERGE_WINDOW_DAYS = 3
# ... and only when the two reports' titles and evidence share this share of the shorter one's content words.
MIN_SIMILARITY = 0.35
# A report that cannot be placed in time (no date of its own, nor a publication date to stand for one: pages often
# lack one) may still join an event it is told like, at this share, when it fits no other event of its kind.
MIN_SIMILARITY_UNPLACED = 0.5
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


# A session that reads its own database and nothing else: no other files (ATTACH, COPY, read_csv, glob...), no
# extensions fetched or loaded, and no way to set these back.
SANDBOX_SETTINGS = ("SET enable_external_access = false", "SET autoinstall_known_extensions = false",
                    "SET autoload_known_extensions = false", "SET lock_configuration = true")


def sandboxed(path: str, *, wait_seconds: float = 30.0) -> duckdb.DuckDBPyConnection:
    """A read-only connection for analysts' own SQL that can neither write nor read outside ``path``."""
    conn = connect(path, read_only=True, wait_seconds=wait_seconds)
    for statement in SANDBOX_SETTINGS:
        conn.execute(statement)
    return conn


def error_id(err: IngestError) -> str:
    return stable_hash(err.feed, err.origin, err.url, err.stage, err.error)[:24]


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
    duplicates: int = 0       # inputs not stored: another version of the same article in the batch was

    def add(self, other: "WriteStats") -> None:
        for f in dataclasses.fields(self):
            if f.name == "error_stages":
                for k, v in other.error_stages.items():
                    self.error_stages[k] = self.error_stages.get(k, 0) + v
            else:
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


def _execute_with_batch(conn, sql: str, rows: list[dict]) -> None:
    """Run ``sql`` with the rows available as the Arrow table ``batch`` (one columnar insert, not executemany)."""
    conn.register("batch", pa.Table.from_pylist([storable_row(r) for r in rows]))
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
    reported: dt.date | None = None  # the earliest publication date of its articles
    articles: set[str] = field(default_factory=set)  # articles of this batch that it holds
    told: Telling = field(default_factory=lambda: Telling())  # what its articles' titles and evidence say
    facts: ArticleFacts | None = None  # what its articles' texts name (see ArticleFacts), read when needed
    load_facts: Callable[[], ArticleFacts] | None = None  # ... from the database, for a stored event
    pending: ArticleFacts = field(default_factory=lambda: ArticleFacts())  # ... of this batch's articles

    def article_facts(self) -> ArticleFacts:
        if self.facts is None:
            self.facts = self.load_facts() if self.load_facts is not None else ArticleFacts()
        return self.facts | self.pending


class _EventIndex:
    """Events of the database that candidates may join: per (type, participant) key, loaded on first use, with
    the events this batch creates."""

    def __init__(self, conn):
        self.conn = conn
        self.by_key: dict[tuple[str, str], list[_EventState]] = {}
        self.touched: dict[str, _EventState] = {}  # event id -> state created or joined in this batch
        # event id -> its one state, whichever of its participants' keys loaded it first: a report that reaches
        # it through another key joins the same state, not a copy (whose count and parties would be lost)
        self.loaded: dict[str, _EventState] = {}

    def reset(self) -> None:
        """Forget what was loaded (the database changed under it); the batch's own events stay."""
        self.by_key = {}
        self.loaded = {}

    def _load(self, event_type: str, code: str) -> list[_EventState]:
        key = (event_type, code)
        if key not in self.by_key:
            # the reports of these events only: a flush must not aggregate every mention of the database
            cur = self.conn.execute("""
                WITH e AS (SELECT * FROM events WHERE event_type = ? AND list_contains(participants, ?))
                SELECT e.*, s.reported AS reported__, s.titles AS titles__, s.evidence AS evidence__
                FROM e LEFT JOIN (
                    SELECT m.event_id, min(a.published_at) AS reported,
                           list(coalesce(a.title, '')) AS titles, list(coalesce(m.evidence, '')) AS evidence
                    FROM event_mentions m JOIN articles a USING (article_id)
                    WHERE m.event_id IN (SELECT event_id FROM e) GROUP BY m.event_id) s USING (event_id)""",
                [event_type, code])
            cols = [d[0] for d in cur.description]
            states = {}
            for r in cur.fetchall():
                row = dict(zip(cols, r))
                reported, titles, evidence = row.pop("reported__"), row.pop("titles__"), row.pop("evidence__")
                event_id = row["event_id"]
                st = self.touched.get(event_id) or self.loaded.get(event_id) or _EventState(
                    row, new=False, reported=reported.date() if reported else None,
                    told=Telling.read(titles or [], evidence or []),
                    load_facts=functools.partial(self._facts, event_id))
                states[event_id] = self.loaded[event_id] = st
            for st in self.touched.values():
                if st.new and st.row["event_type"] == event_type and code in st.row["participants"]:
                    states.setdefault(st.row["event_id"], st)
            self.by_key[key] = list(states.values())
        return self.by_key[key]

    def _facts(self, event_id: str) -> ArticleFacts:
        """The facts of a stored event's articles: read only for a report that cannot be placed in time and is
        told like it."""
        texts = self.conn.execute("""
            SELECT DISTINCT coalesce(a.title, '') || ' ' || coalesce(a.text, '') FROM event_mentions m JOIN articles a
            USING (article_id) WHERE m.event_id = ?""", [event_id]).fetchall()
        return ArticleFacts.read(" ".join(t for (t,) in texts))

    def candidates(self, event_type: str, participants: tuple[str, ...]) -> list[_EventState]:
        """Events of this type that share a participant with ``participants``."""
        out: dict[str, _EventState] = {}
        for code in participants:
            for st in self._load(event_type, code):
                out.setdefault(st.row["event_id"], st)
        return list(out.values())

    def add(self, st: _EventState) -> None:
        """Record a state the batch created or joined (under every participant, as they may have grown)."""
        self.touched[st.row["event_id"]] = st
        for code in st.row["participants"]:
            states = self._load(st.row["event_type"], code)
            if st not in states:
                states.append(st)


def parties_compatible(a, b) -> bool:
    """One party set within the other: the same pair, or a multilateral event named by different outlets with
    different subsets of its members (the smaller naming two at least)."""
    a, b = set(a), set(b)
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return small == large or (len(small) >= 2 and small <= large)


_WORD = re.compile(r"[^\W\d_]{4,}")


def content_words(text: str | None) -> set[str]:
    """Lower-cased words of four letters or more: what two reports of one event tend to share (names of the
    exercise, the ship, the place, the equipment)."""
    return {w.lower() for w in _WORD.findall(text or "")}


def similarity(a: set[str], b: set[str]) -> float:
    """Overlap of two word sets, relative to the smaller one."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


_YEAR = re.compile(r"\b(?:19[5-9]\d|20\d\d)\b")
_CAPITALISED = re.compile(r"\b[A-Z][^\W_]{2,}")
_CALENDAR_WORDS = frozenset(w.lower() for w in (*calendar.day_name, *calendar.month_name, *calendar.day_abbr,
                                                *calendar.month_abbr) if w)


@dataclass
class Telling:
    """What the titles and evidence of an event's reports say."""

    words: set[str] = field(default_factory=set)  # content words (:func:`content_words`)
    # capitalised words of the evidence, lower-cased: an exercise's, a ship's, an accord's; not of titles (often
    # in title case) nor a sentence's first word
    names: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)  # years they name ("the 2024 edition")
    acronyms: set[str] = field(default_factory=set)  # names written in capitals ("PASSEX"), lower-cased

    @classmethod
    def read(cls, titles: list[str], evidence: list[str]) -> Telling:
        text = " ".join([*titles, *evidence])
        found = [m.group() for sentence in evidence for m in _CAPITALISED.finditer(sentence or "")
                 if sentence[:m.start()].strip()]
        names = {w.lower() for w in found} - _stop_words()
        return cls(content_words(text), names, {int(y) for y in _YEAR.findall(text)},
                   {w.lower() for w in found if w.isupper()} & names)

    def add(self, other: Telling) -> None:
        self.words |= other.words
        self.names |= other.names
        self.years |= other.years
        self.acronyms |= other.acronyms


@functools.cache
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS  # here: spaCy's import is heavy for the writer alone
    return frozenset(STOP_WORDS)


@functools.cache
def _party_words(code: str) -> frozenset[str]:
    """The words of a participant's names in the gazetteer ("royal", "navy" of its navy's name among them)."""
    from newswatch.transforms.language.actors import names_by_code  # here: it loads the gazetteer
    return frozenset(w.lower() for name in names_by_code().get(code, ()) for w in name.split())


def named_alike(a: Telling, b: Telling, parties: Iterable[str]) -> bool:
    """The two tellings share a name that is not one of the parties' (the exercise, the ship, the accord):
    their common words alone ("Ruritanian", "joint", "naval", "exercise") fit any drill of the pair. A name is
    two capitalised words at least ("Blue Heron", "Harbour Accord") or one in capitals ("PASSEX"); days and
    months ("on Monday", "in March") name no event."""
    shared = (a.names & b.names) - _CALENDAR_WORDS
    for code in parties:
        shared -= _party_words(code)
    return len(shared) >= 2 or bool(shared & a.acronyms & b.acronyms)


# A sum of money: a currency sign or code before the number, or a currency word after its scale ("$1.5m",
# "EUR 20 million", "12 billion rupees").
_MONEY = re.compile(
    r"(?:[$€£¥₹]|\b(?:US\$|USD|EUR|GBP|INR|AUD|CNY|RMB|JPY|KRW|SAR|A\$|Rs\.?)\s?)\s?(\d[\d,]*(?:\.\d+)?)"
    r"[\s-]*(trillion|billion|million|tn|bn|mn|m|crore|lakh)?\b"
    r"|(?<![\d,.])\b(\d[\d,]*(?:\.\d+)?)[\s-]*(trillion|billion|million|tn|bn|crore|lakh)\s+"
    r"(?:euros?|dollars?|pounds|rupees|yen|yuan|won|riyals?|dirhams?)\b", re.I)
_SCALE = {"": 1, "m": 1e6, "mn": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9, "tn": 1e12, "trillion": 1e12,
          "lakh": 1e5, "crore": 1e7}


@dataclass(frozen=True)
class ArticleFacts:
    """What the texts of a report's articles name, for reports that cannot be placed in time."""

    latest_year: int | None = None  # an undated article is no older than the latest year (1950-2099) it names
    amounts: frozenset[float] = frozenset()  # sums of money, whatever the currency

    @classmethod
    def read(cls, text: str) -> ArticleFacts:
        years = [int(y) for y in _YEAR.findall(text)]
        amounts = set()
        for m in _MONEY.finditer(text):
            number, scale = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            amounts.add(round(float(number.replace(",", "")) * _SCALE[(scale or "").lower()], 2))
        return cls(max(years) if years else None, frozenset(amounts))

    def __or__(self, other: ArticleFacts) -> ArticleFacts:
        years = [y for y in (self.latest_year, other.latest_year) if y is not None]
        return ArticleFacts(max(years) if years else None, self.amounts | other.amounts)


def told_apart(unplaced: ArticleFacts, unplaced_told: Telling, other: ArticleFacts, other_told: Telling,
               other_year: int | None) -> bool:
    """Facts that keep a report that cannot be placed in time (``unplaced``) from an event of the same kind:

    * its title or evidence names years, and not the other side's year (of its date or publication), or the
      other side's title or evidence names other years ("the 2022 edition" is not the drill of 2024);
    * its articles name a later year than the other side's ("since 2019 the two navies have met often" is from
      2019 or later: its undated drill is not one of 2017). A year of a plan ("by 2030") only loses a merge;
    * both sides' articles name sums of money and none in common (two aid packages of one donor for one state,
      told alike). Sums are read from whole articles: a roundup naming both packages' sums tells neither apart.
    """
    if unplaced_told.years and (other_year is not None and other_year not in unplaced_told.years
                                or other_told.years and not other_told.years & unplaced_told.years):
        return True
    if unplaced.latest_year is not None and other_year is not None and unplaced.latest_year > other_year:
        return True
    return bool(unplaced.amounts and other.amounts and not unplaced.amounts & other.amounts)


def _reported_near(day: dt.date | None, precision: str | None, reported: dt.date | None) -> bool:
    """A report published during the event's day or month, or at most MERGE_WINDOW_DAYS after it."""
    if day is None or reported is None or precision not in ("day", "month"):
        return False
    if precision == "day":
        start, end = day, day
    else:
        start = day.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return start - dt.timedelta(days=MERGE_SLACK_DAYS) <= reported <= end + dt.timedelta(days=MERGE_WINDOW_DAYS)


def find_match(states: list[_EventState], cand: EventCandidate, published: dt.date | None,
               article_id: str | None = None, told: Telling | None = None,
               facts: ArticleFacts = ArticleFacts()) -> _EventState | None:
    """The event a candidate joins, or None. Never one its own article already holds (the extractor has told
    that article's events apart); else the same type, compatible parties (:func:`parties_compatible`), and:

    * both dated: compatible periods (two days at most ``MERGE_SLACK_DAYS`` apart, or ``MERGE_SPAN_DAYS`` for
      a type whose events run over days: a port call dated by its arrival and by "yesterday"); dated events
      further apart never merge;
    * one dated, one not: the undated side, a report of what occurred (not a plan, not background), was
      reported during the dated event or within ``MERGE_WINDOW_DAYS`` after it;
    * both undated: both reports of what occurred, reported within ``MERGE_WINDOW_DAYS`` of each other;
    * one side unplaced (undated, from articles with no publication date either), and no event placed in time
      fits: both reports of what occurred, told alike at ``MIN_SIMILARITY_UNPLACED`` and :func:`named_alike`,
      and not :func:`told_apart` by the years and sums they name (``facts``: the candidate's article's);
    * and unless both are dated to the same day and name the same parties, the titles and evidence share words
      (:func:`similarity` at least ``MIN_SIMILARITY``): two signings by one pair in one month, a summit and a
      meeting of two of its members on its sidelines, talks on two days running are told differently.

    An ambiguous candidate (it fits two events equally well) joins neither; the same parties beat a subset. A
    candidate dated less precisely than an event ("September" against the 4th and the 20th) fits every event
    of its period equally: it is no nearer the one at the period's start."""
    told = told or Telling()
    matches = []
    for st in states:
        if article_id in st.articles or not parties_compatible(st.row["participants"], cand.participants):
            continue
        d, p = st.row["event_date"], st.row["date_precision"]
        unplaced = False
        if d is not None and cand.event_date is not None:
            slack = MERGE_SPAN_DAYS if spans_days(cand.event_type) else MERGE_SLACK_DAYS
            if not periods_compatible(d, p, cand.event_date, cand.date_precision, slack_days=slack):
                continue
            exact = d == cand.event_date and p == cand.date_precision
            coarser = _PRECISION_ORDER[cand.date_precision] > _PRECISION_ORDER[p]
            closeness = (not exact, 0 if coarser else abs((d - cand.event_date).days))
            vague = cand.date_precision != "day" and not exact
        elif (d is None and st.reported is None) or (cand.event_date is None and published is None):
            # one side has no time at all, not even a publication date: only its words and what its articles
            # name can tell (checked last: a stored event's articles are read for it)
            if not (_occurred(cand) and st.row["status"] == "occurred"):
                continue
            unplaced, closeness, vague = True, (True, 0), True
        elif d is not None:
            if not (_occurred(cand) and _reported_near(d, p, published)):
                continue
            closeness, vague = (True, 0), True
        elif cand.event_date is not None:
            if not (st.row["status"] == "occurred" and _reported_near(cand.event_date, cand.date_precision,
                                                                      st.reported)):
                continue
            closeness, vague = (True, 0), True
        else:
            if not (_occurred(cand) and st.row["status"] == "occurred") or \
                    abs((published - st.reported).days) > MERGE_WINDOW_DAYS:
                continue
            closeness, vague = (True, 0), True
        same_parties = tuple(sorted(st.row["participants"])) == tuple(sorted(cand.participants))
        same_day = p == "day" and cand.date_precision == "day" and d == cand.event_date
        if not (same_day and same_parties) and similarity(told.words, st.told.words) < (
                MIN_SIMILARITY_UNPLACED if unplaced else MIN_SIMILARITY):
            continue  # short of one day and one party set, the reports must also be told in like words
        if unplaced:
            if not named_alike(told, st.told, {*cand.participants, *st.row["participants"]}):
                continue
            st_time, cand_time = d or st.reported, cand.event_date or published
            if cand_time is None:
                apart = told_apart(facts, told, st.article_facts(), st.told, st_time.year if st_time else None)
            else:
                apart = told_apart(st.article_facts(), st.told, facts, told, cand_time.year)
            if apart:
                continue
        # an event placed in time that fits comes first: then no unplaced one makes it ambiguous
        matches.append(((unplaced, not same_parties, *closeness), vague, st))
    if not matches:
        return None
    matches.sort(key=lambda m: m[0])
    if len(matches) > 1 and matches[0][0] == matches[1][0] and matches[0][1]:
        return None  # an imprecise candidate that fits two events as well joins neither
    return matches[0][2]


def _occurred(cand: EventCandidate) -> bool:
    """A report of what occurred, not of a plan and not only background: one whose publication date may stand
    for the date of an undated event."""
    return cand.status == "occurred" and not all(m.in_background for m in cand.mentions)


def _new_event_row(cand: EventCandidate, article: Article, now: dt.datetime) -> dict:
    first = cand.mentions[0]
    return {
        "event_id": stable_hash(cand.event_type, cand.participants, cand.event_date, cand.date_precision,
                          article.article_id, first.char_start)[:20],
        "event_type": cand.event_type, "participants": list(cand.participants), "event_date": cand.event_date,
        "date_precision": cand.date_precision, "location": cand.location, "status": cand.status,
        "confidence": cand.confidence, "article_count": 1, "first_seen_at": now, "last_seen_at": now,
        "cameo_code": cand.cameo_code, "plover_type": cand.plover_type,
        "low_confidence": cand.confidence < LOW_CONFIDENCE_THRESHOLD,
    }


def _merge_into(st: _EventState, cand: EventCandidate, now: dt.datetime, published: dt.date | None) -> None:
    row = st.row
    if not set(cand.participants) <= set(row["participants"]):
        row["participants"] = sorted(set(row["participants"]) | set(cand.participants))
    if published is not None and (st.reported is None or published < st.reported):
        st.reported = published
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


# Fields of Article that are carried for the pipeline, not stored in the articles table.
NOT_ARTICLE_COLUMNS = ("feed", "location", "seen")


def one_version_per_article(items: list[ExtractedArticle]) -> tuple[list[ExtractedArticle], list[IngestError]]:
    """Inputs of one batch that are the same article (the same canonical URL) with different texts: keep one,
    whatever their order (published latest, then the greater content hash), and an error row for each other,
    so that no version disappears without a word. Identical copies are simply the same article."""
    by_id: dict[str, list[ExtractedArticle]] = {}
    for item in items:
        by_id.setdefault(item.article.article_id, []).append(item)
    kept, dropped = [], []
    for versions in by_id.values():
        best = max(versions, key=lambda it: (it.article.published_at or dt.datetime.min, it.article.content_hash))
        kept.append(best)
        for other in versions:
            if other.article.content_hash != best.article.content_hash:
                art, chosen = other.article, best.article
                dropped.append(IngestError(
                    origin=art.location or art.origin, stage="duplicate", url=art.url, feed=art.feed,
                    raw=(art.text or "")[:2000],
                    error=f"same URL as {chosen.location or chosen.origin} but a different text; that version was "
                          "stored (the one published latest, else the one with the greater content hash)"))
    return kept, dropped


def stored_articles(conn, ids: Iterable[str]) -> dict[str, str]:
    """The content hash of each of ``ids`` that the articles table holds."""
    ids = list(ids)
    if not ids:
        return {}
    return dict(conn.execute("SELECT article_id, content_hash FROM articles WHERE article_id IN "
                             "(SELECT unnest(?::VARCHAR[]))", [ids]).fetchall())


def write_batch(conn, items: list[ExtractedArticle], errors: list[IngestError] = (),
                now: dt.datetime | None = None, *, feed_states: list[FeedStatus] = (),
                seen: list[SeenUrl] = ()) -> WriteStats:
    """Write one batch in one transaction; returns what changed."""
    now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    stats = WriteStats()
    # every fetched URL is seen, also those whose article another one of the batch stands for
    carried = [dataclasses.replace(it.article.seen, article_id=it.article.article_id)
               for it in items if it.article.seen is not None]
    items, duplicates = one_version_per_article(items)
    errors = [*errors, *duplicates]
    stats.duplicates = len(duplicates)
    conn.execute("BEGIN TRANSACTION")
    try:
        stats.errors = write_errors(conn, errors, now)
        stats.feeds = write_feed_states(conn, feed_states)
        for err in errors:
            stats.error_stages[err.stage] = stats.error_stages.get(err.stage, 0) + 1
        ids = list({it.article.article_id for it in items})
        existing = stored_articles(conn, ids)
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
                index.reset()
                stats.articles_updated += 1
            else:
                stats.articles_new += 1
            article_rows.append(as_row(art, exclude=NOT_ARTICLE_COLUMNS))
            facts = None
            for cand in item.events:
                told = Telling.read([art.title or ""], [m.evidence or "" for m in cand.mentions])
                if facts is None:
                    facts = ArticleFacts.read(" ".join([art.title or "", art.text or ""]))
                match = find_match(index.candidates(cand.event_type, cand.participants), cand, art.published_date,
                                   art.article_id, told, facts)
                if match is None:
                    match = _EventState(_new_event_row(cand, art, now), new=True, reported=art.published_date,
                                        facts=facts)
                    stats.events_new += 1
                else:
                    _merge_into(match, cand, now, art.published_date)
                    match.pending = match.pending | facts
                    stats.events_merged += 1
                match.articles.add(art.article_id)
                match.told.add(told)
                index.add(match)
                for m in cand.mentions:
                    mention_rows.append({
                        "event_id": match.row["event_id"], "article_id": art.article_id, "evidence": m.evidence,
                        "char_start": m.char_start, "char_end": m.char_end, "in_background": m.in_background,
                        "confidence": m.confidence, "mention_date": m.date,
                        "mention_date_precision": m.date_precision, "status": m.status})
        _insert(conn, "articles", article_rows)
        event_rows = [st.row for st in index.touched.values()]
        for row in event_rows:
            row["participants"] = list(row["participants"])
        _insert(conn, "events", event_rows, replace=True)
        _insert(conn, "event_mentions", _dedupe_mentions(mention_rows), replace=True)
        stats.mentions = len(mention_rows)
        # seen URLs last, with the article ids now known
        by_url = {it.article.url: it.article.article_id for it in items if it.article.url}
        stats.seen_urls = write_seen(conn, [*carried, *(dataclasses.replace(s, article_id=s.article_id
                                                                            or by_url.get(s.url)) for s in seen)])
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
    from newswatch.transforms.sources.feedpoll import SourceState, load_state
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
