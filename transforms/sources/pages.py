"""Article pages: bytes -> text -> main text and metadata (trafilatura).

``decode_html`` turns page bytes into text, trusting in turn a byte-order mark,
the charset the server declared, the page's own ``<meta charset>``, UTF-8 and
finally charset-normalizer's guess; it refuses binary garbage.

``extract_page`` runs ``trafilatura.bare_extraction`` (which returns a
``trafilatura.settings.Document`` in trafilatura 2.x) with metadata and
without reader comments.  The publication date comes from trafilatura's
metadata (htmldate underneath) with ``original_date`` on and the slow,
error-prone ``extensive_search`` off unless asked for.

Failures raise subclasses of :class:`ExtractionError` (a ``ValueError``):
:class:`UndecodablePage` and :class:`EmptyExtraction`, whose messages are the
reasons to record.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from dataclasses import dataclass

import charset_normalizer
import trafilatura

from newswatch.transforms.sources.urls import canonical_url

# declared charsets that servers send by default; valid UTF-8 overrides them
_DEFAULT_CHARSETS = frozenset({"iso8859-1", "latin-1", "cp1252", "ascii"})
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_HTML_LANG_RE = re.compile(r"""<html\b[^>]*?\slang\s*=\s*["']?\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*""",
                           re.IGNORECASE)
_META_LANG_RE = re.compile(
    r"""<meta[^>]+http-equiv\s*=\s*["']?content-language["']?[^>]+content\s*=\s*["']?\s*([A-Za-z]{2,3})""",
    re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
MIN_TEXT_CHARS = 25
MIN_PRINTABLE_RATIO = 0.95
MAX_CONTROL_RATIO = 0.01


class ExtractionError(ValueError):
    """A page could not be turned into article text."""


class UndecodablePage(ExtractionError):
    """The page bytes are not text in any sensible encoding."""


class EmptyExtraction(ExtractionError):
    """No main text was found in the page."""


@dataclass
class PageContent:
    """Main text and metadata of one article page."""

    text: str
    title: str | None = None
    published: dt.date | None = None
    publisher: str | None = None
    language: str | None = None
    url: str | None = None
    author: str | None = None
    description: str | None = None


# ---------------------------------------------------------------------------
# decoding


def _codec(name: str | None) -> str | None:
    """Python's name for a charset label, or None if unknown."""
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("'\"")).name
    except LookupError:
        return None


def _try_decode(body: bytes, encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _looks_like_text(text: str) -> bool:
    """False for binary garbage: NUL/control characters or few printable characters."""
    if not text:
        return True
    sample = text[:200_000]
    controls = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or 0x7F <= ord(ch) < 0xA0)
    if controls / len(sample) > MAX_CONTROL_RATIO:
        return False
    printable = sum(1 for ch in sample if ch.isprintable() or ch.isspace())
    return printable / len(sample) >= MIN_PRINTABLE_RATIO


def _plausible(body: bytes, encoding: str) -> bool:
    """Whether charset-normalizer accepts ``body`` decoded as ``encoding``."""
    if encoding.startswith("utf"):
        return True  # strict decoding already proves it
    try:
        return charset_normalizer.from_bytes(body[:200_000], cp_isolation=[encoding]).best() is not None
    except (LookupError, ValueError):
        return False


# Tie-break between equally plausible charsets: the most common on the web first.
COMMON_CHARSETS = ["utf_8", "cp1252", "latin_1", "iso8859_15", "cp1251", "koi8_r", "cp1250", "iso8859_2",
                   "shift_jis", "cp932", "euc_jp", "gb2312", "gb18030", "big5", "euc_kr", "cp1256",
                   "cp1253", "iso8859_7", "cp1254", "iso8859_9", "cp1255", "iso8859_8", "cp874"]


def likeliest(matches):
    """The least messy of charset-normalizer's readings (``list(from_bytes(...))``); among equally messy ones
    (Latin-1 text read as cp1250 scores as well as cp1252 can), the most common charset, not the first found."""
    if not matches:
        return None
    least = min(m.chaos for m in matches)
    ties = [m for m in matches if m.chaos <= least + 1e-9]
    return min(ties, key=lambda m: COMMON_CHARSETS.index(m.encoding) if m.encoding in COMMON_CHARSETS
               else len(COMMON_CHARSETS))


