"""Unit tests for newswatch.transforms.language.dates."""

from __future__ import annotations

import datetime

import pytest

from newswatch.transforms.language.dates import DateMention, find_dates, resolve_weekday

D = datetime.date


def only(text: str, published: datetime.date | None) -> DateMention:
    """The single mention found in text."""
    mentions = find_dates(text, published)
    assert len(mentions) == 1, mentions
    return mentions[0]


def summary(text: str, published: datetime.date | None) -> list[tuple]:
    """(text, value, precision, relative, end_value) of every mention."""
    return [(m.text, m.value, m.precision, m.relative, m.end_value)
            for m in find_dates(text, published)]


# --------------------------------------------------------------------------
# Offsets and the mention record
# --------------------------------------------------------------------------

OFFSET_TEXTS = [
    "The April 10, 2018, signing was followed on Saturday by talks.",
    "From 13 to 16 October 2024 and June 24-July 3, 2019, in May and June 2018.",
    "Two weeks ago, yesterday, last month, in 2017, Tue. Jul 16th, 2024, on the 8th.",
]


@pytest.mark.parametrize("text", OFFSET_TEXTS)
def test_offsets_match_text(text):
    mentions = find_dates(text, D(2024, 7, 20))
    assert mentions
    for m in mentions:
        assert text[m.start:m.end] == m.text


@pytest.mark.parametrize("text", OFFSET_TEXTS)
def test_mentions_are_ordered_and_disjoint(text):
    mentions = find_dates(text, D(2024, 7, 20))
    for a, b in zip(mentions, mentions[1:]):
        assert a.end <= b.start


def test_mention_is_frozen():
    m = only("in 2017", None)
    with pytest.raises(AttributeError):
        m.value = D(2000, 1, 1)


def test_no_dates():
    assert find_dates("", None) == []
    assert find_dates("Ministers met to discuss maritime security.", D(2024, 1, 1)) == []


def test_datetime_publication_is_accepted():
    m = only("on Saturday", datetime.datetime(2021, 10, 23, 17, 4))
    assert m.value == D(2021, 10, 23)


# --------------------------------------------------------------------------
# Full dates
# --------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected_span", [
    ("April 10, 2018", "April 10, 2018"),
    ("April 10 2018", "April 10 2018"),
    ("10 April 2018", "10 April 2018"),
    ("10th April, 2018", "10th April, 2018"),
    ("the 10th of April 2018", "10th of April 2018"),
    ("Apr. 10, 2018", "Apr. 10, 2018"),
    ("2018-04-10", "2018-04-10"),
    ("Tuesday, April 10, 2018", "Tuesday, April 10, 2018"),
])
def test_full_dates(text, expected_span):
    for published in (None, D(2024, 7, 9)):
        m = only(text, published)
        assert (m.text, m.value, m.precision, m.relative, m.end_value) == \
            (expected_span, D(2018, 4, 10), "day", False, None)


def test_full_date_inside_sentence():
    m = only("The April 10, 2018, signing of a Joint Vision Statement", None)
    assert (m.text, m.value, m.precision, m.relative) == ("April 10, 2018", D(2018, 4, 10), "day", False)


def test_abbreviated_september():
    assert summary("Sept 5, 2021 and Sept. 6, 2021", None) == [
        ("Sept 5, 2021", D(2021, 9, 5), "day", False, None),
        ("Sept. 6, 2021", D(2021, 9, 6), "day", False, None),
    ]


def test_iso_date_with_time():
    m = only("Updated 2023-07-10T08:00Z", None)
    assert (m.text, m.value, m.precision) == ("2023-07-10", D(2023, 7, 10), "day")


def test_weekday_abbreviation_and_ordinal():
    m = only("Tue. Jul 16th, 2024 | 10:04", None)
    assert (m.text, m.value, m.precision, m.relative) == ("Tue. Jul 16th, 2024", D(2024, 7, 16), "day", False)


def test_weekday_and_time_of_day_before_month_day():
    m = only("on Monday morning, July 8, the ships docked", D(2024, 7, 9))
    assert (m.text, m.value, m.precision, m.relative) == ("Monday morning, July 8", D(2024, 7, 8), "day", True)


