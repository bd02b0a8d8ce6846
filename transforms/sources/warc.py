"""Articles from web archives: WARC files (``.warc``, ``.warc.gz``, as Common Crawl's CC-NEWS), streamed.

Each ``response`` record with HTTP status 200 and an HTML body becomes a :class:`RawArticle` that goes
through the same page extraction as a fetched page: its target URI is the article's URL and the record's
date a fallback publication date (the page's own date wins). Requests, revisits, metadata, non-HTML and
non-200 records are :class:`Skipped`: counted, neither stored nor errors. A truncated or corrupt record is
an :class:`IngestError`; reading goes on at the next record that can be found (the next gzip member of a
``.warc.gz``, the next ``WARC/1.`` header of a plain ``.warc``), so the rest of the file still flows.
warcio reads the records; the file is streamed, never loaded whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from newswatch.schemas.rows import IngestError, RawArticle

WARC_SUFFIXES = (".warc", ".warc.gz")
HTML_TYPES = ("text/html", "application/xhtml+xml")
# A page larger than this is an error row, as for fetched pages (fetch.FetchPolicy.max_bytes).
MAX_RECORD_BYTES = 5_000_000
# Where reading may pick up again after a corrupt record, by kind of file.
_GZIP_MAGIC, _WARC_MAGIC = b"\x1f\x8b\x08", b"WARC/1."
_SCAN_CHUNK = 1 << 20
# A file that keeps failing is given up after this many resumptions (one error row each).
MAX_RESUMPTIONS = 1000


@dataclass(frozen=True)
class Skipped:
    """A record that is not an article (kind: request, revisit, non-HTML, HTTP 404...): counted, not stored."""

    kind: str


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


def read_warc(path: Path) -> Iterator[RawArticle | IngestError | Skipped]:
    """Every record of a WARC file as an article, an error row or a skip, in file order."""
    where = str(path.resolve())
    magic = _GZIP_MAGIC if path.name.lower().endswith(".gz") else _WARC_MAGIC
    with path.open("rb") as f:
        start, resumptions, reported, records = 0, 0, False, 0
        while start is not None:
            f.seek(start)
            position, good = start, False
            try:
                for record, place, misfits in _records(f):
                    if record.format != "warc":  # warcio reads anything else as the older ARC, lines as records
                        yield IngestError(origin=f"{where}#{position}", stage="read", raw=where,
                                          error=f"not a WARC file from byte {position} (warcio reads it as "
                                                f"{record.format}, which newswatch does not read)")
                        return
                    before = misfits()
                    outcome = _outcome(record)  # reads the record; only then are its offset and length known
                    offset, length = place()  # (warcio then checks that the record ends where its length says)
                    position, good, reported = offset + length, True, False  # where the next one starts
                    records += 1
                    located = f"{where}#{offset}"
                    yield _checked(_located(outcome, located), located, before, misfits())
                if not records and not reported:
                    yield IngestError(origin=where, stage="read", raw=where, error="no WARC record in the file")
                return
            except Exception as exc:  # noqa: BLE001 - warcio's ArchiveLoadFailed, zlib errors, bad headers...
                position = _past_separator(f, position)
                if good or not reported:  # one row per corrupt stretch, however many resumptions it takes
                    reported = True
                    yield IngestError(origin=f"{where}#{position}", stage="read", raw=where,
                                      error=f"corrupt WARC record at byte {position}: "
                                            f"{exc.__class__.__name__}: {_printable(str(exc))}")
            resumptions += 1
            start = _next_start(f, position + 1, magic) if resumptions <= MAX_RESUMPTIONS else None
            # (a stretch that fails right after a resumption keeps the first row's position)


def _printable(message: str) -> str:
    """The first line of a reason, without the bytes warcio quotes from where a header was expected
    (compressed data, as often as not)."""
    first = (message.splitlines() or [""])[0].split(", first line:")[0][:200]
    return "".join(c if c.isprintable() else "?" for c in first)


def _records(f):
    """(record, a function giving its offset in the file and its length once the record has been read, and one
    counting the records so far that did not end where their length said)."""
    from warcio.archiveiterator import ArchiveIterator
    iterator = ArchiveIterator(f)
    for record in iterator:  # warcio's offsets are the file's own, wherever reading started
        yield (record, lambda: (iterator.get_record_offset(), iterator.get_record_length()),
               lambda: iterator.err_count)


def _checked(outcome, location: str, misfits_before: int, misfits_after: int):
    """A record's outcome, or an error row if it did not end where its Content-Length said (warcio warns and
    reads on: the text would be stored cut short, or with the next bytes in it)."""
    if misfits_after == misfits_before:
        return outcome
    return IngestError(origin=location, url=getattr(outcome, "url", None), stage="read", raw=location,
                       error="WARC record does not end where its Content-Length says (its content is cut or runs "
                             "on): not stored")


def _located(outcome, where: str):
    if isinstance(outcome, RawArticle):
        outcome.location = where
        outcome.origin = outcome.origin or where
    elif isinstance(outcome, IngestError):
        outcome.origin = where
        outcome.raw = where
    return outcome


def _outcome(record) -> RawArticle | IngestError | Skipped:
    """What a record is; error rows and articles get their place in the file from :func:`_located`."""
    if record.rec_type != "response":
        return Skipped(record.rec_type or "unknown")
    http = record.http_headers
    if http is None:
        return Skipped("response without HTTP headers")
    status = http.get_statuscode()
    if status != "200":
        return Skipped(f"HTTP {status}")
    from newswatch.transforms.sources.fetch import parse_content_type
    mime, charset = parse_content_type(http.get_header("Content-Type"))
    if mime not in HTML_TYPES:
        return Skipped(f"not HTML ({mime or 'no type'})")
    url = record.rec_headers.get_header("WARC-Target-URI")
    body = record.content_stream().read(MAX_RECORD_BYTES + 1)
    if len(body) > MAX_RECORD_BYTES:
        return IngestError(origin="", url=url, stage="read", error=f"archived page larger than {MAX_RECORD_BYTES} bytes")
    if getattr(record.raw_stream, "limit", 0):  # bytes the record announced but the file does not hold
        return IngestError(origin="", url=url, stage="read",
                           error=f"truncated WARC record: {record.raw_stream.limit} bytes missing")
    from newswatch.transforms.sources.pages import UndecodablePage, decode_html
    try:
        html = decode_html(body, charset)
    except UndecodablePage as exc:
        return IngestError(origin="", url=url, stage="decode", error=str(exc))
    date = record.rec_headers.get_header("WARC-Date")
    return RawArticle(origin=url or "", html=html, url=url, published_fallback=date)


def _past_separator(f, offset: int) -> int:
    """The offset after the blank lines that end a plain WARC record (a gzip member has none)."""
    f.seek(offset)
    head = f.read(8)
    return offset + len(head) - len(head.lstrip(b"\r\n"))


def _next_start(f, offset: int, magic: bytes) -> int | None:
    """The offset of the next record header after ``offset`` (a gzip member or a WARC header), or None."""
    f.seek(offset)
    carry = b""
    position = offset
    while True:
        chunk = f.read(_SCAN_CHUNK)
        if not chunk:
            return None
        data = carry + chunk
        found = data.find(magic)
        if found >= 0:
            return position - len(carry) + found
        carry = data[-(len(magic) - 1):]
        position += len(chunk)
