"""Find date expressions in English news text and resolve them to calendar dates.

``find_dates(text, published)`` scans a text with a set of regular expressions
(one per kind of expression), resolves every match against the article's
publication date, and keeps the longest non-overlapping matches.

Kinds of expression understood (all matched case-insensitively unless noted):

* full dates: "April 10, 2018", "10th April, 2018", "Apr. 10, 2018",
  "2023-07-10", "Tue. Jul 16th, 2024" (a weekday directly before a day-precise
  date is taken into the span: "Monday morning, July 8");
* month and day without a year: "April 10", "17 January", "on the 8th";
* ranges of days: "October 13-16, 2024", "from 13 to 16 October 2024",
  "May 28-June 4, 2021", "March 31 to April 2";
* months: "April 2018", "in May and June", "last November", "next month";
* years: "in 2017", "2015", "this year", "a year ago";
* relative days: "today", "yesterday", "on Saturday", "last Saturday",
  "next Tuesday", "3 days ago", "two weeks ago", "last week".

Everything that needs the publication date to be resolved ("April 10",
"on Saturday", "last month", ...) is marked ``relative=True`` and yields no
mention at all when ``published`` is None: the year or day is unknown and is
never guessed.  Such an expression still claims its span, so that its pieces
are not re-read as something else.

Months written "May" and "March" (and all month abbreviations) count only when
capitalised, so the verbs "may" and "march" are never dates; on their own, with
neither day nor year, month names need a temporal word before them ("in May",
"since March", "last November", "mid-May").
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Callable, Iterator

from dateutil.relativedelta import relativedelta

__all__ = ["DateMention", "find_dates", "resolve_weekday"]


# ---------------------------------------------------------------------------
# Vocabulary tables
# ---------------------------------------------------------------------------

MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11,
    "december": 12,
}

# Abbreviations; each may be followed by a full stop ("Apr.", "Sept.").
MONTH_ABBREVIATIONS: dict[str, int] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}

# Full month names that are also ordinary English words (the modal verb "may",
# the verb/noun "march"): they are months only when capitalised.  Abbreviations
# ("Mar", "Jan", ...) must be capitalised too.
AMBIGUOUS_MONTH_NAMES: frozenset[str] = frozenset({"may", "march"})

WEEKDAYS: dict[str, int] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6,
}

# Abbreviated weekdays are only understood in front of a date ("Tue. Jul 16th,
# 2024"), never on their own ("Sun" is a newspaper, "Sat" a past tense).
WEEKDAY_ABBREVIATIONS: dict[str, int] = {
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3,
    "fri": 4, "sat": 5, "sun": 6,
}

TIMES_OF_DAY: tuple[str, ...] = ("morning", "afternoon", "evening", "night")

# Words that make a following weekday name part of another name ("Good Friday",
# "Black Friday") rather than a reference to the most recent such weekday.
WEEKDAY_NAME_PREFIXES: frozenset[str] = frozenset({
    "ash", "black", "bloody", "cyber", "easter", "good", "holy", "maundy",
    "palm", "super",
})

# Capitalised words that make a preceding weekday part of a newspaper title
# ("The Sunday Times", "Sunday Telegraph").
WEEKDAY_TITLE_SUFFIXES: frozenset[str] = frozenset({
    "express", "guardian", "herald", "independent", "mail", "mirror",
    "observer", "post", "star", "telegraph", "times", "tribune",
})

# Capitalised words that make a following weekday part of a newspaper title
# ("The Mail on Sunday").
WEEKDAY_TITLE_PREFIXES: tuple[str, ...] = ("Mail on",)

# Days relative to the publication date.  Keys are matched with any whitespace
# between their words.
RELATIVE_DAY_OFFSETS: dict[str, int] = {
    "today": 0,
    "tonight": 0,
    "this morning": 0,
    "this afternoon": 0,
    "this evening": 0,
    "yesterday": -1,
    "last night": -1,
    "tomorrow": 1,
    "the day before yesterday": -2,
    "the day after tomorrow": 2,
}

# Counts written as words in "two weeks ago", "a year ago".
NUMBER_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "a couple of": 2,
}

# Words before a month name (without day or year) that make it a date:
# "in March", "since May", "mid-June", "by the end of July" (via "end of").
MONTH_CONTEXT_WORDS: tuple[str, ...] = (
    "in", "since", "until", "till", "during", "throughout", "by", "from",
    "before", "after", "through", "between", "early", "late", "mid",
    "end of", "beginning of", "start of", "middle of",
)

# Of those, the ones that may also precede the month "May" ("by May" and
# "after May" too often mean the person).
MAY_CONTEXT_WORDS: frozenset[str] = frozenset({
    "in", "since", "until", "till", "during", "throughout", "early", "late",
    "mid", "end of", "beginning of", "start of", "middle of",
})

# Modifiers of a bare month that are part of the expression: "last November".
MONTH_MODIFIERS: tuple[str, ...] = ("last", "next", "this")

# Nouns after a number that make it a count or a measure, not a year:
# "2000 troops", "2000-strong".
NON_YEAR_FOLLOWING_WORDS: tuple[str, ...] = (
    "aircraft", "cases", "delegates", "dollars", "dong", "euros", "feet",
    "ft", "gmt", "h", "hours", "hrs", "items", "jets", "kg", "kilometers",
    "kilometres", "km", "m", "marines", "members", "men", "meters", "metres",
    "miles", "missiles", "nautical", "officers", "participants", "people",
    "personnel", "pesos", "pieces", "plus", "pounds", "residents", "ringgit",
    "rounds", "rupees", "sailors", "ships", "soldiers", "strong", "students",
    "tanks", "tonnes", "tons", "troops", "units", "utc", "vehicles",
    "vessels", "women", "won", "workers", "yen", "yuan",
)

# Words before a number that make it a label, an amount or an estimate, not a
# year: "No. 2015", "Resolution 1973", "USD 2000", "about 2000".
NON_YEAR_PRECEDING_WORDS: frozenset[str] = frozenset({
    "#", "no", "no.", "nos", "nos.", "number", "resolution", "article",
    "section", "flight", "route", "model", "room", "page", "pages", "p.",
    "pp.", "hull", "pennant", "code",
    "usd", "us", "eur", "gbp", "rs", "rs.", "inr", "rmb", "cny", "jpy", "aud",
    "sgd", "vnd", "php", "idr", "krw", "myr", "thb",
    "about", "approximately", "some", "nearly", "almost", "around", "roughly",
    "than", "least", "exactly",
})

CURRENCY_SIGNS = "$£€¥₹₫₩"

# Words that may follow "on the 8th" when it names a day of the month; any
# other word ("on the 8th floor", "the 8th Fleet") means it does not.
DAY_ORDINAL_FOLLOWERS: frozenset[str] = frozenset({
    "a", "after", "amid", "an", "and", "as", "at", "before", "but", "by",
    "during", "for", "from", "had", "has", "have", "he", "i", "in", "is", "it",
    "of", "on", "or", "said", "says", "she", "that", "the", "they", "this",
    "to", "was", "we", "were", "when", "where", "which", "while", "will",
    "with", "would",
})

# A month-day without a year is put in the year that brings it nearest to the
# publication date, but never more than this many days after it.
MAX_DAYS_AFTER_PUBLICATION = 60

# A day range longer than this is not read as a range.
MAX_RANGE_DAYS = 366


# ---------------------------------------------------------------------------
# Public interface
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class DateMention:
    start: int          # char offset of the expression in the text given
    end: int
    value: datetime.date  # first day of the period when coarser than a day
    precision: str      # 'day' | 'month' | 'year'
    text: str           # text[start:end]
    relative: bool      # True when resolved against the publication date
    end_value: datetime.date | None = None  # last day of a range, else None


def resolve_weekday(name: str, published: datetime.date) -> datetime.date:
    """The most recent day named ``name`` on or before ``published``.

    A weekday equal to the publication's weekday means the publication day
    itself.  ``name`` is a weekday name or abbreviation, in any case.
    """
    return published - datetime.timedelta(days=_days_since(name, published))


def find_dates(text: str, published: datetime.date | None) -> list[DateMention]:
    """Every date expression in text, in order, non-overlapping (longest match wins)."""
    if isinstance(published, datetime.datetime):
        published = published.date()
    candidates = [c for scan in _SCANNERS for c in scan(text, published)]
    mentions = []
    for cand in _longest_non_overlapping(candidates):
        if cand.resolution is None:  # recognised, but needs the publication date
            continue
        res = cand.resolution
        mentions.append(DateMention(
            start=cand.start,
            end=cand.end,
            value=res.value,
            precision=res.precision,
            text=text[cand.start:cand.end],
            relative=res.relative,
            end_value=res.end_value,
        ))
    return mentions


# A date of something still to come, told without its year or week ("on Monday", "in June", "on August 3"),
# is its next occurrence; the resolver puts such a date at its most recent one. Words that place it in the
# past keep it there.
_PAST_WORDS = re.compile(r"\b(?:last|ago|yesterday|earlier|previous|past)\b", re.I)
# A month and day more than this many days before publication is read as to come; nearer, it is more likely
# a plan that was overtaken (a "will meet on 3 May" in a story of 10 May).
AHEAD_AFTER_DAYS = 31


def next_occurrence(dm: DateMention, published: datetime.date) -> DateMention | None:
    """The next occurrence, on or after ``published``, of a relative date that the resolver put before it:
    a weekday a week on, a month and day or a month named without a year a year on. None for any other
    mention, or when that would still lie before publication."""
    if not dm.relative or dm.end_value is not None or _PAST_WORDS.search(dm.text):
        return None
    if dm.value >= published or (dm.precision == "month" and dm.value >= published.replace(day=1)):
        return None  # not before publication
    named_month = re.search(_MONTH, dm.text, _FLAGS)
    if dm.precision == "day" and not named_month and re.search(_WEEKDAY_ANY, dm.text, _FLAGS):
        value = dm.value + datetime.timedelta(days=7)
    elif dm.precision == "day" and named_month and (published - dm.value).days > AHEAD_AFTER_DAYS:
        value = _make_date(dm.value.year + 1, dm.value.month, dm.value.day)
    elif dm.precision == "month":
        value = dm.value.replace(year=dm.value.year + 1)
    else:
        return None
    if value is None or value < (published if dm.precision == "day" else published.replace(day=1)):
        return None
    return DateMention(start=dm.start, end=dm.end, value=value, precision=dm.precision, text=dm.text,
                       relative=True)


# A past act dated no more than this many days after publication is taken as dated by the skew of a date
# line or a time zone, and keeps its year.
PAST_ACT_AHEAD_DAYS = 7


def previous_occurrence(dm: DateMention, published: datetime.date) -> DateMention | None:
    """The occurrence a year earlier of a month and day named without a year that the resolver put after
    ``published`` (it allows MAX_DAYS_AFTER_PUBLICATION days ahead), for a clause told in the past: "signed a
    pact on June 30" in a story of May 2 is last June's. None for any other mention, for one at most
    PAST_ACT_AHEAD_DAYS after publication, for one whose written weekday fits its year, and when the earlier
    occurrence does not exist (February 29)."""
    if not dm.relative or dm.precision != "day" or not re.search(_MONTH, dm.text, _FLAGS):
        return None
    if (dm.value - published).days <= PAST_ACT_AHEAD_DAYS:
        return None  # the skew of a date line or a time zone, not last year
    weekday = re.search(_WEEKDAY_ANY, dm.text, _FLAGS)
    if weekday and _weekday_number(weekday.group(0)) == dm.value.weekday():
        return None  # "on Monday, June 3": the weekday written fits the year the resolver chose
    value = _make_date(dm.value.year - 1, dm.value.month, dm.value.day)
    end_value = dm.end_value and _make_date(dm.end_value.year - 1, dm.end_value.month, dm.end_value.day)
    if value is None or (dm.end_value is not None and end_value is None):
        return None
    return DateMention(start=dm.start, end=dm.end, value=value, precision=dm.precision, text=dm.text,
                       relative=True, end_value=end_value)


# ---------------------------------------------------------------------------
# Candidates and selection
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Resolution:
    value: datetime.date
    precision: str
    relative: bool
    end_value: datetime.date | None = None


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    # None: a date expression that cannot be resolved without the publication
    # date.  It still takes part in the selection, so that it blocks shorter
    # readings of its pieces, but it produces no mention.
    resolution: _Resolution | None


def _certainty(cand: _Candidate) -> int:
    """0 for a date written in full, 1 for one resolved against publication, 2 for unresolved."""
    if cand.resolution is None:
        return 2
    return 1 if cand.resolution.relative else 0


def _longest_non_overlapping(candidates: list[_Candidate]) -> list[_Candidate]:
    """Greedy selection: longest first, then earliest, then the most certain
    reading of the same span ("October 13" in "October 13 and 16, 2024" takes
    its year from the end); returned in text order."""
    chosen: list[_Candidate] = []
    for cand in sorted(candidates, key=lambda c: (c.start - c.end, c.start, _certainty(c))):
        if all(cand.end <= c.start or cand.start >= c.end for c in chosen):
            chosen.append(cand)
    return sorted(chosen, key=lambda c: c.start)


def _relative_candidate(
    start: int,
    end: int,
    published: datetime.date | None,
    resolve: Callable[[datetime.date], _Resolution | None],
) -> Iterator[_Candidate]:
    """A candidate resolved against the publication date (if there is one)."""
    if published is None:
        yield _Candidate(start, end, None)
        return
    resolution = resolve(published)
    if resolution is not None:
        yield _Candidate(start, end, resolution)


def _iter_matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Matches of ``pattern`` starting at every position (they may overlap)."""
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        yield m
        pos = m.start() + 1