def test_invalid_calendar_date_is_not_a_day():
    assert [m.precision for m in find_dates("February 30, 2021", None)] == ["year"]


# --------------------------------------------------------------------------
# Month and day without a year
# --------------------------------------------------------------------------

def test_month_day_takes_publication_year():
    m = only("held talks on April 10 in Tokyo", D(2018, 4, 12))
    assert (m.text, m.value, m.precision, m.relative) == ("April 10", D(2018, 4, 10), "day", True)


def test_day_month_without_year():
    m = only("on 17 January", D(2024, 3, 1))
    assert (m.text, m.value, m.relative) == ("17 January", D(2024, 1, 17), True)


def test_month_day_far_after_publication_is_previous_year():
    assert only("on October 7", D(2024, 4, 19)).value == D(2023, 10, 7)


def test_month_day_soon_after_publication_stays_in_year():
    # an announced event, a few weeks ahead
    assert only("on May 20", D(2024, 4, 19)).value == D(2024, 5, 20)


def test_month_day_across_new_year():
    assert only("on January 3", D(2024, 12, 28)).value == D(2025, 1, 3)
    assert only("on December 30", D(2025, 1, 4)).value == D(2024, 12, 30)


def test_month_day_without_publication_is_dropped():
    assert find_dates("On October 7, the meeting took place.", None) == []
    assert find_dates("Monday morning, July 8", None) == []


def test_day_of_publication_month():
    m = only("they met on the 8th, officials said", D(2024, 7, 9))
    assert (m.text, m.value, m.precision, m.relative) == ("8th", D(2024, 7, 8), "day", True)


def test_day_of_month_after_publication_is_previous_month():
    assert only("on the 20th", D(2024, 7, 9)).value == D(2024, 6, 20)
    assert only("on the 31st", D(2024, 7, 9)).value == D(2024, 5, 31)  # June has 30 days


def test_ordinal_that_is_not_a_day():
    assert find_dates("on the 8th floor", D(2024, 7, 9)) == []
    assert find_dates("on the 8th", None) == []


# --------------------------------------------------------------------------
# Months
# --------------------------------------------------------------------------

@pytest.mark.parametrize("text, span, value", [
    ("in July 2018", "July 2018", D(2018, 7, 1)),
    ("April 2018", "April 2018", D(2018, 4, 1)),
    ("in May 2023", "May 2023", D(2023, 5, 1)),
    ("June 2022", "June 2022", D(2022, 6, 1)),
    ("Sept. 2021", "Sept. 2021", D(2021, 9, 1)),
])
def test_month_year(text, span, value):
    m = only(text, None)
    assert (m.text, m.value, m.precision, m.relative) == (span, value, "month", False)


def test_months_joined_by_and():
    assert summary("in May and June", D(2018, 7, 1)) == [
        ("May", D(2018, 5, 1), "month", True, None),
        ("June", D(2018, 6, 1), "month", True, None),
    ]


def test_months_sharing_a_year():
    assert summary("from April to June 2018", None) == [
        ("April", D(2018, 4, 1), "month", False, None),
        ("June 2018", D(2018, 6, 1), "month", False, None),
    ]


def test_last_month_name():
    m = only("last November", D(2022, 5, 1))
    assert (m.text, m.value, m.precision, m.relative) == ("last November", D(2021, 11, 1), "month", True)


def test_month_name_in_the_past():
    assert only("in March", D(2024, 4, 19)).value == D(2024, 3, 1)
    assert only("in April", D(2024, 4, 19)).value == D(2024, 4, 1)
    assert only("in December", D(2024, 4, 19)).value == D(2023, 12, 1)


def test_month_name_modifiers():
    assert only("next March", D(2024, 4, 19)).value == D(2025, 3, 1)
    assert only("this March", D(2024, 4, 19)).value == D(2024, 3, 1)
    assert only("last April", D(2024, 4, 19)).value == D(2023, 4, 1)


