"""The cascade's cheap first pass (transforms/language/extraction/prefilter.py) loses nothing."""

from __future__ import annotations

import duckdb
import pytest

from newswatch.pipelines import cli
from newswatch.transforms.language.extraction import prefilter, rules
from training import corpus, train


@pytest.fixture(scope="module")
def annotated():
    """Every annotated article of the repository (both splits and the seeds), prepared as a replay does."""
    return train.articles_for(corpus.load())


def test_an_article_turned_away_is_one_where_the_rules_find_nothing(annotated, trained_nlp):
    """On every annotated article: where the first pass says no, the full rule extractor proposes nothing,
    so no extractor built on its proposals (rules, hybrid) loses an event, on either split."""
    skipped = [(g, a) for g, a in annotated if not prefilter.may_report_events(a.title, a.text)]
    assert len(skipped) >= 30, "the first pass should turn away the articles that cannot hold an event"
    lost = {g["file"]: [(m.event_type, m.participants) for m in rules.extract_mentions(a, trained_nlp(a.text))]
            for g, a in skipped}
    assert {f: m for f, m in lost.items() if m} == {}


@pytest.mark.parametrize("title, text, expected", [
    ("Late goal settles derby", "The home side won 2-1 after a late header. The coach praised the fans.", False),
    ("Markets rally", "Shares in Tokyo rose as Japan reported stronger exports; the yen fell.", False),
    ("Navies drill together", "Japan and Vietnam held a joint naval exercise off Da Nang on Monday.", True),
    ("Defence ministers meet", "The defence ministers of Japan and Vietnam held talks in Hanoi.", True),
    # anchors and states but no defence word: talks about trade cannot be defence talks for the rules
    ("Trade talks", "Japan and Vietnam held talks on rice tariffs and shipping fees.", False),
    # the anchor and the defence word in different paragraphs: no sentence of the parser holds both
    ("Ports and pensions", "Japan and Vietnam held talks on rice tariffs.\nThe army chief retired after 30 years.",
     False),
    # a line without a final stop runs on into the next: the parser may read one sentence across the break
    ("Ports and pensions", "Japan and Vietnam held talks\non army training and rice tariffs.", True),
    # an article about defence (three defence words near its start) needs none in the talks' own sentence
    ("Defence ministers meet", "The defence ministers met the army and navy chiefs.\n"
     "Japan and Vietnam held talks on rice tariffs.", True),
])
def test_the_first_pass_on_invented_articles(title, text, expected):
    assert prefilter.may_report_events(title, text) is expected


def _events(db):
    conn = duckdb.connect(db, read_only=True)
    try:
        return conn.execute("SELECT event_type, participants, event_date, status, confidence, article_count "
                            "FROM events ORDER BY event_id").fetchall()
    finally:
        conn.close()


def test_replay_stores_the_same_events_with_and_without_the_cascade(tmp_path):
    stream = "tests/fixtures/dev2/articles.jsonl"  # a realistic stream: half ordinary news
    with_cascade, without = str(tmp_path / "cascade.duckdb"), str(tmp_path / "full.duckdb")
    assert cli.main(["replay", stream, "--db", with_cascade, "--quiet"]) == 0
    assert cli.main(["replay", stream, "--db", without, "--quiet", "--no-cascade"]) == 0
    events = _events(with_cascade)
    assert len(events) > 20 and events == _events(without)


@pytest.mark.parametrize("text, expected", [
    ("One.\nTwo!\nThree?", ["One.", "Two!", "Three?"]),
    ("A headline\n\nIts story begins. It goes on.\nA caption", ["A headline\n\nIts story begins. It goes on.", "A caption"]),
    ('He said "yes."\n(It ended.)\nEnd', ['He said "yes."', "(It ended.)", "End"]),
])
def test_passages_cut_only_after_a_final_stop(text, expected):
    assert prefilter.passages(text) == expected
