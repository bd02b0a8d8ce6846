"""Tests of newswatch.evaluation.scoring (the gold format of shared/gold/FORMAT.md)."""

from __future__ import annotations

import datetime
import itertools
import json
import random
from pathlib import Path

import pytest

from newswatch.evaluation.scoring import (Prediction, PredictionSet, Report, _max_weight_matching, date_compatible,
                                          date_exact, format_report, load_gold, participants_ok, predictions_from_db,
                                          report_to_dict, score, score_by_threshold)

SEEDS_GOLD = Path(__file__).parent / "fixtures" / "seeds.gold.jsonl"


# ---------------------------------------------------------------- helpers


def D(s: str | None) -> tuple[datetime.date | None, str | None]:
    """'2018' / '2018-04' / '2018-04-10' / None -> (date, precision)."""
    if s is None:
        return None, None
    parts = [int(x) for x in s.split("-")]
    prec = {1: "year", 2: "month", 3: "day"}[len(parts)]
    parts += [1] * (3 - len(parts))
    return datetime.date(*parts), prec


def P(event_id, event_type="agreement", participants=("JPN", "VNM"), date="2018-04-10",
      evidence=None, confidence=1.0) -> Prediction:
    d, prec = D(date)
    return Prediction(event_id, event_type, tuple(participants), d, prec, evidence, confidence)


def G(gid, event_type="agreement", participants=("JPN", "VNM"), date="2018-04-10", required=True,
      **extra) -> dict:
    ev = {"id": gid, "type": event_type, "participants": list(participants), "date": date,
          "location": None, "required": required, "evidence": f"evidence of {gid}"}
    ev.update(extra)
    return ev


def A(file, events, is_dc=None, url=None) -> dict:
    if is_dc is None:
        is_dc = any(e["required"] for e in events)
    return {"file": file, "url": url, "published": None, "is_defence_cooperation": is_dc, "events": events}


def one(gold_event, pred) -> Report:
    return score([A("a.txt", [gold_event])], {"a.txt": [pred]})


# ---------------------------------------------------------------- basics


def test_perfect_predictions():
    gold = [A("a.txt", [G("G1"), G("G2", "port_visit", date="2018-05")]),
            A("b.txt", [G("G3", "joint_exercise", ("AUS", "USA"), "2019")])]
    preds = {"a.txt": [P("e1"), P("e2", "port_visit", date="2018-05")],
             "b.txt": [P("e3", "joint_exercise", ("USA", "AUS"), "2019")]}
    r = score(gold, preds)
    assert (r.tp, r.fp, r.fn) == (3, 0, 0)
    assert r.precision == r.recall == r.f1 == 1.0
    assert r.article_accuracy == 1.0 and r.articles_correct == r.articles_total == 2
    assert r.date_exact == 1.0 and r.date_exact_count == 3
    assert r.false_positives == [] and r.false_negatives == [] and r.missing_articles == []


def test_empty_everything_is_one_and_nothing_found_is_zero():
    r = score([A("a.txt", [])], {"a.txt": []})
    assert (r.tp, r.fp, r.fn) == (0, 0, 0)
    assert r.precision == r.recall == r.f1 == 1.0
    r = score([A("a.txt", [G("G1")])], {"a.txt": []})
    assert (r.precision, r.recall, r.f1) == (0.0, 0.0, 0.0)
    r = score([A("a.txt", [])], {"a.txt": [P("e1")]})
    assert (r.tp, r.fp, r.fn) == (0, 1, 0)
    assert (r.precision, r.recall, r.f1) == (0.0, 0.0, 0.0)


def test_wrong_type_is_fp_and_fn():
    r = one(G("G1", "agreement"), P("e1", "dialogue_meeting", evidence="They met."))
    assert (r.tp, r.fp, r.fn) == (0, 1, 1)
    assert r.false_positives[0].event_type == "dialogue_meeting"
    assert r.false_positives[0].evidence == "They met."
    assert r.false_positives[0].article == "a.txt"
    fn = r.false_negatives[0]
    assert (fn.article, fn.gold_id, fn.event_type, fn.participants, fn.date) == (
        "a.txt", "G1", "agreement", ("JPN", "VNM"), "2018-04-10")
    assert fn.evidence == "evidence of G1"


