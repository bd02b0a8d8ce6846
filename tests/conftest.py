import pathlib

import pytest

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
REPO = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def nlp():
    from newswatch.transforms.language.nlp import load_pipeline
    return load_pipeline()


@pytest.fixture(scope="session")
def trained_nlp(nlp):
    """The pipeline with the trained English model; tests that read the parse skip without it."""
    from newswatch.transforms.language.nlp import has_model
    if not has_model(nlp):
        pytest.skip("the trained English pipeline is not installed")
    return nlp


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "test.duckdb")


def table_counts(db, tables=("articles", "events", "event_mentions", "ingest_errors")):
    """Row counts of the given tables, on a read-only connection closed straight away."""
    from newswatch.transforms.storage.sink import connect
    conn = connect(db, read_only=True)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        conn.close()
