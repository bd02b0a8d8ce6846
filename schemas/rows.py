"""The records that flow between pipeline stages.

Plain dataclasses: picklable for Beam, easy to build in tests. Their fields
mirror the tables of ``ddl.sql``; :func:`as_row` turns one into a dict whose
keys are column names, and the sink inserts such dicts BY NAME, so the DDL
stays the one place where columns are declared.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

# A publication date (a record's, a feed entry's) further ahead than this is a mistake and is ignored; the
# slack allows for time zones and clocks a little fast.
PUBLISHED_FUTURE_SLACK = dt.timedelta(days=2)


@dataclass
class RawArticle:
    """An input before cleaning: one replayed file/record or one fetched page."""

    origin: str                       # file name, JSONL id or feed entry link
    text: str | None = None
    html: str | None = None
    url: str | None = None
    title: str | None = None
    published: str | None = None      # as given (ISO date/time or None)
    publisher: str | None = None
    language: str | None = None
    source: str = "replay"            # 'replay' or 'feed:<name>'
    feed: str | None = None
    fetched_at: dt.datetime | None = None
    published_source: str | None = None  # record, manifest, feed, page
    published_fallback: str | None = None  # used when neither the input nor the page gives a date (archive)
    location: str | None = None       # where a replayed input lives (full path[:line]): error rows name it
    seen: SeenUrl | None = None       # a fetched page's seen row: written in the article's own transaction


@dataclass
class Article:
    article_id: str
    url: str | None
    origin: str
    title: str | None
    publisher: str | None
    published_at: dt.datetime | None
    fetched_at: dt.datetime
    language: str | None
    text: str
    content_hash: str
    source: str
    date_source: str | None
    feed: str | None = None           # not a column: carried for error reports
    date_note: str | None = None      # why a given publication date was not used
    location: str | None = None       # not a column: the input's full path[:line], for error reports
    seen: SeenUrl | None = None       # not a column: the page's seen row, written with the article

    @property
    def published_date(self) -> dt.date | None:
        return self.published_at.date() if self.published_at else None


@dataclass(frozen=True)
class Mention:
    """One sentence of an article that states an event."""

    evidence: str
    char_start: int
    char_end: int
    in_background: bool
    confidence: float
    date: dt.date | None
    date_precision: str | None
    status: str


@dataclass
class EventCandidate:
    """An event as one article reports it (mentions already merged within the article)."""

    event_type: str
    participants: tuple[str, ...]
    event_date: dt.date | None
    date_precision: str | None
    location: str | None
    status: str
    confidence: float
    cameo_code: str
    plover_type: str
    mentions: list[Mention] = field(default_factory=list)

    @property
    def in_background(self) -> bool:
        return all(m.in_background for m in self.mentions)


@dataclass
class ExtractedArticle:
    """The unit the sink writes: an article and the events it reports."""

    article: Article
    events: list[EventCandidate]


@dataclass
class IngestError:
    origin: str | None
    stage: str
    error: str
    url: str | None = None
    raw: str | None = None
    feed: str | None = None


def as_row(record, *, exclude: tuple[str, ...] = ()) -> dict:
    """A dataclass as a {column: value} dict (shallow)."""
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record) if f.name not in exclude}


@dataclass
class FeedStatus:
    """The outcome of polling one feed: becomes its ``feed_state`` row."""

    feed_url: str
    name: str
    etag: str | None
    last_modified: str | None
    last_polled_at: dt.datetime
    last_status: int | None
    last_error: str | None
    not_modified: bool = False
    entries: int = 0


@dataclass
class SeenUrl:
    """A page the fetcher is done with (stored, or failed for good): never fetched again."""

    url: str
    feed: str | None
    first_seen_at: dt.datetime
    article_id: str | None
    status: str                       # fetched | failed


@dataclass
class FeedItem:
    """A new feed entry on its way to the page fetcher."""

    feed: str
    feed_url: str
    url: str                          # canonical
    link: str                         # as the feed gave it
    title: str | None = None
    published: dt.datetime | None = None
    summary: str | None = None


@dataclass(frozen=True)
class CycleEnd:
    """Marks the end of one polling cycle in the monitor's stream: the sink writes what it holds."""

    number: int
    at: dt.datetime


# A surrogate code point in a Python string is always a lone one (JSON's pairs decode to one character).
_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    """``text`` with anything UTF-8 cannot hold (lone surrogates, as JSON's "\\ud800" decodes to) replaced by
    U+FFFD, so that no value can make a write fail."""
    if text.isascii():
        return text
    return _SURROGATE.sub("\ufffd", text)


def stable_hash(*parts) -> str:
    """SHA-256 (hex) of the parts as text, separated so that ("ab", "c") and ("a", "bc") differ; None counts as
    empty. The ids of articles, events and error rows are prefixes of it, so it must never change."""
    h = hashlib.sha256()
    for p in parts:
        h.update(storable(str(p if p is not None else "")).encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()


def storable_row(row: dict) -> dict:
    """A row whose every string (also inside lists) is :func:`storable`."""
    out = {}
    for key, value in row.items():
        if isinstance(value, str):
            value = storable(value)
        elif isinstance(value, list):
            value = [storable(v) if isinstance(v, str) else v for v in value]
        out[key] = value
    return out

