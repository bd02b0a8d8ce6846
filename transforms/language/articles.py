"""From a raw input to a clean :class:`Article`: text, metadata, stable ids.

HTML goes through trafilatura (main text and metadata); plain text through
:mod:`clean`. The article id is stable across runs and sources: the hash of
the canonical URL when there is one, else of the origin and the text, so a
replay of the same input, or the same page reached from two feeds, is one
article.
"""

from __future__ import annotations

import datetime as dt
import re

from newswatch.schemas.rows import PUBLISHED_FUTURE_SLACK, Article, RawArticle, stable_hash
from newswatch.transforms.language.clean import clean_text
from newswatch.transforms.language.dates import find_dates
from newswatch.transforms.sources.urls import canonical_url

# A dateline opening a press release or wire story: "Brussels, 10 July 2023" / "MENDOZA, Argentina – ...".
_DATELINE = re.compile(r"^\s*[A-Z][\w .'’-]{1,40},\s*(?P<date>.+?)\s*$")
_DATELINE_LINES = 6


class UnusableArticle(ValueError):
    """The input has no text to work on (the reason says why)."""


# A record's publication date before this (a clock at year one) or further ahead than PUBLISHED_FUTURE_SLACK (a
# placeholder "9999-12-31") is a mistake: noted and ignored, as an unparseable one is.
EARLIEST_PUBLISHED = dt.datetime(1900, 1, 1)


def parse_published(value: str | None) -> dt.datetime | None:
    """An ISO date or date-time (the record's own field); anything else is unknown."""
    if not value:
        return None
    value = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = dt.datetime.combine(dt.date.fromisoformat(value[:10]), dt.time())
        except ValueError:
            return None
    if parsed.tzinfo:
        try:
            parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
        except OverflowError:  # "9999-12-31T23:00:00-05:00" lies past the calendar's end in UTC
            return dt.datetime.max if parsed.year > 1 else dt.datetime.min
    return parsed


def dateline_date(text: str) -> dt.date | None:
    """The date of a dateline in the first lines ("Brussels, 10 July 2023"), if any."""
    for line in [ln for ln in text.split("\n") if ln.strip()][:_DATELINE_LINES]:
        m = _DATELINE.match(line)
        if not m or len(line) > 60:
            continue
        found = [d for d in find_dates(m.group("date"), None) if d.precision == "day" and not d.relative]
        if found and found[0].start == 0:
            return found[0].value
    return None


def prepare(raw: RawArticle, *, now: dt.datetime | None = None) -> Article:
    """Clean the text and fill the metadata; raises UnusableArticle when nothing is left."""
    now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    title, publisher, language = raw.title, raw.publisher, raw.language
    published = parse_published(raw.published)
    date_note = None
    if raw.published and raw.published.strip() and not published:
        date_note = f"published value {raw.published.strip()[:80]!r} is not an ISO date or date-time; ignored"
    elif published and not EARLIEST_PUBLISHED <= published <= now + PUBLISHED_FUTURE_SLACK:
        date_note = (f"published value {raw.published.strip()[:80]!r} lies before {EARLIEST_PUBLISHED.year} or "
                     f"in the future; ignored")
        published = None
    date_source = raw.published_source if published else None
    url = raw.url
    if raw.html is not None:
        from newswatch.transforms.sources.pages import extract_page  # trafilatura loads lazily
        page = extract_page(raw.html, url=url)
        text = page.text
        title = title or page.title
        publisher = publisher or page.publisher
        language = language or page.language
        url = url or page.url
        if not published and page.published:
            published = dt.datetime.combine(page.published, dt.time())
            date_source = "page"
    else:
        text = raw.text or ""
    text = clean_text(text)
    if title:  # a headline repeated as the first line is a summary, not a report
        first, _, rest = text.partition("\n")
        if first.strip() == title.strip() and rest.strip():
            text = rest.strip()
    if not text.strip():
        raise UnusableArticle("no article text left after cleaning")
    if not published:
        found = dateline_date(text)
        if found:
            published, date_source = dt.datetime.combine(found, dt.time()), "dateline"
    if not published and raw.published_fallback:  # e.g. the date a web archive captured the page
        published = parse_published(raw.published_fallback)
        date_source = "archive" if published else None
    url = canonical_url(url) or (url.strip() or None if url else None)  # a non-web address: as given
    content_hash = stable_hash(text)
    article_id = stable_hash("url", url)[:24] if url else stable_hash("origin", raw.origin, content_hash)[:24]
    return Article(article_id=article_id, url=url, origin=raw.origin, title=title, publisher=publisher,
                   published_at=published, fetched_at=raw.fetched_at or now, language=language, text=text,
                   content_hash=content_hash, source=raw.source, date_source=date_source, feed=raw.feed,
                   location=raw.location, seen=raw.seen, date_note=date_note)


def is_english(article: Article) -> bool:
    return not article.language or article.language.lower().split("-")[0] in ("en", "eng")