# ---------------------------------------------------------------------------
# Regular-expression building blocks
# ---------------------------------------------------------------------------

def _alternation(words) -> str:
    """Regex alternation of words, longest first, spaces matching any whitespace."""
    escaped = (re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
    return "|".join(escaped)


# A month name; abbreviations may carry a full stop.
_MONTH = (
    rf"(?<!\w)(?:(?:{_alternation(MONTHS)})\b"
    rf"|(?:{_alternation(MONTH_ABBREVIATIONS)})\b\.?)"
)
_MONTH_FULL_NAME = rf"(?<!\w)(?:{_alternation(MONTHS)})\b"

_WEEKDAY_FULL_NAME = rf"(?:{_alternation(WEEKDAYS)})(?!\w)"
_WEEKDAY_ANY = (
    rf"(?:(?:{_alternation(WEEKDAYS)})\b"
    rf"|(?:{_alternation(WEEKDAY_ABBREVIATIONS)})\b\.?)"
)

# A day of the month, optionally ordinal; not part of a longer number, a time
# ("10:30") or a decimal.
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?!\w)(?!:\d)(?!\.\d)(?!,\d{3}(?!\d))"

# A year attached to a month or day; not part of a longer number, and not a
# count ("May 2000 troops").
_YEAR_TAIL = (
    r"(?!\w)(?![.,]\d)(?!%)"
    rf"(?!\s*-?\s*(?:{_alternation(NON_YEAR_FOLLOWING_WORDS)})\b)"
)
_YEAR = rf"(?:1[89]\d\d|20\d\d){_YEAR_TAIL}"