def test_alt_types_accepted():
    g = G("G1", "training_exchange", alt_types=["peacekeeping_hadr"])
    assert one(g, P("e1", "peacekeeping_hadr")).tp == 1
    assert one(g, P("e1", "training_exchange")).tp == 1
    assert one(g, P("e1", "agreement")).tp == 0


def test_tp_with_alt_type_counts_under_gold_type():
    g = G("G1", "training_exchange", alt_types=["peacekeeping_hadr"])
    r = one(g, P("e1", "peacekeeping_hadr"))
    assert r.per_type["training_exchange"].tp == 1
    assert r.per_type["peacekeeping_hadr"].tp == 0


# ---------------------------------------------------------------- participants


def test_exact_participants():
    g = G("G1", participants=("JPN", "VNM"))
    assert participants_ok(P("e", participants=("VNM", "JPN")), g)
    assert not participants_ok(P("e", participants=("JPN",)), g)
    assert not participants_ok(P("e", participants=("JPN", "VNM", "USA")), g)


def test_optional_participants():
    g = G("G1", participants=("ASEAN", "JPN"), optional_participants=["VNM"])
    assert one(g, P("e", participants=("ASEAN", "JPN"))).tp == 1
    assert one(g, P("e", participants=("ASEAN", "JPN", "VNM"))).tp == 1
    assert one(g, P("e", participants=("ASEAN", "JPN", "USA"))).tp == 0
    # optional codes do not replace required ones
    assert one(g, P("e", participants=("ASEAN", "VNM"))).tp == 0


def test_subset_mode():
    g = G("G1", "joint_exercise", ("BRA", "CHL", "USA", "GBR"), participants_mode="subset")
    assert one(g, P("e", "joint_exercise", ("CHL",))).tp == 0  # one member fails
    assert one(g, P("e", "joint_exercise", ("CHL", "USA"))).tp == 1  # two within passes
    assert one(g, P("e", "joint_exercise", ("BRA", "CHL", "USA", "GBR"))).tp == 1
    assert one(g, P("e", "joint_exercise", ("CHL", "USA", "FRA"))).tp == 0  # one outside fails


def test_subset_mode_organisation_alone():
    g = G("G1", "dialogue_meeting", ("ASEAN", "IDN", "MYS", "THA"), participants_mode="subset")
    assert one(g, P("e", "dialogue_meeting", ("ASEAN",))).tp == 1  # the bloc's own meeting
    assert one(g, P("e", "dialogue_meeting", ("IDN",))).tp == 0  # one state alone is not
    assert one(g, P("e", "dialogue_meeting", ("NATO",))).tp == 0  # an organisation outside
    exact = G("G1", "dialogue_meeting", ("ASEAN", "IDN"))
    assert one(exact, P("e", "dialogue_meeting", ("ASEAN",))).tp == 0  # exact mode wants every party


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("gold_date,pred_date,ok", [
    ("2018-04-10", "2018-04", True),      # prediction period contains gold
    ("2018-04-10", "2018", True),
    ("2018-04", "2018-04-10", True),      # gold period contains prediction
    ("2018", "2018-04-10", True),
    ("2018", "2018-11", True),
    ("2018-04-10", "2018-04-11", False),
    ("2018-04", "2018-05-01", False),
    ("2018-04-10", "2018-05", False),
    ("2018", "2019", False),
    (None, "2018-04-10", True),           # either side null
    ("2018-04-10", None, True),
])
def test_date_compatibility(gold_date, pred_date, ok):
    assert date_compatible(P("e", date=pred_date), G("G1", date=gold_date)) is ok
    assert (one(G("G1", date=gold_date), P("e", date=pred_date)).tp == 1) is ok


