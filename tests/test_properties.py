"""Property-based tests (hypothesis) of the pure parts: no exception on any input, and their invariants hold.

Cleaning, date resolution, participant names, URL canonicalisation, replay record parsing and the gold
scorer. Example counts are kept small and the database is derandomised, so a CI run is repeatable and short.
"""
import datetime as dt
import json
import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newswatch.evaluation import scoring
from newswatch.schemas import event_types
from newswatch.schemas.rows import IngestError, RawArticle
from newswatch.transforms.language import actors, articles, clean, dates, evidence
from newswatch.transforms.sources import files as records
from newswatch.transforms.sources import urls

settings.register_profile("newswatch", max_examples=150, derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("newswatch")

# Text with what news pages hold: words, digits, month names, punctuation, odd spaces and line breaks.
WORDS = st.sampled_from(["May", "March", "2021", "3", "31st", "Monday", "next", "week", "ago", "the", "Navy",
                         "signed", "-", "–", "to", "and", ",", ".", "\n", "\r\n", "\u00a0", "  ", "Advertisement",
                         "Read more", "©", "Japan", "Viet Nam", "\u2019", "1e308", "9999", "0", "Feb. 29"])
NEWSY = st.lists(st.one_of(WORDS, st.text(max_size=12)), max_size=40).map(" ".join)
DAYS = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2035, 12, 31))


@given(st.one_of(NEWSY, st.text()))
def test_cleaning_never_fails_and_normalising_is_idempotent(text):
    once = clean.normalise(text)
    assert clean.normalise(once) == once
    assert "\r" not in once and "\n\n\n" not in once
    cleaned = clean.clean_text(text)
    assert isinstance(cleaned, str) and set(cleaned.split()) <= set(once.split())  # it only removes
    assert clean.normalise(cleaned) == cleaned


@given(st.one_of(NEWSY, st.text()), st.one_of(st.none(), DAYS))
def test_date_mentions_are_ordered_disjoint_and_point_into_the_text(text, published):
    found = dates.find_dates(text, published)
    for m in found:
        assert text[m.start:m.end] == m.text and m.precision in ("day", "month", "year")
        assert m.end_value is None or m.end_value >= m.value
        if m.precision != "day":
            assert m.value.day == 1 and (m.precision == "month" or m.value.month == 1)
        assert not (m.relative and published is None)
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))


@given(st.sampled_from(sorted(actors.names_by_code())), st.data())
def test_every_name_of_a_participant_names_it(code, data):
    name = data.draw(st.sampled_from(sorted(actors.names_by_code()[code])))
    assert evidence.parties_named(f"Officials from {name} arrived.", [code]) == 1
    assert actors.display_name(code)


@given(st.one_of(st.text(), st.from_regex(r"https?://[a-z0-9.-]{1,20}(:\d{1,6})?(/[\w.~%-]{0,10}){0,4}"
                                           r"(\?[\w=&%-]{0,30})?(#\w{0,5})?", fullmatch=True)))
def test_url_canonicalisation_never_fails_and_is_idempotent(url):
    once = urls.canonical_url(url)
    assert once is None or (isinstance(once, str) and urls.canonical_url(once) == once)
    assert once is None or (once.startswith(("http://", "https://")) and "#" not in once)


@given(st.one_of(st.text(), st.from_regex(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?)?",
                                           fullmatch=True)))
def test_a_publication_date_parses_or_is_unknown(value):
    parsed = articles.parse_published(value)
    assert parsed is None or (isinstance(parsed, dt.datetime) and parsed.tzinfo is None)


RECORD = st.fixed_dictionaries({}, optional={"id": st.one_of(st.text(max_size=5), st.integers()),
                                             "text": st.one_of(st.text(max_size=40), st.none(), st.integers()),
                                             "html": st.text(max_size=20), "url": st.text(max_size=20),
                                             "published": st.text(max_size=12), "title": st.text(max_size=10)})
LINE = st.one_of(RECORD.map(json.dumps), st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
                 st.lists(st.integers(), max_size=3).map(json.dumps), st.just(""), st.just("[" * 5000))


@given(st.lists(LINE, max_size=8))
def test_every_jsonl_line_becomes_an_article_or_an_error(lines):
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    out = list(records.parse_jsonl(data, "in.jsonl", "/data/in.jsonl"))
    assert all(isinstance(o, (RawArticle, IngestError)) for o in out)
    assert len(out) == sum(1 for line in data.splitlines() if line.strip())


def _gold_event(draw, i):
    kind = draw(st.sampled_from(event_types()))
    parties = draw(st.lists(st.sampled_from(["AAA", "BBB", "CCC", "DDD"]), min_size=2, max_size=3, unique=True))
    day = draw(st.one_of(st.none(), DAYS))
    return {"id": f"E{i}", "type": kind, "participants": sorted(parties),
            "date": day and day.isoformat(), "required": True}


@st.composite
def gold_and_predictions(draw):
    gold, predictions = [], {}
    for a in range(draw(st.integers(1, 4))):
        events = [_gold_event(draw, i) for i in range(draw(st.integers(0, 3)))]
        gold.append({"file": f"a{a}.txt", "is_defence_cooperation": bool(events), "events": events})
        predictions[f"a{a}.txt"] = [
            scoring.Prediction(f"p{a}-{i}", e["type"], tuple(e["participants"]),
                               e["date"] and dt.date.fromisoformat(e["date"]), e["date"] and "day")
            for i, e in enumerate(events)]
    return gold, predictions


def _normalised(gold):
    """Gold as load_gold returns it (optional fields filled), through a file."""
    import tempfile
    with tempfile.TemporaryDirectory() as folder:  # removed with its file (hypothesis runs this 100 times)
        path = Path(folder) / "gold.jsonl"
        path.write_text("\n".join(json.dumps(g) for g in gold), encoding="utf-8")
        return scoring.load_gold(str(path))


@given(gold_and_predictions(), st.randoms(use_true_random=False))
def test_the_scorer_gives_gold_full_marks_whatever_the_order(case, rnd: random.Random):
    gold, predictions = case
    gold = _normalised(gold)
    report = scoring.score(gold, predictions)
    required = sum(len(g["events"]) for g in gold)
    assert (report.tp, report.fp, report.fn) == (required, 0, 0)
    shuffled = {k: rnd.sample(v, len(v)) for k, v in predictions.items()}
    again = scoring.score(gold, shuffled)
    assert (again.tp, again.fp, again.fn) == (report.tp, report.fp, report.fn)
    # dropping a prediction costs exactly one true positive and adds one false negative
    for key, preds in predictions.items():
        if preds:
            fewer = {**predictions, key: preds[1:]}
            less = scoring.score(gold, fewer)
            assert (less.tp, less.fn) == (report.tp - 1, report.fn + 1)
            break