# Between the two ends of a range: "13-16", "13 to 16", "May 28 through June 4".
# "and" is a range only after "between"; otherwise it joins two dates.
_RANGE_SEPARATOR = r"(?:\s*[-–—]\s*|\s+(?:to|through|thru|until|till|and)\s+)"

# Where a day-first expression may start: not inside a number or an amount.
_DAY_FIRST_START = r"(?<![\w$£€¥#.,:/-])"

_FLAGS = re.IGNORECASE

# "April 10, 2018", "Apr. 10 2018", "April 10th", "April 10"
_MONTH_DAY = re.compile(
    rf"(?P<m1>{_MONTH})\s+(?P<d1>{_DAY})(?:,?\s+(?P<y1>{_YEAR}))?", _FLAGS)

# "10 April 2018", "10th April, 2018", "10th of April", "17 January"
_DAY_MONTH = re.compile(
    rf"{_DAY_FIRST_START}(?P<d1>{_DAY})(?:\s+of)?\s+(?P<m1>{_MONTH})(?:,?\s+(?P<y1>{_YEAR}))?",
    _FLAGS)

# "October 13-16, 2024", "May 28-June 4, 2021", "December 30, 2019 to January 2, 2020"
_MONTH_DAY_RANGE = re.compile(
    rf"(?P<m1>{_MONTH})\s+(?P<d1>{_DAY})(?:,?\s+(?P<y1>{_YEAR}))?,?"
    rf"(?P<sep>{_RANGE_SEPARATOR})"
    rf"(?:(?P<m2>{_MONTH})\s+)?(?P<d2>{_DAY})(?:,?\s+(?P<y2>{_YEAR}))?",
    _FLAGS)

