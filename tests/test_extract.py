"""Extraction on short, invented news sentences: general patterns, not seed sentences."""
import datetime as dt

import pytest

from newswatch.schemas.rows import RawArticle
from newswatch.transforms.articles import prepare
from newswatch.transforms.extract import extract_events


def events(nlp, text, published="2023-03-15", title="Defence news"):
    art = prepare(RawArticle(origin="t", text=text, title=title, published=published))
    return extract_events(art, nlp)


def kinds(evs):
    return sorted((e.event_type, e.participants) for e in evs)


def test_signed_defence_agreement(nlp):
    evs = events(nlp, "Indonesia and Australia signed a defence cooperation agreement in Jakarta on Monday.")
    assert kinds(evs) == [("agreement", ("AUS", "IDN"))]
    (e,) = evs
    assert e.event_date == dt.date(2023, 3, 13) and e.date_precision == "day" and e.status == "occurred"
    assert e.cameo_code == "057" and e.plover_type == "AGREE"
    assert e.mentions[0].evidence.startswith("Indonesia and Australia signed")


def test_offsets_point_into_the_article_text(nlp):
    text = "Background paragraph about the region.\n\nPoland and Lithuania signed a defence agreement on Friday."
    art = prepare(RawArticle(origin="t", text=text, title="x", published="2023-03-15"))
    (e,) = extract_events(art, nlp)
    m = e.mentions[0]
    assert art.text[m.char_start:m.char_end].strip() == m.evidence


@pytest.mark.parametrize("sentence", [
    "Chile and Peru are likely to sign a defence agreement next year.",
    "Officials said Ghana might send troops to the joint exercise with Togo.",
    "Kenya denied reports that it had signed a military pact with Somalia.",
    "Spain cancelled the planned joint naval exercise with Morocco.",
    "Mexico and Canada should hold joint exercises, the analyst argued.",
    "The two navies regularly hold joint exercises with Brazil and Uruguay.",
])
def test_not_events(nlp, sentence):
    assert events(nlp, sentence) == []


def test_single_state_drill_is_not_joint(nlp):
    assert events(nlp, "Iran's army and navy held a joint drill in the Gulf of Oman on Tuesday.") == []


def test_arms_transfer_needs_two_states_and_equipment(nlp):
    evs = events(nlp, "South Korea delivered two frigates to the Philippines on Friday.")
    assert kinds(evs) == [("arms_transfer", ("KOR", "PHL"))]
    assert events(nlp, "Taiwan launched its first domestically built submarine on Thursday.") == []


def test_planned_event_with_a_date(nlp):
    evs = events(nlp, "The Indian and French navies will hold a joint exercise in the Arabian Sea next month.")
    assert kinds(evs) == [("joint_exercise", ("FRA", "IND"))]
    assert evs[0].status == "planned"


def test_background_mention_keeps_its_own_date(nlp):
    evs = events(nlp, "Egypt and Greece signed a defence agreement on Monday. The two countries had signed a "
                      "maritime security accord in 2020.")
    by_date = {e.event_date: e for e in evs}
    assert dt.date(2023, 3, 13) in by_date
    old = by_date.get(dt.date(2020, 1, 1))
    assert old is not None and old.date_precision == "year" and old.in_background


def test_counterpart_and_people_link_to_states(nlp):
    text = ("Malaysian Defence Minister Ahmad Hassan met his Thai counterpart in Bangkok on Wednesday. "
            "Hassan and his counterpart discussed border security and joint patrols.")
    evs = events(nlp, text)
    assert ("dialogue_meeting", ("MYS", "THA")) in kinds(evs)
    meeting = next(e for e in evs if e.event_type == "dialogue_meeting")
    assert meeting.event_date == dt.date(2023, 3, 15)


def test_third_country_in_a_reason_clause_is_not_a_party(nlp):
    evs = events(nlp, "Japan and the Philippines signed a defence agreement on Monday amid concern over China.")
    assert kinds(evs) == [("agreement", ("JPN", "PHL"))]


def test_one_sentence_several_meetings_with_a_hub(nlp):
    evs = events(nlp, "On Tuesday, Vietnam's defence minister held separate talks with his counterparts from Laos, "
                      "Cambodia and Thailand.")
    assert kinds(evs) == [("dialogue_meeting", ("KHM", "VNM")), ("dialogue_meeting", ("LAO", "VNM")),
                          ("dialogue_meeting", ("THA", "VNM"))]


def test_same_event_twice_in_one_article_is_one_event(nlp):
    text = ("Kenya and Uganda signed a defence pact on Monday. The pact, signed in Nairobi, covers joint training. "
            "Officials said the deal was the first of its kind.")
    evs = [e for e in events(nlp, text) if e.event_type == "agreement"]
    assert len(evs) == 1 and len(evs[0].mentions) >= 2


def test_pipeline_runs_without_a_trained_model():
    from newswatch.transforms.nlp import has_model, load_pipeline
    blank = load_pipeline("no_such_model_installed")
    assert not has_model(blank)
    evs = events(blank, "Norway and Sweden signed a defence cooperation agreement on Monday.")
    assert kinds(evs) == [("agreement", ("NOR", "SWE"))]