def test_date_alt():
    g = G("G1", "dialogue_meeting", date="2018-05", date_alt=["2018-06"])
    assert one(g, P("e", "dialogue_meeting", date="2018-06-02")).tp == 1
    assert one(g, P("e", "dialogue_meeting", date="2018-06")).tp == 1
    assert one(g, P("e", "dialogue_meeting", date="2018-07")).tp == 0
    r = one(g, P("e", "dialogue_meeting", date="2018-06"))
    assert r.date_exact_count == 1
    g2 = G("G1", date="2021-10-14", date_alt=["2021-10-23", "2021-10-17"])
    assert one(g2, P("e", date="2021-10-17")).tp == 1
    assert one(g2, P("e", date="2021-10-17")).date_exact_count == 1
    assert one(g2, P("e", date="2021-10-18")).tp == 0


@pytest.mark.parametrize("gold_date,pred_date,exact", [
    ("2018-04-10", "2018-04-10", True),
    ("2018-04", "2018-04-10", True),      # finer prediction, equal at gold precision
    ("2018", "2018-07", True),
    ("2018-04-10", "2018-04", False),     # coarser prediction is not exact
    ("2018-04", "2018", False),
    ("2018-04-10", None, False),          # null prediction, dated gold
    (None, None, True),                   # both null
    (None, "2018-04-10", True),           # null gold date: nothing to get wrong
])
def test_date_exact(gold_date, pred_date, exact):
    assert date_exact(P("e", date=pred_date), G("G1", date=gold_date)) is exact
    r = one(G("G1", date=gold_date), P("e", date=pred_date))
    assert r.tp == 1 and r.date_exact_count == int(exact) and r.date_exact_total == 1


def test_exact_first_pairing():
    gold = [A("a.txt", [G("G_month", date="2018-04"), G("G_day", date="2018-04-10")])]
    # listed in the order that a greedy first-fit would get wrong
    preds = {"a.txt": [P("e_day", date="2018-04-10"), P("e_month", date="2018-04")]}
    r = score(gold, preds)
    assert (r.tp, r.fp, r.fn) == (2, 0, 0)
    assert r.date_exact_count == 2 and r.date_exact == 1.0
    pairs = {(m.gold_id, m.event_id) for m in r.true_positives}
    assert pairs == {("G_month", "e_month"), ("G_day", "e_day")}


def test_required_pairs_are_maximised_before_non_required():
    # e1 fits both a non-required event and the required one; e2 fits only the
    # non-required one: a greedy pairing of e1 with the non-required event
    # would lose a TP.
    gold = [A("a.txt", [G("N1", "dialogue_meeting", date=None, required=False),
                        G("R1", "dialogue_meeting", date="2018-04-10")])]
    preds = {"a.txt": [P("e1", "dialogue_meeting", date="2018-04-10"),
                       P("e2", "dialogue_meeting", date="2017")]}
    r = score(gold, preds)
    assert (r.tp, r.fp, r.fn, r.ignored) == (1, 0, 0, 1)
    assert r.true_positives[0].event_id == "e1"


def test_non_required_pairing_is_ignored_not_fp():
    gold = [A("a.txt", [G("R1", date="2018-04-10"), G("N1", "dialogue_meeting", date="2017", required=False)])]
    preds = {"a.txt": [P("e1"), P("e2", "dialogue_meeting", date="2017")]}
    r = score(gold, preds)
    assert (r.tp, r.fp, r.fn, r.ignored) == (1, 0, 0, 1)
    assert r.precision == 1.0
    # an unfound non-required event is no FN
    r = score(gold, {"a.txt": [P("e1")]})
    assert (r.tp, r.fp, r.fn) == (1, 0, 0)


