"""The DuckDB sink on a real database file: merging, idempotency, errors."""
import datetime as dt

import pytest
from conftest import table_counts

from newswatch.schemas.rows import Article, EventCandidate, ExtractedArticle, IngestError, Mention
from newswatch.transforms.storage.sink import ArticleFacts, connect, write

NOW = dt.datetime(2024, 1, 1)


def article(aid, text="text", origin=None, published=None, title=None):
    return Article(article_id=aid, url=None, origin=origin or aid, title=title, publisher=None,
                   published_at=dt.datetime.combine(published, dt.time()) if published else None,
                   fetched_at=NOW, language="en", text=text, content_hash=f"h-{aid}-{text}", source="replay",
                   date_source=None)


SIGNING = "The two ministers signed the Harbour Accord on naval logistics"


def event(kind="agreement", parties=("JPN", "VNM"), date=dt.date(2018, 4, 10), precision="day", start=0,
          evidence=SIGNING, status="occurred", background=False):
    m = Mention(evidence=evidence, char_start=start, char_end=start + 1, in_background=background, confidence=0.9,
                date=date, date_precision=precision, status=status)
    return EventCandidate(event_type=kind, participants=parties, event_date=date, date_precision=precision,
                          location=None, status=status, confidence=0.9, cameo_code="057", plover_type="AGREE",
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
    write(db_path, [ExtractedArticle(article("b", published=dt.date(2018, 6, 1)),
                                     [event(date=dt.date(2018, 4, 20)), event(date=None, precision=None)])])
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


# ------------------------------------------------- merging across outlets (invented reports)

DRILL = "Ruritanian and Freedonian marines began the Iron Gull amphibious drill off Port Vell"
DRILL_AGAIN = "The Iron Gull amphibious drill brought marines from both navies to Port Vell"
OTHER = "The two defence ministers signed a memorandum on cyber research"
OTHER_NAMED = "The two defence ministers signed the Cobalt Memorandum on cyber research"
# Four of its nine content words are DRILL's: alike enough for a report placed in time, not for one that is not.
DRILL_LOOSELY = "Marines of both countries ended the Iron Gull drill near the capital"


def events(db):
    conn = connect(db, read_only=True)
    try:
        return sorted(conn.execute("SELECT event_type, participants, event_date, article_count FROM events")
                      .fetchall(), key=str)
    finally:
        conn.close()


def test_a_report_naming_a_subset_of_the_members_joins_the_multilateral_event(db_path):
    day = dt.date(2024, 3, 5)
    write(db_path, [ExtractedArticle(article("a"), [event("joint_exercise", ("FRA", "ITA", "USA"), day)])])
    write(db_path, [ExtractedArticle(article("b"), [event("joint_exercise", ("FRA", "USA"), dt.date(2024, 3, 1),
                                                          "month")])])
    assert events(db_path) == [("joint_exercise", ["FRA", "ITA", "USA"], day, 2)]


def test_the_event_takes_the_members_a_later_report_adds(db_path):
    day = dt.date(2024, 3, 5)
    write(db_path, [ExtractedArticle(article("a"), [event("joint_exercise", ("FRA", "USA"), day)]),
                    ExtractedArticle(article("b"), [event("joint_exercise", ("FRA", "ITA", "USA"), day)])])
    assert events(db_path) == [("joint_exercise", ["FRA", "ITA", "USA"], day, 2)]


def test_overlapping_but_not_nested_parties_stay_apart(db_path):
    day = dt.date(2024, 3, 5)
    write(db_path, [ExtractedArticle(article("a"), [event("joint_exercise", ("FRA", "USA"), day)]),
                    ExtractedArticle(article("b"), [event("joint_exercise", ("FRA", "ITA"), day)])])
    assert len(events(db_path)) == 2


def test_a_report_dated_to_the_month_told_in_other_words_stays_apart(db_path):
    write(db_path, [ExtractedArticle(article("a"), [event(evidence=SIGNING)]),
                    ExtractedArticle(article("b"), [event(date=dt.date(2018, 4, 1), precision="month",
                                                          evidence=OTHER)])])
    assert len(events(db_path)) == 2


def test_dated_reports_days_apart_never_merge_even_when_told_alike(db_path):
    write(db_path, [ExtractedArticle(article("a"), [event(date=dt.date(2024, 3, 5), evidence=DRILL)]),
                    ExtractedArticle(article("b"), [event(date=dt.date(2024, 3, 9), evidence=DRILL)])])
    assert len(events(db_path)) == 2


@pytest.mark.parametrize("order", ["dated first", "undated first"])
def test_an_undated_report_published_days_after_joins_the_dated_event(db_path, order):
    dated = ExtractedArticle(article("a", published=dt.date(2024, 3, 5)),
                             [event("joint_exercise", date=dt.date(2024, 3, 5), evidence=DRILL)])
    undated = ExtractedArticle(article("b", published=dt.date(2024, 3, 7)),
                               [event("joint_exercise", date=None, precision=None, evidence=DRILL_AGAIN)])
    batches = [dated, undated] if order == "dated first" else [undated, dated]
    for item in batches:
        write(db_path, [item])
    assert events(db_path) == [("joint_exercise", ["JPN", "VNM"], dt.date(2024, 3, 5), 2)]


@pytest.mark.parametrize("published,evidence", [
    (dt.date(2024, 3, 20), DRILL_AGAIN),  # reported two weeks later: could be another drill
    (dt.date(2024, 3, 6), OTHER),         # reported the next day, but told in other words
    (None, OTHER),                        # no publication date to place it, and told in other words
])
def test_an_undated_report_that_cannot_be_placed_stays_apart(db_path, published, evidence):
    write(db_path, [ExtractedArticle(article("a", published=dt.date(2024, 3, 5)),
                                     [event("joint_exercise", date=dt.date(2024, 3, 5), evidence=DRILL)]),
                    ExtractedArticle(article("b", published=published),
                                     [event("joint_exercise", date=None, precision=None, evidence=evidence)])])
    assert len(events(db_path)) == 2


def test_two_undated_reports_of_the_same_days_told_alike_merge(db_path):
    write(db_path, [ExtractedArticle(article("a", published=dt.date(2024, 3, 5)),
                                     [event("joint_exercise", date=None, precision=None, evidence=DRILL)]),
                    ExtractedArticle(article("b", published=dt.date(2024, 3, 6)),
                                     [event("joint_exercise", date=None, precision=None, evidence=DRILL_AGAIN)]),
                    ExtractedArticle(article("c", published=dt.date(2024, 3, 16)),
                                     [event("joint_exercise", date=None, precision=None, evidence=DRILL)])])
    assert sorted(r[3] for r in events(db_path)) == [1, 2]


def test_one_article_two_events_are_never_merged_by_the_sink(db_path):
    write(db_path, [ExtractedArticle(article("a", published=dt.date(2024, 3, 5)), [
        event(date=dt.date(2024, 3, 5), evidence=DRILL),
        event(date=None, precision=None, evidence=DRILL_AGAIN, start=40)])])
    assert len(events(db_path)) == 2


def test_an_ambiguous_undated_report_joins_neither_event(db_path):
    write(db_path, [ExtractedArticle(article("a", published=dt.date(2024, 3, 5)), [
                        event(date=dt.date(2024, 3, 3), evidence=DRILL)]),
                    ExtractedArticle(article("b", published=dt.date(2024, 3, 5)), [
                        event(date=dt.date(2024, 3, 5), evidence=DRILL_AGAIN)]),
                    ExtractedArticle(article("c", published=dt.date(2024, 3, 6)), [
                        event(date=None, precision=None, evidence=DRILL)])])
    assert sorted(r[3] for r in events(db_path)) == [1, 1, 1]


@pytest.mark.parametrize("precision", ["month", "year"])
def test_a_report_dated_to_a_period_holding_two_events_joins_neither(db_path, precision):
    """ "In September" fits the drill of the 4th and that of the 20th alike: it is no nearer the 1st."""
    write(db_path, [ExtractedArticle(article("a"), [event("joint_exercise", date=dt.date(2024, 9, 4), evidence=DRILL)]),
                    ExtractedArticle(article("b"), [event("joint_exercise", date=dt.date(2024, 9, 20),
                                                          evidence=DRILL_AGAIN)])])
    start = dt.date(2024, 9, 1) if precision == "month" else dt.date(2024, 1, 1)
    write(db_path, [ExtractedArticle(article("c"), [event("joint_exercise", date=start, precision=precision,
                                                          evidence=DRILL)])])
    assert sorted(r[3] for r in events(db_path)) == [1, 1, 1]


SUMMIT = "Leaders of the four democracies opened their summit on maritime security in Tidewater"
SIDELINE = "On the sidelines the two ministers discussed a satellite data exchange"


def test_a_meeting_of_two_members_on_a_summits_day_told_otherwise_stays_apart(db_path):
    day = dt.date(2024, 6, 1)
    write(db_path, [ExtractedArticle(article("a"), [event("dialogue_meeting", ("AUS", "IND", "JPN", "USA"), day,
                                                          evidence=SUMMIT)]),
                    ExtractedArticle(article("b"), [event("dialogue_meeting", ("JPN", "USA"), day, evidence=SIDELINE)])])
    assert len(events(db_path)) == 2
    # a report of the summit itself that names two of its members, told alike, still joins it
    write(db_path, [ExtractedArticle(article("c"), [event("dialogue_meeting", ("IND", "JPN"), day, evidence=SUMMIT)])])
    assert sorted(r[3] for r in events(db_path)) == [1, 2]


def test_talks_on_two_days_running_join_only_when_told_alike(db_path):
    write(db_path, [ExtractedArticle(article("a"), [event("dialogue_meeting", date=dt.date(2024, 5, 10),
                                                          evidence=SIGNING)]),
                    ExtractedArticle(article("b"), [event("dialogue_meeting", date=dt.date(2024, 5, 11),
                                                          evidence=OTHER)])])
    assert len(events(db_path)) == 2
    write(db_path, [ExtractedArticle(article("c"), [event("dialogue_meeting", date=dt.date(2024, 5, 11),
                                                          evidence=SIGNING)])])
    assert sorted(r[3] for r in events(db_path)) == [1, 2]  # a day apart (time zones), told alike: one


PORT_CALL = "The frigate Example Star berthed at Port Vell for a four-day goodwill call"
PORT_CALL_AGAIN = "Sailors of the frigate Example Star, on a goodwill call at Port Vell, played football"


@pytest.mark.parametrize("kind, days_apart, evidence, merged", [
    ("port_visit", 2, PORT_CALL_AGAIN, True),   # arrival and "yesterday": one call that runs over days
    ("port_visit", 3, PORT_CALL_AGAIN, True),
    ("port_visit", 4, PORT_CALL_AGAIN, False),  # further apart: another call
    ("port_visit", 2, OTHER, False),            # told otherwise
    ("agreement", 2, PORT_CALL_AGAIN, False),   # a signing happens on one day
])
def test_a_port_call_dated_days_apart_by_two_outlets_is_one_event(db_path, kind, days_apart, evidence, merged):
    write(db_path, [ExtractedArticle(article("a"), [event(kind, date=dt.date(2024, 9, 10), evidence=PORT_CALL)]),
                    ExtractedArticle(article("b"), [event(kind, date=dt.date(2024, 9, 10 + days_apart),
                                                          evidence=evidence)])])
    assert len(events(db_path)) == (1 if merged else 2)


@pytest.mark.parametrize("status, background", [("planned", False), ("occurred", True)])
def test_an_undated_plan_or_background_does_not_join_by_its_publication_date(db_path, status, background):
    write(db_path, [ExtractedArticle(article("a", published=dt.date(2024, 3, 5)),
                                     [event("joint_exercise", date=dt.date(2024, 3, 5), evidence=DRILL)]),
                    ExtractedArticle(article("b", published=dt.date(2024, 3, 7)),
                                     [event("joint_exercise", date=None, precision=None, evidence=DRILL_AGAIN,
                                            status=status, background=background)])])
    assert len(events(db_path)) == 2


def test_a_database_from_before_date_note_gains_the_column(db_path):
    import duckdb

    from newswatch.schemas import ddl
    old = ddl().split("-- databases made before")[0].replace(",\n    date_note       VARCHAR", "")
    conn = duckdb.connect(db_path)
    conn.execute(old)
    conn.close()
    write(db_path, [ExtractedArticle(article("a"), [event()])])
    conn = connect(db_path, read_only=True)
    assert [r[0] for r in conn.execute("DESCRIBE articles").fetchall()][-1] == "date_note"
    conn.close()


def test_article_facts_name_the_latest_year_and_the_sums_of_money():
    facts = ArticleFacts.read("Since 2019 the navies met yearly; in 2021 a €8.25 million package, then $1.5m "
                              "and EUR 20 million, 12 billion rupees and US$ 3,000. 1,200 troops took part in 1914.")
    assert facts.latest_year == 2021
    assert facts.amounts == {8_250_000, 1_500_000, 20_000_000, 12_000_000_000, 3_000}
    assert ArticleFacts.read("$1.2tn, a $12.5-million grant, RMB 3 billion and 40 billion won").amounts == {
        1_200_000_000_000, 12_500_000, 3_000_000_000, 40_000_000_000}
    assert ArticleFacts.read("No year, no sum: 40 ships, 12 aircraft, a 5m-long boat, the F-35m.") == ArticleFacts()
    assert (ArticleFacts(2019, frozenset({1.0})) | ArticleFacts(None, frozenset({2.0}))) == ArticleFacts(
        2019, frozenset({1.0, 2.0}))


def unplaced(aid, evidence, text="text", kind="joint_exercise", parties=("JPN", "VNM")):
    """An article with no publication date reporting an undated event: nothing places it in time."""
    return ExtractedArticle(article(aid, text=text),
                            [event(kind, parties=parties, date=None, precision=None, evidence=evidence)])


def dated_drill(aid="a", evidence=DRILL, text="text"):
    return ExtractedArticle(article(aid, text=text, published=dt.date(2024, 3, 5)),
                            [event("joint_exercise", date=dt.date(2024, 3, 5), evidence=evidence)])


@pytest.mark.parametrize("order", ["dated first", "unplaced first"])
def test_a_report_that_cannot_be_placed_in_time_joins_the_one_event_told_alike(db_path, order):
    """Across two runs, so that the stored side's facts are read back from the database."""
    first, second = dated_drill(), unplaced("b", DRILL_AGAIN)
    for item in ([first, second] if order == "dated first" else [second, first]):
        write(db_path, [item])
    assert events(db_path) == [("joint_exercise", ["JPN", "VNM"], dt.date(2024, 3, 5), 2)]


@pytest.mark.parametrize("published,merged", [(dt.date(2024, 3, 6), True), (None, False)])
def test_a_report_that_cannot_be_placed_must_be_told_more_alike(db_path, published, merged):
    write(db_path, [dated_drill(), ExtractedArticle(article("b", published=published), [
        event("joint_exercise", date=None, precision=None, evidence=DRILL_LOOSELY)])])
    assert len(events(db_path)) == (1 if merged else 2)


@pytest.mark.parametrize("text,merged", [
    ("The navies first met in 2019; the Iron Gull drill began in 2024.", True),
    ("The Iron Gull drill, held every year since 2019, ended in 2026.", False),  # an article of 2026 or later
])
def test_a_report_whose_article_names_a_later_year_does_not_join_an_earlier_event(db_path, text, merged):
    for item in (dated_drill(), unplaced("b", DRILL_AGAIN, text=text)):
        write(db_path, [item])
    assert len(events(db_path)) == (1 if merged else 2)


AID = "The council adopted an assistance measure from its Harbour Resilience Fund to support the Freedonian armed forces"
AID_AGAIN = "The council adopted a new Harbour Resilience Fund measure to support the armed forces of Freedonia"


@pytest.mark.parametrize("sum_b,merged", [("€12 million", True), ("€30 million", False), ("", True)])
def test_reports_that_cannot_be_placed_and_name_other_sums_are_other_packages(db_path, sum_b, merged):
    dated = ExtractedArticle(article("a", text="A package worth €12 million.", published=dt.date(2024, 3, 5)), [
        event("capacity_building", parties=("EU", "FRD"), date=dt.date(2024, 3, 5), evidence=AID)])
    other = unplaced("b", AID_AGAIN, text=f"A package worth {sum_b}.", kind="capacity_building",
                     parties=("EU", "FRD"))
    for order in ([dated, other], [other, dated]):
        write(db_path, order[:1])
        write(db_path, order[1:])
        assert len(events(db_path)) == (1 if merged else 2), order
        for table in ("event_mentions", "events", "articles"):
            conn = connect(db_path)
            conn.execute(f"DELETE FROM {table}")
            conn.close()


def test_two_reports_that_cannot_be_placed_merge_when_told_alike_and_a_third_joins_neither(db_path):
    write(db_path, [unplaced("a", DRILL), unplaced("b", DRILL_AGAIN)])
    assert sorted(r[3] for r in events(db_path)) == [2]
    write(db_path, [unplaced("c", OTHER_NAMED), unplaced("d", OTHER_NAMED)])
    write(db_path, [unplaced("e", DRILL + ". " + OTHER_NAMED)])  # told like both: joins neither
    assert sorted(r[3] for r in events(db_path)) == [1, 2, 2]


@pytest.mark.parametrize("evidence,merged", [
    ("Kenyan and Tanzanian navies held the Blue Heron joint naval exercise", True),
    ("Kenyan and Tanzanian navies held a joint naval exercise", False),  # no name but the parties': any drill
    ("On Monday in March Kenyan and Tanzanian navies held a joint naval exercise", False),  # days name no drill
    ("Kenyan and Tanzanian navies held the HERON joint naval exercise", True),  # one name, in capitals
    ("Kenyan and Tanzanian navies held the Heron joint naval exercise", False),  # one ordinary capital word
])
def test_a_report_that_cannot_be_placed_must_share_a_name_besides_the_parties(db_path, evidence, merged):
    stored = ("The joint naval exercise Blue Heron (HERON) of the Kenyan and Tanzanian navies began in Mombasa "
              "on Monday in March")
    write(db_path, [ExtractedArticle(article("a", published=dt.date(2024, 3, 5)), [
        event("joint_exercise", parties=("KEN", "TZA"), date=dt.date(2024, 3, 5), evidence=stored)])])
    write(db_path, [unplaced("b", evidence, parties=("KEN", "TZA"))])
    assert len(events(db_path)) == (1 if merged else 2)


@pytest.mark.parametrize("evidence,merged", [
    ("Marines began the 2024 Iron Gull amphibious drill off Port Vell", True),
    ("Marines began the 2022 Iron Gull amphibious drill off Port Vell", False),
])
def test_a_report_that_cannot_be_placed_and_names_another_year_is_another_edition(db_path, evidence, merged):
    write(db_path, [dated_drill(), unplaced("b", evidence)])
    assert len(events(db_path)) == (1 if merged else 2)


def test_an_event_placed_in_time_comes_before_one_that_is_not(db_path):
    """A drill of each year is stored, and a page that fits both joins neither; a report dated the next day
    then joins this year's drill, not the page."""
    write(db_path, [ExtractedArticle(article("a", published=dt.date(2023, 3, 5)), [
        event("joint_exercise", date=dt.date(2023, 3, 5), evidence=DRILL)]), dated_drill("b")])
    write(db_path, [unplaced("u", DRILL_AGAIN)])
    write(db_path, [ExtractedArticle(article("c", published=dt.date(2024, 3, 6)), [
        event("joint_exercise", date=dt.date(2024, 3, 6), evidence=DRILL_AGAIN)])])
    assert events(db_path) == [("joint_exercise", ["JPN", "VNM"], None, 1),
                               ("joint_exercise", ["JPN", "VNM"], dt.date(2023, 3, 5), 1),
                               ("joint_exercise", ["JPN", "VNM"], dt.date(2024, 3, 5), 2)]


def test_sums_named_by_this_batchs_reports_of_a_stored_event_count(db_path):
    """A stored package, then in one batch a report of it naming its sum and a page of another package."""
    write(db_path, [ExtractedArticle(article("a", published=dt.date(2024, 3, 5)), [
        event("capacity_building", parties=("EU", "FRD"), date=dt.date(2024, 3, 5), evidence=AID)])])
    sum_named = ExtractedArticle(article("b", text="A package worth €12 million.", published=dt.date(2024, 3, 6)), [
        event("capacity_building", parties=("EU", "FRD"), date=None, precision=None, evidence=AID_AGAIN)])
    other = unplaced("c", AID_AGAIN, text="A package worth €30 million.", kind="capacity_building",
                     parties=("EU", "FRD"))
    write(db_path, [sum_named, other])
    assert sorted(r[3] for r in events(db_path)) == [1, 2]


def test_a_stored_event_reached_through_two_of_its_parties_is_one_event(db_path):
    """A stored three-party drill; in one batch a report naming all three joins it (found under its first
    party), then one naming the other two (found under theirs): every report counts."""
    three = ("JPN", "PHL", "VNM")
    write(db_path, [ExtractedArticle(article("a"), [event("joint_exercise", parties=three, evidence=DRILL)])])
    write(db_path, [ExtractedArticle(article("b"), [event("joint_exercise", parties=three, evidence=DRILL)]),
                    ExtractedArticle(article("c"), [event("joint_exercise", parties=("PHL", "VNM"),
                                                          evidence=DRILL)])])
    assert events(db_path) == [("joint_exercise", list(three), dt.date(2018, 4, 10), 3)]


def test_words_of_a_title_in_title_case_are_no_names(db_path):
    """ "Navies Of Kenya And Tanzania Hold Joint Drill": every word is capitalised, none names this drill."""
    title = "Navies Of Kenya And Tanzania Hold Joint Naval Drill"
    evidence = "The navies of Kenya and Tanzania held a joint naval drill off the coast"
    write(db_path, [ExtractedArticle(article("a", title=title, published=dt.date(2024, 3, 5)), [
        event("joint_exercise", parties=("KEN", "TZA"), date=dt.date(2024, 3, 5), evidence=evidence)])])
    write(db_path, [ExtractedArticle(article("b", title=title), [
        event("joint_exercise", parties=("KEN", "TZA"), date=None, precision=None, evidence=evidence)])])
    assert len(events(db_path)) == 2
