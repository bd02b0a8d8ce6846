"""Extraction on several cores (transforms/language/parallel.py, the pool behind ExtractEvents and
``--extract-processes``): the same events as in one process, in order, with the same error rows."""
import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to
from conftest import local_test_pipeline

from newswatch.pipelines import cli
from newswatch.pipelines.common import AUTO_PROCESSES_FROM, extract_processes
from newswatch.schemas.rows import RawArticle
from newswatch.transforms.beam.articles import ExtractEvents, PrepareArticles
from newswatch.transforms.beam.outputs import ERRORS
from newswatch.transforms.language.articles import prepare
from newswatch.transforms.language.extraction import extractor_function
from newswatch.transforms.language.nlp import MAX_EXTRACT_CHARS
from newswatch.transforms.language.parallel import ExtractPool, usable_cores

SENTENCES = [
    "Chile and Peru signed a defence cooperation agreement on Monday.",
    "The home side won 2-1 after a late header.",
    "Brazil delivered two frigates to Uruguay on Friday.",
    "Ghana and Togo held a joint naval exercise off Lome on Tuesday.",
    "Shares in Lima rose as copper prices climbed.",
    "Kenya denied reports that it had signed a military pact with Somalia.",
]


def _articles():
    return [prepare(RawArticle(origin=f"a{i}", title="News", published="2023-05-02", text=text))
            for i, text in enumerate(SENTENCES)]


def _view(events):
    return [(e.event_type, e.participants, str(e.event_date), e.confidence) for e in events]


def test_the_pool_finds_what_one_process_finds_in_the_same_order(nlp):
    articles = _articles()
    extract = extractor_function("rules")
    alone = [_view(extract(a, nlp)) for a in articles]
    pool = ExtractPool(2)
    try:
        together = [f.result() for f in [pool.submit(a) for a in articles]]
    finally:
        pool.close()
    assert all(ok for ok, _ in together)
    assert [_view(events) for _, events in together] == alone
    assert sum(1 for v in alone if v) == 3  # the agreement, the transfer and the exercise


@pytest.mark.parametrize("processes", [1, 2])
def test_extract_events_on_worker_processes_equals_the_plain_function(nlp, processes):
    long_text = "Chile and Peru held talks. " * (MAX_EXTRACT_CHARS // 20)
    raws = [RawArticle(origin=f"a{i}", title="News", published="2023-05-02", text=t) for i, t in enumerate(SENTENCES)]
    raws.append(RawArticle(origin="long", title="News", published="2023-05-02", text=long_text))
    extract = extractor_function("rules")
    expected = [(a.origin, _view(extract(a, nlp))) for a in _articles()] + [("long", [])]
    with local_test_pipeline() as p:
        prepared = p | beam.Create(raws) | PrepareArticles()
        extracted = prepared["articles"] | ExtractEvents(processes=processes)
        summary = extracted["extracted"] | beam.Map(lambda x: (x.article.origin, _view(x.events)))
        assert_that(summary, equal_to(expected), label="events")
        # the over-long article is stored without events, next to an error row that says why
        errors = extracted[ERRORS] | beam.Map(lambda e: (e.origin, e.stage, e.error.startswith("article too long")))
        assert_that(errors, equal_to([("long", "extract", True)]), label="errors")


def test_replay_with_worker_processes_stores_the_same_rows(tmp_path):
    one, two = str(tmp_path / "one.duckdb"), str(tmp_path / "two.duckdb")
    assert cli.main(["replay", "--db", one, "--quiet", "--extract-processes", "1"]) == 0
    assert cli.main(["replay", "--db", two, "--quiet", "--extract-processes", "2"]) == 0
    import duckdb

    def rows(path):
        with duckdb.connect(path, read_only=True) as c:
            return sorted(map(str, c.execute(
                "select event_type, participants, event_date, confidence from events").fetchall()))

    assert rows(one) == rows(two) and len(rows(one)) == 10  # the seeds: 11 mentions, one merged


@pytest.mark.parametrize("value, args, inputs, expected", [
    ("auto", [], AUTO_PROCESSES_FROM - 1, 1),                 # a small run: starting workers costs more
    ("auto", [], AUTO_PROCESSES_FROM, min(usable_cores(), 4)),
    ("auto", [], None, min(usable_cores(), 4)),                # a web archive: a backfill, counted as large
    ("auto", ["--runner", "DaskRunner"], 10_000, 1),           # Dask spreads the work itself
    ("auto", ["--runner=DirectRunner"], 10_000, min(usable_cores(), 4)),  # Beam's direct runner is the local one
    ("3", [], 5, 3),
])
def test_how_many_extraction_processes(value, args, inputs, expected):
    assert extract_processes(value, args, inputs) == expected


@pytest.mark.parametrize("value", ["0", "two"])
def test_a_bad_process_count_is_a_usage_error(value):
    with pytest.raises(SystemExit):
        extract_processes(value, [], 5)


def test_articles_the_cascade_turns_away_start_no_worker():
    """The first pass runs in the runner's process: news with no possible event never crosses to a worker, and a
    run of only such news starts none (the pool's start costs a pipeline load per worker)."""
    from apache_beam.transforms.window import GlobalWindow

    from newswatch.transforms.beam.articles import _Extract
    news = [a for a in _articles() if a.origin in ("a1", "a4")]  # the match report and the market report
    step = _Extract(None, "rules", processes=2)
    step.setup()
    step.start_bundle()
    try:
        rows = [r for a in news for r in step.process(a, timestamp=0, window=GlobalWindow())]
        rows += list(step.finish_bundle() or [])
        assert step.pool is None
    finally:
        step.teardown()
    assert [(r.value.article.origin, r.value.events) for r in rows] == [("a1", []), ("a4", [])]