def test_one_to_one_pairing_duplicate_prediction_is_fp():
    gold = [A("a.txt", [G("G1")])]
    r = score(gold, {"a.txt": [P("e1", confidence=0.4), P("e2", confidence=0.9)]})
    assert (r.tp, r.fp, r.fn) == (1, 1, 0)
    # ties broken by confidence: the more confident prediction is the TP
    assert r.true_positives[0].event_id == "e2"
    assert r.false_positives[0].event_id == "e1"


# ---------------------------------------------------------------- across articles


def test_merge_recall_and_false_merge():
    gold = [A("a.txt", [G("S1"), G("S5", "dialogue_meeting")]),
            A("b.txt", [G("S1"), G("S6", "dialogue_meeting")])]
    # S1 comes out as one event E1 in both articles: merged.  S5 and S6 are
    # different real events that the pipeline merged into E2: a false merge.
    preds = {"a.txt": [P("E1"), P("E2", "dialogue_meeting")],
             "b.txt": [P("E1"), P("E2", "dialogue_meeting")]}
    r = score(gold, preds)
    assert (r.tp, r.fp, r.fn) == (4, 0, 0)
    assert (r.merge_numerator, r.merge_denominator, r.merge_recall) == (1, 1, 1.0)
    assert r.false_merges == [("S5", "S6", "E2")]


def test_merge_failure():
    gold = [A("a.txt", [G("S1")]), A("b.txt", [G("S1")])]
    r = score(gold, {"a.txt": [P("E1")], "b.txt": [P("E9")]})
    assert (r.merge_numerator, r.merge_denominator, r.merge_recall) == (0, 1, 0.0)
    assert r.merge_failures[0].gold_id == "S1"
    assert r.false_merges == []
    # found in one article only: not merged either
    r = score(gold, {"a.txt": [P("E1")], "b.txt": []})
    assert (r.merge_numerator, r.merge_denominator) == (0, 1)


def test_merge_only_counts_required_articles_and_tps():
    # required in a and b, non-required in c: the ignored pair in c does not count
    gold = [A("a.txt", [G("S1")]), A("b.txt", [G("S1")]), A("c.txt", [G("S1", required=False)])]
    r = score(gold, {"a.txt": [P("E1")], "b.txt": [P("E1")], "c.txt": [P("E7")]})
    assert (r.merge_numerator, r.merge_denominator) == (1, 1)
    assert r.false_merges == [] and r.ignored == 1


def test_article_accuracy_with_negative_article():
    gold = [A("pos.txt", [G("G1")]),
            A("neg.txt", [G("N1", date="2017", required=False)], is_dc=False),
            A("neg2.txt", [], is_dc=False)]
    preds = {"pos.txt": [P("e1")],
             "neg.txt": [P("e2", date="2017")],      # paired with non-required: ignored, not flagged
             "neg2.txt": [P("e3", "port_visit")]}    # FP: flagged, wrongly
    r = score(gold, preds)
    assert (r.articles_correct, r.articles_total) == (2, 3)
    assert r.article_accuracy == pytest.approx(2 / 3)
    assert r.articles_flagged == 2 and r.articles_positive == 1
    assert [(e.article, e.flagged) for e in r.article_errors] == [("neg2.txt", True)]


def test_per_type_counts():
    gold = [A("a.txt", [G("G1", "agreement"), G("G2", "port_visit", ("IND", "LKA"), "2021-08"),
                        G("G3", "arms_transfer", ("AUS", "UKR"), "2022")])]
    preds = {"a.txt": [P("e1", "agreement"),                                # TP agreement
                       P("e2", "joint_exercise", ("IND", "LKA"), "2021-08"),  # FP joint_exercise
                       P("e3", "arms_transfer", ("AUS", "UKR"), "2022")]}    # TP arms_transfer
    r = score(gold, preds)
    pt = r.per_type
    assert (pt["agreement"].tp, pt["agreement"].fp, pt["agreement"].fn) == (1, 0, 0)
    assert (pt["port_visit"].tp, pt["port_visit"].fp, pt["port_visit"].fn) == (0, 0, 1)
    assert (pt["joint_exercise"].tp, pt["joint_exercise"].fp, pt["joint_exercise"].fn) == (0, 1, 0)
    assert (pt["arms_transfer"].tp, pt["arms_transfer"].fp, pt["arms_transfer"].fn) == (1, 0, 0)
    assert pt["port_visit"].recall == 0.0 and pt["joint_exercise"].precision == 0.0
    assert pt["agreement"].f1 == 1.0
    assert pt["pledge_statement"].f1 == 1.0  # nothing to find, nothing predicted
    assert sum(s.tp for s in pt.values()) == r.tp
    assert sum(s.fp for s in pt.values()) == r.fp
    assert sum(s.fn for s in pt.values()) == r.fn