def test_month_name_after_early_mid_late():
    assert summary("in mid-March and late June, since early May", D(2024, 7, 1)) == [
        ("March", D(2024, 3, 1), "month", True, None),
        ("June", D(2024, 6, 1), "month", True, None),
        ("May", D(2024, 5, 1), "month", True, None),
    ]


def test_month_name_without_publication_is_dropped():
    assert find_dates("in March", None) == []


@pytest.mark.parametrize("text, value", [
    ("next month", D(2024, 5, 1)),
    ("last month", D(2024, 3, 1)),
    ("this month", D(2024, 4, 1)),
    ("earlier this month", D(2024, 4, 1)),
])
def test_relative_months(text, value):
    m = only(text, D(2024, 4, 19))
    assert (m.text, m.value, m.precision, m.relative) == (text, value, "month", True)


def test_relative_month_across_year():
    assert only("last month", D(2024, 1, 5)).value == D(2023, 12, 1)


# --------------------------------------------------------------------------
# Years
# --------------------------------------------------------------------------

@pytest.mark.parametrize("text, year", [
    ("in 2017", 2017),
    ("since 2011", 2011),
    ("in 2000", 2000),
    ("the 2015 agreement", 2015),
    ("by 2050", 2050),
    ("UNCLOS 1982", 1982),
    ("mid-2018", 2018),
])
def test_years(text, year):
    m = only(text, None)
    assert (m.text, m.value, m.precision, m.relative) == (str(year), D(year, 1, 1), "year", False)


@pytest.mark.parametrize("text", [
    "$500,000",
    "$2000",
    "US$ 2000",
    "2000 troops",
    "a 2000-strong force",
    "HCM City No 1",
    "No. 2015",
    "Resolution 1973",
    "about 2000",
    "1,2000",
    "3.2015",
    "2015%",
    "the 1990s",
    "FY2015",
    "1850 and 2150",
])
def test_not_years(text):
    assert find_dates(text, D(2024, 1, 1)) == []


@pytest.mark.parametrize("text, value", [
    ("this year", D(2024, 1, 1)),
    ("last year", D(2023, 1, 1)),
    ("next year", D(2025, 1, 1)),
    ("earlier this year", D(2024, 1, 1)),
])
def test_relative_years(text, value):
    m = only(text, D(2024, 4, 19))
    assert (m.text, m.value, m.precision, m.relative) == (text, value, "year", True)


def test_durations_are_not_relative_periods():
    assert find_dates("over the last year and in the next month", D(2024, 4, 19)) == []


# --------------------------------------------------------------------------
# Relative days
# --------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("today", D(2024, 4, 19)),
    ("yesterday", D(2024, 4, 18)),
    ("tomorrow", D(2024, 4, 20)),
    ("Yesterday", D(2024, 4, 18)),
    ("last night", D(2024, 4, 18)),
    ("the day before yesterday", D(2024, 4, 17)),
    ("3 days ago", D(2024, 4, 16)),
    ("two days ago", D(2024, 4, 17)),
])
def test_relative_days(text, value):
    m = only(text, D(2024, 4, 19))
    assert (m.text, m.value, m.precision, m.relative) == (text, value, "day", True)


def test_weekday_before_publication():
    # 2021-09-12 is a Sunday
    m = only("the deal, signed on Saturday, elevates ties", D(2021, 9, 12))
    assert (m.text, m.value, m.precision, m.relative) == ("Saturday", D(2021, 9, 11), "day", True)


def test_weekday_same_as_publication_is_publication_day():
    # 2021-10-23 is a Saturday
    m = only("on Saturday", D(2021, 10, 23))
    assert (m.text, m.value) == ("Saturday", D(2021, 10, 23))


def test_weekday_forms():
    published = D(2024, 4, 19)  # a Friday
    assert summary("next Tuesday, this Monday, last Friday, Monday", published) == [
        ("next Tuesday", D(2024, 4, 23), "day", True, None),
        ("this Monday", D(2024, 4, 15), "day", True, None),
        ("last Friday", D(2024, 4, 12), "day", True, None),
        ("Monday", D(2024, 4, 15), "day", True, None),
    ]