def decode_html(body: bytes, declared_charset: str | None = None) -> str:
    """Decode page bytes to text; raises :class:`UndecodablePage`.

    Order: byte-order mark, the declared (HTTP) charset, ``<meta charset>``,
    UTF-8, charset-normalizer.  A declared charset loses to valid UTF-8 when it
    is a latin-1/windows-1252/ASCII server default, and to the page's own meta
    charset when charset-normalizer agrees with the page.  Single-byte
    charsets (in which any bytes decode) are used only when charset-normalizer
    finds the result plausible.
    """
    if not body:
        return ""
    candidates: list[str] = []
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            candidates.append(encoding)
            break
    declared = _codec(declared_charset)
    match = _META_CHARSET_RE.search(body[:8192])
    meta = _codec(match.group(1).decode("ascii", "ignore")) if match else None
    if meta and (meta.startswith("utf-16") or meta.startswith("utf-32")):
        meta = None  # a page "declaring" UTF-16 in ASCII bytes cannot be UTF-16
    non_ascii = not body.isascii()
    if non_ascii and (declared in _DEFAULT_CHARSETS or not (declared and declared == meta)):
        # non-ASCII bytes that are valid UTF-8 (the loop below tries it strictly) are UTF-8 whatever the page or
        # the server says, unless both say the same charset that is not a server default: other charsets' text
        # almost never is, and a wrong label ("shift_jis" on a UTF-8 page) would garble every accent
        candidates.append("utf-8")
    if declared and meta and declared != meta and non_ascii:
        best = charset_normalizer.from_bytes(body[:200_000]).best()
        if best is not None and _codec(best.encoding) == meta:
            candidates.append(meta)  # the page and the detector agree against the server
    candidates += [c for c in (declared, meta, "utf-8") if c]
    for encoding in dict.fromkeys(candidates):
        text = _try_decode(body, encoding)
        if text is None or (non_ascii and not _plausible(body, encoding)):
            continue
        if _looks_like_text(text):
            return text.lstrip("\ufeff")
        raise UndecodablePage(f"page bytes decode as {encoding} but are not text (binary data?)")
    best = likeliest(list(charset_normalizer.from_bytes(body[:200_000])))
    text = _try_decode(body, best.encoding) if best is not None else None
    if text is None or not _looks_like_text(text):
        tried = ", ".join(dict.fromkeys(candidates))
        raise UndecodablePage(f"cannot decode page bytes (tried {tried} and charset detection)")
    return text


# ---------------------------------------------------------------------------
# extraction


def _language(doc_language: str | None, html: str) -> str | None:
    if doc_language:
        return doc_language.lower()
    head = html[:20_000]
    match = _HTML_LANG_RE.search(head) or _META_LANG_RE.search(head)
    return match.group(1).lower() if match else None


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(str(value).split())
    return value or None


def extract_page(html: str | bytes, *, url: str | None = None, declared_charset: str | None = None,
                 extensive_date_search: bool = False, min_text_chars: int = MIN_TEXT_CHARS) -> PageContent:
    """Main text and metadata of an article page.

    Raises :class:`UndecodablePage` for bytes that are not text and
    :class:`EmptyExtraction` when no main text (at least ``min_text_chars``
    characters) is found.
    """
    text_html = decode_html(html, declared_charset) if isinstance(html, bytes) else html
    if not text_html.strip():
        raise EmptyExtraction("empty page")
    date_params = {
        "original_date": True,
        "extensive_search": extensive_date_search,
        "max_date": dt.date.today().isoformat(),
    }
    try:
        doc = trafilatura.bare_extraction(
            text_html, url=url, with_metadata=True, include_comments=False,
            date_extraction_params=date_params,
        )
    except (ValueError, TypeError, AttributeError) as exc:  # lxml / trafilatura internals
        raise EmptyExtraction(f"extraction failed: {exc.__class__.__name__}: {exc}") from None
    body = (doc.text or "").strip() if doc is not None else ""
    if not body:
        raise EmptyExtraction("no main text found in the page")
    if len(body) < min_text_chars:
        raise EmptyExtraction(f"main text too short ({len(body)} characters): {body[:80]!r}")
    publisher = _clean(doc.sitename)
    if publisher and not any(ch.isalpha() for ch in publisher):
        publisher = None  # e.g. a date mistaken for the site name
    return PageContent(
        text=body,
        title=_clean(doc.title),
        published=_date(doc.date),
        publisher=publisher,
        language=_language(doc.language, text_html),
        url=canonical_url(doc.url) or canonical_url(url),
        author=_clean(doc.author),
        description=_clean(doc.description),
    )