# "13 to 16 October 2024", "13-16 October", "24 June - 3 July 2019"
_DAY_MONTH_RANGE = re.compile(
    rf"{_DAY_FIRST_START}(?P<d1>{_DAY})(?:(?:\s+of)?\s+(?P<m1>{_MONTH})(?:,?\s+(?P<y1>{_YEAR}))?)?,?"
    rf"(?P<sep>{_RANGE_SEPARATOR})"
    rf"(?P<d2>{_DAY})(?:\s+of)?\s+(?P<m2>{_MONTH})(?:,?\s+(?P<y2>{_YEAR}))?",
    _FLAGS)

# "2023-07-10", "2023/07/10"
_ISO_DATE = re.compile(
    r"(?<![\w./-])(?P<y>(?:19|20)\d\d)(?P<sep>[-/])(?P<m>1[0-2]|0?[1-9])(?P=sep)"
    r"(?P<d>3[01]|[12]\d|0?[1-9])(?!\d)(?![/-]\d)")

# "April 2018", "April of 2018", "Sept. 2021"
_MONTH_YEAR = re.compile(rf"(?P<m1>{_MONTH})(?:\s+of)?,?\s+(?P<y>{_YEAR})", _FLAGS)

# "in May", "in May and June 2018", "last November", "mid-March", "from April to June"
_MONTH_JOINER = r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|to|through|until|till)\s+|\s*[-–—]\s*)"
_MONTH_LIST = re.compile(
    rf"(?<!\w)(?:(?P<mod>{_alternation(MONTH_MODIFIERS)})"
    rf"|(?P<ctx>{_alternation(MONTH_CONTEXT_WORDS)})(?:\s+(?:early|late|mid))?)"
    rf"(?:\s*-\s*|\s+)"
    rf"(?P<months>{_MONTH_FULL_NAME}(?:{_MONTH_JOINER}{_MONTH_FULL_NAME})*)"
    rf"(?:,?\s+(?P<y>{_YEAR}))?",
    _FLAGS)
_MONTH_FULL_NAME_RE = re.compile(_MONTH_FULL_NAME, _FLAGS)