def test_lower_case_weekday_needs_a_preposition():
    assert [m.value for m in find_dates("met on saturday", D(2024, 4, 19))] == [D(2024, 4, 13)]
    assert find_dates("saturday", D(2024, 4, 19)) == []


def test_weekday_names_that_are_not_dates():
    published = D(2024, 4, 19)
    assert find_dates("Good Friday and Black Friday sales, on Mondays", published) == []
    assert find_dates("The Sunday Times and The Mail on Sunday reported", published) == []


def test_weekday_without_publication_is_dropped():
    assert find_dates("signed on Saturday", None) == []


def test_resolve_weekday():
    assert resolve_weekday("Saturday", D(2021, 9, 12)) == D(2021, 9, 11)
    assert resolve_weekday("saturday", D(2021, 10, 23)) == D(2021, 10, 23)
    assert resolve_weekday("Sunday", D(2021, 10, 23)) == D(2021, 10, 17)
    assert resolve_weekday("Tue", D(2024, 7, 16)) == D(2024, 7, 16)
    with pytest.raises(ValueError):
        resolve_weekday("Caturday", D(2024, 1, 1))


def test_weeks_ago_has_month_precision():
    m = only("Two weeks ago, ministers met", D(2021, 9, 28))
    assert (m.text, m.value, m.precision, m.relative) == ("Two weeks ago", D(2021, 9, 1), "month", True)


def test_weeks_ago_in_previous_month():
    assert only("two weeks ago", D(2021, 9, 10)).value == D(2021, 8, 1)


def test_last_week_has_month_precision():
    assert only("last week", D(2024, 4, 19)).value == D(2024, 4, 1)
    m = only("last week", D(2024, 4, 3))
    assert (m.value, m.precision, m.relative) == (D(2024, 3, 1), "month", True)


def test_months_and_years_ago():
    assert summary("a month ago and a year ago", D(2024, 4, 19)) == [
        ("a month ago", D(2024, 3, 1), "month", True, None),
        ("a year ago", D(2023, 1, 1), "year", True, None),
    ]


def test_relative_days_without_publication_are_dropped():
    assert find_dates("today, yesterday, two weeks ago, last week, this year", None) == []


# --------------------------------------------------------------------------
# Ranges
# --------------------------------------------------------------------------

@pytest.mark.parametrize("text, span, first, last", [
    ("October 13-16, 2024", "October 13-16, 2024", D(2024, 10, 13), D(2024, 10, 16)),
    ("from 13 to 16 October 2024", "13 to 16 October 2024", D(2024, 10, 13), D(2024, 10, 16)),
    ("13-16 October 2024", "13-16 October 2024", D(2024, 10, 13), D(2024, 10, 16)),
    ("June 24-July 3, 2019", "June 24-July 3, 2019", D(2019, 6, 24), D(2019, 7, 3)),
    ("24 June to 3 July 2019", "24 June to 3 July 2019", D(2019, 6, 24), D(2019, 7, 3)),
    ("between 13 and 16 October 2024", "13 and 16 October 2024", D(2024, 10, 13), D(2024, 10, 16)),
    ("December 30, 2019 to January 2, 2020", "December 30, 2019 to January 2, 2020",
     D(2019, 12, 30), D(2020, 1, 2)),
    ("December 30-January 2, 2020", "December 30-January 2, 2020", D(2019, 12, 30), D(2020, 1, 2)),
])
def test_ranges_with_year(text, span, first, last):
    m = only(text, None)
    assert (m.text, m.value, m.end_value, m.precision, m.relative) == (span, first, last, "day", False)


def test_range_without_year():
    m = only("from April 30 to May 1", D(2024, 4, 20))
    assert (m.text, m.value, m.end_value, m.precision, m.relative) == \
        ("April 30 to May 1", D(2024, 4, 30), D(2024, 5, 1), "day", True)


def test_range_without_year_across_new_year():
    m = only("December 30 - January 2", D(2024, 1, 10))
    assert (m.value, m.end_value) == (D(2023, 12, 30), D(2024, 1, 2))


def test_range_without_year_or_publication_is_dropped():
    assert find_dates("April 30 to May 1", None) == []