def test_min_confidence_filtering():
    gold = [A("a.txt", [G("G1"), G("G2", "port_visit")])]
    preds = {"a.txt": [P("e1", confidence=0.9), P("e2", "port_visit", confidence=0.4),
                       P("e3", "joint_exercise", confidence=0.2)]}
    r = score(gold, preds)
    assert (r.tp, r.fp, r.fn) == (2, 1, 0)
    r = score(gold, preds, min_confidence=0.5)
    assert (r.tp, r.fp, r.fn) == (1, 0, 1)
    assert r.min_confidence == 0.5
    table = score_by_threshold(gold, preds, thresholds=(0.0, 0.3, 0.5, 0.95))
    assert [t for t, _ in table] == [0.0, 0.3, 0.5, 0.95]
    assert [(x.tp, x.fp, x.fn) for _, x in table] == [(2, 1, 0), (2, 0, 0), (1, 0, 1), (0, 0, 2)]
    assert len(score_by_threshold(gold, preds)) == 7


def test_missing_article_and_url_matching():
    gold = [A("a.txt", [G("G1")], url="https://x.example/a"),
            A("b.txt", [G("G2"), G("G3", required=False)], url="https://x.example/b"),
            A("c.txt", [G("G4", "port_visit")], url=None)]
    preds = PredictionSet({"feed-link-a": [P("e1")]}, urls={"https://x.example/a": "feed-link-a"})
    r = score(gold, preds)
    assert r.missing_articles == ["b.txt", "c.txt"]
    assert (r.tp, r.fp, r.fn) == (1, 0, 2)
    assert {fn.gold_id for fn in r.false_negatives} == {"G2", "G4"}
    assert all(fn.article_missing for fn in r.false_negatives)
    # plain dict + explicit urls mapping
    r = score(gold, {"feed-link-a": [P("e1")]}, urls={"https://x.example/a": "feed-link-a"})
    assert r.tp == 1
    # a url used directly as key
    r = score(gold, {"https://x.example/a": [P("e1")]})
    assert r.tp == 1
    # file wins over url
    r = score(gold, {"a.txt": [P("e1")], "https://x.example/a": []})
    assert r.tp == 1


def test_gold_scored_against_itself():
    gold = load_gold(SEEDS_GOLD)
    preds: dict[str, list[Prediction]] = {}
    n_required = 0
    for art in gold:
        out = []
        for ev in art["events"]:
            if not ev["required"]:
                continue
            n_required += 1
            d, prec = D(ev["date"])
            out.append(Prediction(ev["id"], ev["type"], tuple(ev["participants"]), d, prec,
                                  ev.get("evidence"), 1.0))
        preds[art["file"]] = out
    r = score(gold, preds)
    assert r.tp == n_required > 0
    assert (r.fp, r.fn) == (0, 0)
    assert r.precision == r.recall == r.f1 == 1.0
    assert (r.merge_numerator, r.merge_denominator) == (1, 1)
    assert r.false_merges == []
    assert r.date_exact == 1.0
    assert r.article_accuracy == 1.0
    assert all(m.gold_id == m.event_id for m in r.true_positives)


# ---------------------------------------------------------------- load_gold