# "in 2017", "2015", "mid-2018"
# (1900-2099 only, and not directly after a currency sign or inside a number.)
_BARE_YEAR = re.compile(rf"(?<![\w{CURRENCY_SIGNS}#])(?<!\d[.,])(?P<y>(?:19|20)\d\d){_YEAR_TAIL}", _FLAGS)

# "today", "yesterday", "last night", "the day before yesterday"
_RELATIVE_DAY = re.compile(rf"(?<!\w)(?P<word>{_alternation(RELATIVE_DAY_OFFSETS)})(?!\w)", _FLAGS)

# "Saturday", "on Saturday", "last Saturday", "next Tuesday", "this past Monday"
_WEEKDAY_REFERENCE = re.compile(
    rf"(?<!\w)(?:(?P<on>on)\s+|(?P<mod>last|next|this|past|coming)\s+)?(?P<wd>{_WEEKDAY_FULL_NAME})",
    _FLAGS)

# A weekday (and time of day) directly before a day-precise date:
# "Tue. Jul 16th, 2024", "Monday morning, July 8", "Monday, the 8th of July".
_WEEKDAY_PREFIX = re.compile(
    rf"(?<!\w)(?P<wd>{_WEEKDAY_ANY})(?:\s+(?:{_alternation(TIMES_OF_DAY)}))?\s*,?\s*(?:the\s+)?\Z", _FLAGS)

# "3 days ago", "two weeks ago", "a year ago"
_AGO = re.compile(
    rf"(?<![\w.,])(?P<n>\d{{1,3}}|{_alternation(NUMBER_WORDS)})\s+(?P<unit>day|week|month|year)s?\s+ago(?!\w)",
    _FLAGS)

# "last week", "this month", "earlier this month", "next year"
_RELATIVE_PERIOD = re.compile(
    r"(?<!\w)(?:(?P<adv>earlier|later)\s+)?(?P<mod>last|this|next)\s+(?P<unit>week|month|year)(?!\w)",
    _FLAGS)

# "on the 8th": a day of the publication month.
_DAY_OF_THIS_MONTH = re.compile(
    r"(?<!\w)(?:on|by|since|until|till|from|before|after)\s+the\s+"
    r"(?P<d>(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th))(?!\w)",
    _FLAGS)

_BETWEEN_BEFORE = re.compile(r"(?<!\w)between\s+\Z", _FLAGS)
_PREVIOUS_WORD = re.compile(r"(\S+)\s*\Z")
_NEXT_WORD = re.compile(r"\s*([^\W\d_]+)")


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

def _month_number(token: str) -> int | None:
    """Month number of a matched month token, or None if it must not count.

    "May", "March" and abbreviations count only when capitalised.
    """
    name = token.rstrip(".").lower()
    if name in MONTHS:
        if name in AMBIGUOUS_MONTH_NAMES and not token[0].isupper():
            return None
        return MONTHS[name]
    if name in MONTH_ABBREVIATIONS and token[0].isupper():
        return MONTH_ABBREVIATIONS[name]
    return None


def _weekday_number(token: str) -> int:
    name = token.rstrip(".").lower()
    if name in WEEKDAYS:
        return WEEKDAYS[name]
    if name in WEEKDAY_ABBREVIATIONS:
        return WEEKDAY_ABBREVIATIONS[name]
    raise ValueError(f"not a weekday: {token!r}")


def _days_since(name: str, published: datetime.date) -> int:
    """Days from the most recent ``name`` (on or before) to ``published``."""
    return (published.weekday() - _weekday_number(name)) % 7


def _day_number(token: str) -> int:
    return int(re.match(r"\d+", token).group())


def _make_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _normalise(words: str) -> str:
    return " ".join(words.lower().split())


def _previous_word(text: str, start: int) -> str:
    m = _PREVIOUS_WORD.search(text, max(0, start - 40), start)
    return m.group(1).lower().lstrip("(['\"“‘") if m else ""


def _next_word(text: str, end: int) -> str:
    m = _NEXT_WORD.match(text, end)
    return m.group(1) if m else ""


def _infer_year(month: int, day: int, published: datetime.date) -> datetime.date | None:
    """Put a month-day in the year nearest to the publication date.

    The latest year that keeps it no more than MAX_DAYS_AFTER_PUBLICATION days
    after publication; that is the nearest one, the past preferred.
    """
    latest = published + datetime.timedelta(days=MAX_DAYS_AFTER_PUBLICATION)
    for year in range(published.year + 1, published.year - 8, -1):
        d = _make_date(year, month, day)
        if d is not None and d <= latest:
            return d
    return None


def _day_of_recent_month(day: int, published: datetime.date) -> datetime.date | None:
    """Day ``day`` of the publication month, or of the month before if that is later."""
    first = published.replace(day=1)
    for back in range(3):
        month_start = first - relativedelta(months=back)
        d = _make_date(month_start.year, month_start.month, day)
        if d is not None and d <= published:
            return d
    return None