def test_two_days_joined_by_and_are_two_dates():
    assert summary("on October 13 and 16, 2024", None) == [
        ("October 13", D(2024, 10, 13), "day", False, None),
        ("16, 2024", D(2024, 10, 16), "day", False, None),
    ]


def test_backwards_range_is_not_a_range():
    assert all(m.end_value is None for m in find_dates("October 16-13, 2024", None))


# --------------------------------------------------------------------------
# Words that are not months
# --------------------------------------------------------------------------

def test_may_as_a_verb():
    assert find_dates("The two countries may sign a deal.", D(2024, 4, 19)) == []
    assert find_dates("they may 5 times", D(2024, 4, 19)) == []


def test_march_as_a_verb_or_noun():
    assert find_dates("troops will march to the border; a march of protest", D(2024, 4, 19)) == []


def test_capitalised_may_needs_day_year_or_temporal_word():
    assert find_dates("Theresa May said the deal was signed by May.", D(2024, 6, 19)) == []
    assert [m.text for m in find_dates("in May", D(2024, 6, 19))] == ["May"]
    assert [m.text for m in find_dates("May 5", D(2024, 6, 19))] == ["May 5"]
    assert [m.text for m in find_dates("May 2019", None)] == ["May 2019"]


def test_months_inside_words():
    assert find_dates("Mayor Junes Augusta, the Marching band, Decembers", D(2024, 4, 19)) == []


def test_month_name_alone_is_not_a_date():
    assert find_dates("January is cold.", D(2024, 4, 19)) == []


# --- a date of something to come (next_occurrence) ---------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("will meet on Monday", (datetime.date(2024, 5, 13), "day")),      # published on a Friday
    ("will meet on Friday", None),                                    # the publication day itself stays
    ("will sail on August 3", (datetime.date(2024, 8, 3), "day")),
    ("will sail in June", (datetime.date(2024, 6, 1), "month")),
    ("will sail in April", (datetime.date(2025, 4, 1), "month")),
    ("will sail in May", None),                                       # the publication month is not past
    ("will sail on May 3", None),                                     # a week before: a plan overtaken, kept
    ("will sail, as they did last June", None),                       # placed in the past by its own words
    ("will sail on 3 June 2023", None),                               # a year of its own
])
def test_a_date_to_come_is_its_next_occurrence(text, expected):
    from newswatch.transforms.language.dates import next_occurrence
    published = datetime.date(2024, 5, 10)
    (mention,) = find_dates(text, published)
    ahead = next_occurrence(mention, published)
    assert (None if ahead is None else (ahead.value, ahead.precision)) == expected
    if ahead is not None:
        assert (ahead.start, ahead.end, ahead.text) == (mention.start, mention.end, mention.text)


# --- a date told in the past that the resolver put after publication (previous_occurrence) -------------------

@pytest.mark.parametrize("text, expected", [
    ("sailed on June 30", (datetime.date(2023, 6, 30), None)),         # within the 60 days ahead: last June's
    ("sailed from June 3 to June 9", (datetime.date(2023, 6, 3), datetime.date(2023, 6, 9))),
    ("sailed on May 3", None),                                         # already before publication
    ("sailed on June 30, 2024", None),                                 # a year of its own
    ("sailed in June", None),                                          # a month alone is put in the past already
    ("sailed on Monday", None),                                        # a weekday too
    ("sailed on May 14", None),                  # a few days ahead: the skew of a date line or a time zone
    ("sailed on Monday, June 10", None),         # the weekday written fits this year's June 10
    ("sailed on Saturday, June 10", (datetime.date(2023, 6, 10), None)),   # and last year's
])
def test_a_date_told_in_the_past_is_its_previous_occurrence(text, expected):
    from newswatch.transforms.language.dates import previous_occurrence
    published = datetime.date(2024, 5, 10)
    (mention,) = find_dates(text, published)
    back = previous_occurrence(mention, published)
    assert (None if back is None else (back.value, back.end_value)) == expected
    if back is not None:
        assert (back.start, back.end, back.text, back.precision) == (mention.start, mention.end, mention.text, "day")