def test_load_gold_defaults(tmp_path):
    gold = load_gold(SEEDS_GOLD)
    assert len(gold) == 5
    ev = gold[0]["events"][2]
    assert ev["id"] == "S3" and ev["alt_types"] == ["peacekeeping_hadr"]
    assert gold[0]["events"][0]["participants_mode"] == "exact"
    assert gold[0]["events"][0]["date_alt"] == []
    assert gold[0]["events"][0]["optional_participants"] == []


def _write(tmp_path, lines) -> Path:
    p = tmp_path / "g.jsonl"
    p.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    return p


@pytest.mark.parametrize("bad,msg", [
    ("{not json", "invalid JSON"),
    ("[1, 2]", "object"),
    ({"url": None, "is_defence_cooperation": False, "events": []}, "'file'"),
    ({"file": "b.txt", "events": []}, "'is_defence_cooperation'"),
    ({"file": "b.txt", "is_defence_cooperation": True,
      "events": [{"id": "X", "type": "treaty", "participants": ["A", "B"], "date": None, "required": True}]},
     "unknown event type"),
    ({"file": "b.txt", "is_defence_cooperation": True,
      "events": [{"id": "X", "type": "agreement", "alt_types": ["treaty"], "participants": ["A", "B"],
                  "date": None, "required": True}]}, "unknown event type"),
    ({"file": "b.txt", "is_defence_cooperation": True,
      "events": [{"id": "X", "type": "agreement", "date": None, "required": True}]}, "'participants'"),
    ({"file": "b.txt", "is_defence_cooperation": True,
      "events": [{"id": "X", "type": "agreement", "participants": ["A", "B"], "date": "April 2018",
                  "required": True}]}, "bad date"),
    ({"file": "b.txt", "is_defence_cooperation": True,
      "events": [{"id": "X", "type": "agreement", "participants": ["A", "B"], "date": "2018-02-30",
                  "required": True}]}, "2018-02-30"),
    ({"file": "b.txt", "is_defence_cooperation": True,
      "events": [{"id": "X", "type": "agreement", "participants": ["A", "B"], "date": None}]}, "'required'"),
    ({"file": "a.txt", "is_defence_cooperation": False, "events": []}, "duplicate file"),
    ({"file": "b.txt", "is_defence_cooperation": True,
      "events": [{"id": "X", "type": "agreement", "participants": ["A", "B"], "required": True,
                  "participants_mode": "fuzzy"}]}, "event X: 'participants_mode'"),
    ({"file": "b.txt", "is_defence_cooperation": True,
      "events": [{"id": "X", "type": "agreement", "participants": ["A", ""], "required": True}]},
     "event X: 'participants'"),
    ({"file": "b.txt", "is_defence_cooperation": True,
      "events": [{"id": "X", "type": "agreement", "participants": ["A", "B"], "required": True},
                 {"id": "X", "type": "port_visit", "participants": ["A", "B"], "required": True}]},
     "event X: duplicate id"),
    ({"file": "b.txt", "is_defence_cooperation": "yes", "events": []}, "'is_defence_cooperation'"),
])
def test_load_gold_errors_carry_line_number(tmp_path, bad, msg):
    good = {"file": "a.txt", "url": None, "is_defence_cooperation": False, "events": []}
    p = _write(tmp_path, [good, "", bad])
    with pytest.raises(ValueError) as exc:
        load_gold(p)
    assert ":3:" in str(exc.value)
    assert msg in str(exc.value)


# ---------------------------------------------------------------- database