def _recent_month(month: int, modifier: str | None, published: datetime.date) -> datetime.date:
    """First day of the month ``month`` named without a year.

    No modifier ("in March"): the most recent such month not after the
    publication month.  "last": strictly before it.  "next": strictly after.
    "this": the one in the publication year.
    """
    year = published.year
    if modifier == "last":
        year = year if month < published.month else year - 1
    elif modifier == "next":
        year = year if month > published.month else year + 1
    elif modifier != "this":
        year = year if month <= published.month else year - 1
    return datetime.date(year, month, 1)


def _month_start(d: datetime.date) -> datetime.date:
    return d.replace(day=1)


def _year_start(d: datetime.date) -> datetime.date:
    return d.replace(month=1, day=1)


def _with_weekday_prefix(text: str, start: int) -> int:
    """Start of a weekday (and time of day) directly before ``start``, else ``start``."""
    m = _WEEKDAY_PREFIX.search(text, max(0, start - 40), start)
    if m is None:
        return start
    wd = m.group("wd")
    if wd.rstrip(".").lower() in WEEKDAY_ABBREVIATIONS and not wd[0].isupper():
        return start
    return m.start()


# ---------------------------------------------------------------------------
# Scanners: one per kind of expression, each yielding candidates
# ---------------------------------------------------------------------------

def _single_day(
    text: str,
    start: int,
    end: int,
    month: int,
    day: int,
    year: int | None,
    published: datetime.date | None,
) -> Iterator[_Candidate]:
    """A day-precise date, its span widened by a weekday written before it."""
    start = _with_weekday_prefix(text, start)
    if year is not None:
        d = _make_date(year, month, day)
        if d is not None:
            yield _Candidate(start, end, _Resolution(d, "day", relative=False))
        return

    def resolve(pub: datetime.date) -> _Resolution | None:
        d = _infer_year(month, day, pub)
        return _Resolution(d, "day", relative=True) if d else None

    yield from _relative_candidate(start, end, published, resolve)


def _scan_single_days(text: str, published: datetime.date | None) -> Iterator[_Candidate]:
    """ "April 10, 2018", "10 April 2018", "April 10", "17 January"."""
    for pattern in (_MONTH_DAY, _DAY_MONTH):
        for m in _iter_matches(pattern, text):
            month = _month_number(m.group("m1"))
            if month is None:
                continue
            year = int(m.group("y1")) if m.group("y1") else None
            yield from _single_day(text, m.start(), m.end(), month, _day_number(m.group("d1")),
                                   year, published)


def _scan_iso_dates(text: str, published: datetime.date | None) -> Iterator[_Candidate]:
    """ "2023-07-10"."""
    for m in _iter_matches(_ISO_DATE, text):
        yield from _single_day(text, m.start(), m.end(), int(m.group("m")), int(m.group("d")),
                               int(m.group("y")), published)


def _resolve_range(
    m1: int, d1: int, y1: int | None, m2: int, d2: int, y2: int | None,
    published: datetime.date | None,
) -> _Resolution | None:
    """Resolve "m1 d1 [y1] - m2 d2 [y2]"; None if it is not a sensible range.

    Raises LookupError when the range has no year and there is no publication date.
    """
    relative = y1 is None and y2 is None
    if relative:
        if published is None:
            raise LookupError("range without a year needs the publication date")
        first = _infer_year(m1, d1, published)
        if first is None:
            return None
        y1 = first.year
    elif y1 is None:  # "May 28-June 4, 2021": the year is written at the end
        y1 = y2 - 1 if m1 > m2 else y2  # "December 30-January 2, 2020"
    first = _make_date(y1, m1, d1)
    if y2 is None:
        y2 = y1 + 1 if m2 < m1 else y1  # "December 30 - January 2"
    last = _make_date(y2, m2, d2)
    if first is None or last is None or not 0 <= (last - first).days <= MAX_RANGE_DAYS:
        return None
    return _Resolution(first, "day", relative=relative, end_value=last)


