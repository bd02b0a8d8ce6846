"""Feed parsing: bytes we fetched ourselves -> entries with canonical URLs.

``parse_feed`` runs feedparser on the bytes (wrapped in a stream, so feedparser
never fetches or opens anything itself) and turns its result into plain
dataclasses.  It keeps what feedparser recovers from malformed ("bozo") feeds,
records the problem, and repairs misdeclared encodings: when feedparser had to
override or guess the encoding, or used a single-byte charset (where any bytes
decode), and charset-normalizer finds that decoding implausible, the feed is
re-decoded with charset-normalizer's choice to UTF-8 and parsed again; the
better of the two parses is kept.

Entry links are made canonical with :func:`~newswatch.transforms.sources.urls.canonical_url`.
"""

from __future__ import annotations

import codecs
import datetime as dt
import html
import io
import re
import xml.sax
from dataclasses import dataclass, field
from urllib.parse import urljoin

import charset_normalizer
import feedparser

from newswatch.schemas.rows import PUBLISHED_FUTURE_SLACK
from newswatch.transforms.sources.pages import likeliest
from newswatch.transforms.sources.urls import canonical_url

MIN_YEAR = 1990

_XML_ENCODING_RE = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""")
# how much less "chaos" (charset-normalizer's mess score) a proposal needs to replace a plausible charset
_CHAOS_MARGIN = 0.05
_TAG_RE = re.compile(r"<[^>]+>")
_SPACE_RE = re.compile(r"\s+")
_XML_DECL_RE = re.compile(rb"^(\s*(?:<!--.*?-->\s*)*)<\?xml[^>]*\?>", re.DOTALL)


@dataclass
class FeedEntry:
    """One usable feed entry.  ``url`` is canonical; ``link`` is as the feed gave it."""

    link: str
    url: str
    entry_id: str | None = None
    title: str | None = None
    summary: str | None = None
    published: dt.datetime | None = None
    author: str | None = None
    content_html: str | None = None


@dataclass
class SkippedEntry:
    """An entry that could not be used, with the reason (e.g. no usable link)."""

    index: int
    reason: str
    entry_id: str | None = None
    title: str | None = None
    link: str | None = None


@dataclass
class ParsedFeed:
    """What ``parse_feed`` found.

    ``bozo`` / ``bozo_reason`` record any problem, even when entries were
    recovered.  ``error`` is set only when the feed is unusable: malformed with
    no usable entries, or not a feed at all.  ``skipped_entries`` lists entries
    dropped for lack of a usable link; ``duplicate_entries`` counts entries whose
    page an earlier entry already gives (kept once: not an error).
    """

    entries: list[FeedEntry] = field(default_factory=list)
    duplicate_entries: int = 0
    bozo: bool = False
    bozo_reason: str | None = None
    encoding: str | None = None
    title: str | None = None
    error: str | None = None
    skipped_entries: list[SkippedEntry] = field(default_factory=list)
    version: str | None = None
    link: str | None = None


# ---------------------------------------------------------------------------
# parsing


def parse_feed(body: bytes, *, url: str, content_type: str | None = None,
               headers: dict[str, str] | None = None, now: dt.datetime | None = None) -> ParsedFeed:
    """Parse feed bytes fetched from ``url``.

    ``content_type`` (the HTTP header, with its charset) or ``headers`` (all
    response headers, lower-case names; Content-Location is honoured for
    relative links) tell feedparser what the server declared.  ``now`` is for
    tests of the future-date check.
    """
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    if content_type:
        headers["content-type"] = content_type
    headers.setdefault("content-type", "application/xml")
    base = urljoin(url, headers["content-location"]) if headers.get("content-location") else url
    headers["content-location"] = base

    if not body or not body.strip():
        return ParsedFeed(bozo=True, bozo_reason="empty document", error="empty feed document")

    parsed = _feedparser(body, headers)
    note = None
    candidate = _better_encoding(body, parsed)
    if candidate is not None:
        fixed = _reencode(body, candidate)
        reparsed = _feedparser(fixed, {**headers, "content-type": "application/xml; charset=utf-8"})
        if _score(reparsed) >= _score(parsed):
            candidate = codecs.lookup(candidate).name
            declared = _bozo_text(parsed) or f"decoded as {parsed.get('encoding')}"
            note = f"character encoding misdeclared ({declared}); re-decoded as {candidate}"
            reparsed["encoding"] = candidate
            parsed = reparsed
    return _to_parsed_feed(parsed, base, note, now or dt.datetime.now(dt.timezone.utc))


def _feedparser(body: bytes, headers: dict[str, str]):
    # A stream, never bytes or str: feedparser would try to open those as a path or URL.
    return feedparser.parse(io.BytesIO(body), response_headers=dict(headers))


def _bozo_text(result) -> str | None:
    if not result.get("bozo"):
        return None
    exc = result.get("bozo_exception")
    if isinstance(exc, xml.sax.SAXParseException):
        text = f"XML error at line {exc.getLineNumber()}, column {exc.getColumnNumber()}: {exc.getMessage()}"
        # expat's words for a document that stops before its elements close: a file cut short
        if exc.getMessage() in ("no element found", "unclosed token", "unclosed CDATA section"):
            text += " (the document ends before its elements close: cut short?)"
        return text
    text = str(exc) if exc is not None else ""
    if exc is not None and (not text or len(text) < 8):
        text = f"{exc.__class__.__name__}: {text}".rstrip(": ")
    return text or "malformed feed"


def _score(result) -> tuple[int, int]:
    """Higher is better: more entries, then no bozo."""
    return (len(result.get("entries", [])), 0 if result.get("bozo") else 1)


def _is_encoding_problem(result) -> bool:
    exc = result.get("bozo_exception")
    return isinstance(exc, (feedparser.CharacterEncodingOverride, feedparser.CharacterEncodingUnknown))


def _better_encoding(body: bytes, result) -> str | None:
    """A charset to re-decode with, or None to keep feedparser's choice.

    Considered when feedparser reported an encoding problem, or decoded
    non-ASCII bytes with a single-byte charset (where any bytes "decode", so a
    wrong HTTP charset goes unnoticed).  charset-normalizer's proposal wins when
    it agrees with the document's own XML declaration, when the charset used
    is implausible for these bytes, or when text decoded the proposed way is
    clearly less messy.
    """
    used = (result.get("encoding") or "").lower()
    if body.isascii() or (not _is_encoding_problem(result) and (used.startswith("utf") or not used)):
        return None
    matches = list(charset_normalizer.from_bytes(body))
    if not matches:
        return None
    proposed = likeliest(matches)
    if _same_codec(proposed.encoding, used):
        return None
    declared = _XML_ENCODING_RE.search(body[:1024])
    if declared and _same_codec(declared.group(1).decode("ascii"), proposed.encoding):
        return proposed.encoding
    try:
        checked = charset_normalizer.from_bytes(body, cp_isolation=[codecs.lookup(used).name]).best()
    except (LookupError, ValueError):
        checked = None
    if checked is None or checked.chaos - proposed.chaos >= _CHAOS_MARGIN:
        return proposed.encoding
    return None


def _same_codec(a: str, b: str) -> bool:
    try:
        return codecs.lookup(a).name == codecs.lookup(b).name
    except LookupError:
        return False


def _reencode(body: bytes, encoding: str) -> bytes:
    """``body`` decoded from ``encoding`` and re-encoded as UTF-8 with a matching XML declaration."""
    text = body.decode(encoding, errors="replace").lstrip("\ufeff")
    data = text.encode("utf-8")
    return _XML_DECL_RE.sub(rb'\1<?xml version="1.0" encoding="utf-8"?>', data, count=1)


def _plain(value: str | None) -> str | None:
    """Text of a possibly-HTML feed field, whitespace collapsed."""
    if not value:
        return None
    text = _SPACE_RE.sub(" ", html.unescape(_TAG_RE.sub(" ", value))).strip()
    return text or None


def _entry_datetime(entry, now: dt.datetime) -> dt.datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if not value:
            continue
        try:
            when = dt.datetime(*value[:6], tzinfo=dt.timezone.utc)
        except (TypeError, ValueError):
            continue
        if when.year < MIN_YEAR or when > now + PUBLISHED_FUTURE_SLACK:
            return None  # absurd: better unknown than wrong
        return when
    return None


def _entry_link(entry) -> str | None:
    """The entry's article link: feedburner's original link, the alternate link, a permalink id."""
    for key in ("feedburner_origlink", "link"):
        value = entry.get(key)
        if value and isinstance(value, str):
            return value
    for link in entry.get("links", []) or []:
        if link.get("href") and link.get("rel", "alternate") == "alternate":
            return link["href"]
    entry_id = entry.get("id")
    if isinstance(entry_id, str) and entry_id.lower().startswith(("http://", "https://")):
        return entry_id
    return None


def _to_parsed_feed(result, base: str, note: str | None, now: dt.datetime) -> ParsedFeed:
    feed = result.get("feed", {})
    reasons = [note] if note else []
    if result.get("bozo"):
        reasons.append(_bozo_text(result))
    out = ParsedFeed(
        bozo=bool(result.get("bozo")) or note is not None,
        bozo_reason="; ".join(reasons) or None,
        encoding=result.get("encoding") or None,
        title=_plain(feed.get("title")),
        version=result.get("version") or None,
        link=canonical_url(feed.get("link"), base) if feed.get("link") else None,
    )
    raw_entries = result.get("entries", [])
    seen: set[str] = set()
    for index, entry in enumerate(raw_entries):
        title = _plain(entry.get("title"))
        entry_id = entry.get("id") or None
        link = _entry_link(entry)
        url = canonical_url(link, base) if link else None
        if url is None:
            reason = "no link" if not link else f"unusable link {link!r} (not an http(s) URL)"
            out.skipped_entries.append(SkippedEntry(index, reason, entry_id, title, link))
            continue
        if url in seen:  # the same page twice ("a.html", "a.html?utm_source=rss"): nothing is lost, no error
            out.duplicate_entries += 1
            continue
        seen.add(url)
        content = entry.get("content") or []
        out.entries.append(FeedEntry(
            link=entry.get("link") or link,
            url=url,
            entry_id=entry_id or url,
            title=title,
            summary=_plain(entry.get("summary")),
            published=_entry_datetime(entry, now),
            author=_plain(entry.get("author")),
            content_html=content[0].get("value") if content else None,
        ))
    if not out.entries:
        if out.bozo:
            if raw_entries:
                out.error = (f"malformed feed, no usable entries ({len(raw_entries)} recovered without a "
                             f"usable link): {out.bozo_reason}")
            else:
                out.error = f"malformed feed, no entries recovered: {out.bozo_reason}"
        elif not out.version and not raw_entries:
            out.error = "not an RSS or Atom feed"
    return out