def test_predictions_from_db():
    duckdb = pytest.importorskip("duckdb")
    conn = duckdb.connect(":memory:")
    conn.execute("CREATE TABLE articles (article_id VARCHAR PRIMARY KEY, url VARCHAR, origin VARCHAR, text VARCHAR)")
    conn.execute("""CREATE TABLE events (event_id VARCHAR PRIMARY KEY, event_type VARCHAR, participants VARCHAR[],
                    event_date DATE, date_precision VARCHAR, confidence DOUBLE)""")
    conn.execute("""CREATE TABLE event_mentions (event_id VARCHAR, article_id VARCHAR, evidence VARCHAR,
                    char_start INTEGER, char_end INTEGER, in_background BOOLEAN, confidence DOUBLE)""")
    conn.execute("""INSERT INTO articles VALUES
        ('a1', 'https://x.example/a', 'a.txt', ''),
        ('a2', 'https://x.example/b', 'b.txt', ''),
        ('a3', NULL, 'c.txt', '')""")
    conn.execute("""INSERT INTO events VALUES
        ('E1', 'agreement', ['JPN', 'VNM'], DATE '2018-04-10', 'day', 0.9),
        ('E2', 'dialogue_meeting', ['JPN', 'VNM'], DATE '2018-05-01', 'month', 0.6),
        ('E3', 'port_visit', ['IND', 'LKA'], NULL, NULL, NULL)""")
    conn.execute("""INSERT INTO event_mentions VALUES
        ('E1', 'a1', 'second sentence', 50, 60, false, 0.9),
        ('E1', 'a1', 'first sentence', 10, 20, false, 0.9),
        ('E2', 'a1', 'they met', 30, 40, false, 0.6),
        ('E1', 'a2', 'again signed', 5, 15, false, 0.8),
        ('E3', 'a2', 'ship visit', 20, 30, true, 0.5)""")
    preds = predictions_from_db(conn)
    assert set(preds) == {"a.txt", "b.txt", "c.txt"}
    assert preds["c.txt"] == []
    a = {p.event_id: p for p in preds["a.txt"]}
    assert set(a) == {"E1", "E2"} and len(preds["a.txt"]) == 2
    assert a["E1"] == Prediction("E1", "agreement", ("JPN", "VNM"), datetime.date(2018, 4, 10), "day",
                                 "first sentence", 0.9)
    assert a["E2"].date_precision == "month" and a["E2"].confidence == 0.6
    b = {p.event_id: p for p in preds["b.txt"]}
    assert b["E1"].evidence == "again signed"
    assert b["E3"].event_date is None and b["E3"].confidence == 1.0
    assert preds.urls == {"https://x.example/a": "a.txt", "https://x.example/b": "b.txt"}

    # end to end, with one gold line matched by url only
    gold = [A("a.txt", [G("S1"), G("S2", "dialogue_meeting", date="2018-05")]),
            A("renamed.txt", [G("S1"), G("S3", "port_visit", ("IND", "LKA"), None)], url="https://x.example/b"),
            A("c.txt", [], is_dc=False)]
    r = score(gold, preds)
    assert (r.tp, r.fp, r.fn) == (4, 0, 0)
    assert (r.merge_numerator, r.merge_denominator) == (1, 1)
    assert r.missing_articles == []
    assert r.article_accuracy == 1.0


# ---------------------------------------------------------------- output


def test_format_and_dict():
    gold = [A("a.txt", [G("G1"), G("G2", "port_visit")]), A("m.txt", [G("G9")])]
    preds = {"a.txt": [P("e1", confidence=0.9), P("e3", "joint_exercise", evidence="Drills held.", confidence=0.2)]}
    r = score(gold, preds)
    table = score_by_threshold(gold, preds)
    text = format_report(r, by_threshold=table)
    assert "precision" in text and "By confidence threshold" in text
    assert "Drills held." in text and "evidence of G2" in text
    assert "m.txt" in text and "joint_exercise" in text
    d = report_to_dict(r, by_threshold=table)
    s = json.dumps(d)
    back = json.loads(s)
    assert back["tp"] == 1 and back["fp"] == 1 and back["fn"] == 2
    assert back["missing_articles"] == ["m.txt"]
    assert back["false_positives"][0]["event_date"] == "2018-04-10"
    assert back["per_type"]["port_visit"]["fn"] == 1
    assert len(back["by_threshold"]) == 7
    json.dumps(report_to_dict(r))