def _scan_ranges(text: str, published: datetime.date | None) -> Iterator[_Candidate]:
    """ "October 13-16, 2024", "from 13 to 16 October 2024", "May 28-June 4, 2021".

    "October 13 and 16" (not after "between") is two dates, not a range.
    """
    for pattern, month_first in ((_MONTH_DAY_RANGE, True), (_DAY_MONTH_RANGE, False)):
        for m in _iter_matches(pattern, text):
            m2 = _month_number(m.group("m2")) if m.group("m2") else None
            m1 = _month_number(m.group("m1")) if m.group("m1") else None
            if (m.group("m1") and m1 is None) or (m.group("m2") and m2 is None):
                continue  # a lower-case "may"/"march" or abbreviation
            if month_first and m.group("y1") and m2 is None:
                continue  # "May 5, 2019 - 10": not a range
            m1 = m1 or m2
            m2 = m2 or m1
            d1, d2 = _day_number(m.group("d1")), _day_number(m.group("d2"))
            y1 = int(m.group("y1")) if m.group("y1") else None
            y2 = int(m.group("y2")) if m.group("y2") else None

            if _normalise(m.group("sep")) == "and" and not _BETWEEN_BEFORE.search(text, max(0, m.start() - 20), m.start()):
                # Two dates sharing their month and/or year: "October 13 and 16, 2024".
                first_end = m.end("y1") if y1 else (m.end("d1") if month_first or not m.group("m1")
                                                    else m.end("m1"))
                second_start = m.start("m2") if month_first and m.group("m2") else m.start("d2")
                yield from _single_day(text, m.start(), first_end, m1, d1, y1 or y2, published)
                yield from _single_day(text, second_start, m.end(), m2, d2, y2, published)
                continue

            try:
                resolution = _resolve_range(m1, d1, y1, m2, d2, y2, published)
            except LookupError:
                yield _Candidate(m.start(), m.end(), None)
                continue
            if resolution is not None:
                yield _Candidate(m.start(), m.end(), resolution)


def _scan_month_years(text: str, published: datetime.date | None) -> Iterator[_Candidate]:
    """ "April 2018", "Sept. 2021", "April of 2018"."""
    for m in _iter_matches(_MONTH_YEAR, text):
        month = _month_number(m.group("m1"))
        if month is not None:
            value = datetime.date(int(m.group("y")), month, 1)
            yield _Candidate(m.start(), m.end(), _Resolution(value, "month", relative=False))


def _scan_month_lists(text: str, published: datetime.date | None) -> Iterator[_Candidate]:
    """Months named after a temporal word: "in March", "last November",
    "in May and June", "from April to June 2018" (one mention per month)."""
    for m in _iter_matches(_MONTH_LIST, text):
        modifier = m.group("mod").lower() if m.group("mod") else None
        context = _normalise(m.group("ctx")) if m.group("ctx") else None
        year = int(m.group("y")) if m.group("y") else None
        names = list(_MONTH_FULL_NAME_RE.finditer(text, m.start("months"), m.end("months")))
        for i, name in enumerate(names):
            month = _month_number(name.group())
            if month is None:
                break  # "in may" ...: the list ends here
            if month == 5 and i == 0 and context is not None and context not in MAY_CONTEXT_WORDS:
                break  # "by May", "after May": too likely the surname
            start = m.start() if (modifier and i == 0) else name.start()
            end = m.end() if (year and i == len(names) - 1) else name.end()
            if year is not None:
                value = datetime.date(year, month, 1)
                yield _Candidate(start, end, _Resolution(value, "month", relative=False))
                continue

            def resolve(pub: datetime.date, month=month) -> _Resolution:
                return _Resolution(_recent_month(month, modifier, pub), "month", relative=True)

            yield from _relative_candidate(start, end, published, resolve)


def _scan_bare_years(text: str, published: datetime.date | None) -> Iterator[_Candidate]:
    """ "in 2017", "since 2011", "2015", "by 2050", "mid-2018"; not "$2000" or
    "No. 2015"."""
    for m in _iter_matches(_BARE_YEAR, text):
        previous = _previous_word(text, m.start()) if m.start() and text[m.start() - 1].isspace() else ""
        if previous in NON_YEAR_PRECEDING_WORDS or any(c in CURRENCY_SIGNS for c in previous):
            continue
        value = datetime.date(int(m.group("y")), 1, 1)
        yield _Candidate(m.start(), m.end(), _Resolution(value, "year", relative=False))


def _scan_relative_days(text: str, published: datetime.date | None) -> Iterator[_Candidate]:
    """ "today", "yesterday", "tomorrow", "last night"."""
    for m in _iter_matches(_RELATIVE_DAY, text):
        offset = RELATIVE_DAY_OFFSETS[_normalise(m.group("word"))]

        def resolve(pub: datetime.date, offset=offset) -> _Resolution:
            return _Resolution(pub + datetime.timedelta(days=offset), "day", relative=True)

        yield from _relative_candidate(m.start(), m.end(), published, resolve)


def _scan_weekdays(text: str, published: datetime.date | None) -> Iterator[_Candidate]:
    """ "Saturday", "on Saturday", "last Saturday", "this Monday", "next Tuesday".

    Plain or with "on"/"this": the most recent such day on or before
    publication.  "last"/"past": strictly before.  "next"/"coming": strictly after.
    A plain weekday must be capitalised.
    """
    for m in _iter_matches(_WEEKDAY_REFERENCE, text):
        name = m.group("wd")
        modifier = m.group("mod").lower() if m.group("mod") else None
        if not (m.group("on") or modifier) and not name[0].isupper():
            continue
        if _previous_word(text, m.start("wd")) in WEEKDAY_NAME_PREFIXES:
            continue  # "Good Friday", "Black Friday"
        following = _next_word(text, m.end())
        if following[:1].isupper() and following.lower() in WEEKDAY_TITLE_SUFFIXES:
            continue  # "The Sunday Times"
        before = text[max(0, m.start("wd") - 20):m.start("wd")].rstrip()
        if any(before.endswith(title) for title in WEEKDAY_TITLE_PREFIXES):
            continue  # "The Mail on Sunday"
        start = m.start() if modifier else m.start("wd")

        def resolve(pub: datetime.date, name=name, modifier=modifier) -> _Resolution:
            if modifier in ("next", "coming"):
                days_ahead = (_weekday_number(name) - pub.weekday()) % 7 or 7
                return _Resolution(pub + datetime.timedelta(days=days_ahead), "day", relative=True)
            days_back = _days_since(name, pub)
            if modifier in ("last", "past"):
                days_back = days_back or 7
            return _Resolution(pub - datetime.timedelta(days=days_back), "day", relative=True)

        yield from _relative_candidate(start, m.end(), published, resolve)


def _scan_ago(text: str, published: datetime.date | None) -> Iterator[_Candidate]:
    """ "3 days ago" (day), "two weeks ago" (month: weeks are vague),
    "a month ago" (month), "a year ago" (year)."""
    for m in _iter_matches(_AGO, text):
        count_text = _normalise(m.group("n"))
        count = int(count_text) if count_text.isdigit() else NUMBER_WORDS[count_text]
        unit = m.group("unit").lower()

        def resolve(pub: datetime.date, count=count, unit=unit) -> _Resolution:
            if unit == "day":
                return _Resolution(pub - datetime.timedelta(days=count), "day", relative=True)
            if unit == "week":
                d = pub - datetime.timedelta(weeks=count)
                return _Resolution(_month_start(d), "month", relative=True)
            if unit == "month":
                return _Resolution(_month_start(pub - relativedelta(months=count)), "month", relative=True)
            return _Resolution(_year_start(pub - relativedelta(years=count)), "year", relative=True)

        yield from _relative_candidate(m.start(), m.end(), published, resolve)


def _scan_relative_periods(text: str, published: datetime.date | None) -> Iterator[_Candidate]:
    """ "last week" (month of publication - 7 days), "this month", "earlier this
    month", "next month", "last year", ...; not "the last year" (a duration)."""
    steps = {"last": -1, "this": 0, "next": 1}
    for m in _iter_matches(_RELATIVE_PERIOD, text):
        if not m.group("adv") and _previous_word(text, m.start()) in ("the", "past"):
            continue  # "over the last year", "in the next month"
        step = steps[m.group("mod").lower()]
        unit = m.group("unit").lower()

        def resolve(pub: datetime.date, step=step, unit=unit) -> _Resolution:
            if unit == "week":
                return _Resolution(_month_start(pub + datetime.timedelta(weeks=step)), "month", relative=True)
            if unit == "month":
                return _Resolution(_month_start(pub + relativedelta(months=step)), "month", relative=True)
            return _Resolution(_year_start(pub + relativedelta(years=step)), "year", relative=True)

        yield from _relative_candidate(m.start(), m.end(), published, resolve)


def _scan_days_of_this_month(text: str, published: datetime.date | None) -> Iterator[_Candidate]:
    """ "on the 8th": that day of the publication month, or of the month before
    when it would fall after publication.  Not "on the 8th floor"."""
    for m in _iter_matches(_DAY_OF_THIS_MONTH, text):
        following = _next_word(text, m.end())
        if following and following.lower() not in DAY_ORDINAL_FOLLOWERS:
            continue
        day = _day_number(m.group("d"))
        start = _with_weekday_prefix(text, m.start("d"))

        def resolve(pub: datetime.date, day=day) -> _Resolution | None:
            d = _day_of_recent_month(day, pub)
            return _Resolution(d, "day", relative=True) if d else None

        yield from _relative_candidate(start, m.end(), published, resolve)


_SCANNERS: tuple[Callable[[str, datetime.date | None], Iterator[_Candidate]], ...] = (
    _scan_single_days,
    _scan_iso_dates,
    _scan_ranges,
    _scan_month_years,
    _scan_month_lists,
    _scan_bare_years,
    _scan_relative_days,
    _scan_weekdays,
    _scan_ago,
    _scan_relative_periods,
    _scan_days_of_this_month,
)


def periods_compatible(d1: datetime.date, p1: str | None, d2: datetime.date, p2: str | None, *, slack_days: int = 0) -> bool:
    """One period contains the other (day within month within year); day-vs-day within slack_days."""
    p1, p2 = p1 or "day", p2 or "day"
    if p1 == "day" and p2 == "day":
        return abs((d1 - d2).days) <= slack_days
    coarser = "year" if "year" in (p1, p2) else "month"
    if coarser == "year":
        return d1.year == d2.year
    return (d1.year, d1.month) == (d2.year, d2.month)