# ---------------------------------------------------------------- matching


def _brute_force(weights):
    n = len(weights)
    m = len(weights[0]) if n else 0
    best = 0
    for k in range(min(n, m) + 1):
        for rows in itertools.combinations(range(n), k):
            for cols in itertools.permutations(range(m), k):
                if all(weights[i][j] > 0 for i, j in zip(rows, cols)):
                    best = max(best, sum(weights[i][j] for i, j in zip(rows, cols)))
    return best


def test_max_weight_matching_against_brute_force():
    rng = random.Random(7)
    for _ in range(300):
        n, m = rng.randint(0, 5), rng.randint(1, 5)
        w = [[rng.choice([0, 0, 1, 5, 100, 1000]) for _ in range(m)] for _ in range(n)]
        pairs = _max_weight_matching(w)
        assert len({i for i, _ in pairs}) == len(pairs) == len({j for _, j in pairs})
        assert all(w[i][j] > 0 for i, j in pairs)
        assert sum(w[i][j] for i, j in pairs) == _brute_force(w)


# ---------------------------------------------------------------- reliability


def test_reliability_bands_count_right_and_wrong_by_confidence():
    from newswatch.evaluation.scoring import format_report, reliability, report_to_dict
    gold = [A("a.txt", [G("G1", "agreement", date="2018-04"), G("G2", "joint_exercise", date="2019")])]
    preds = {"a.txt": [P("e1", "agreement", date="2018-04", confidence=0.9),
                       P("e2", "joint_exercise", date="2019", confidence=0.45),
                       P("e3", "port_visit", confidence=0.41),
                       P("e4", "arms_transfer", confidence=1.0)]}
    bands = {(b.low, b.high): b for b in reliability(score(gold, preds))}
    assert (bands[(0.8, 1.0)].events, bands[(0.8, 1.0)].right) == (2, 1)  # 1.0 falls in the top band
    assert (bands[(0.4, 0.5)].events, bands[(0.4, 0.5)].right) == (2, 1)
    assert bands[(0.4, 0.5)].mean_confidence == pytest.approx(0.43)
    assert bands[(0.0, 0.2)].events == 0 and bands[(0.0, 0.2)].right_share is None
    assert "Reliability" in format_report(score(gold, preds))
    assert report_to_dict(score(gold, preds))["reliability"][-1]["right"] == 1


# ---------------------------------------------------------------- the keyword alert baseline


@pytest.mark.parametrize("title, text, expected", [
    ("Navies drill together", "Japan and Vietnam held a joint naval exercise on Monday.", True),
    # no defence word
    ("Ministers meet", "Japan and Vietnam held talks on rice tariffs.", False),
    # one state only
    ("Army exercise", "The army of Japan held a large exercise near the coast.", False),
    # names inside other words are not states named ("Niger" in "Nigeria"): one state
    ("Army talks", "The army of Nigeria held talks with its veterans.", False),
])
def test_the_keyword_alert_on_invented_articles(title, text, expected):
    from newswatch.evaluation.baseline import keyword_alert
    assert keyword_alert(title, text) is expected


def test_the_keyword_alert_is_scored_as_article_accuracy():
    gold = [{"file": "a", "is_defence_cooperation": True, "events": []},
            {"file": "b", "is_defence_cooperation": False, "events": []},
            {"file": "c", "is_defence_cooperation": False, "events": []}]
    report = score(gold, {"a": [], "b": [], "c": []}, alerts={"a": True, "b": True, "c": False})
    assert (report.keyword_alert_correct, report.keyword_alert_total) == (2, 3)
    assert report.keyword_alert_accuracy == pytest.approx(2 / 3)
    assert "keyword alert 0.667 (2/3" in format_report(report)
    assert score(gold, {"a": [], "b": [], "c": []}).keyword_alert_accuracy is None
