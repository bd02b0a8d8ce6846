import os
import pathlib
import tempfile

import pytest

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
REPO = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def scratch_space(tmp_path_factory):
    """Temporary files of the tests and of the processes they start go under pytest's own base folder, which
    pytest prunes: a process a test kills on purpose (SIGKILL) cannot remove Beam's temporary folder."""
    folder = tmp_path_factory.mktemp("scratch")
    before = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(folder)
    tempfile.tempdir = None  # recomputed from TMPDIR on next use
    yield folder
    if before is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = before
    tempfile.tempdir = None


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


def local_test_pipeline():
    """Beam's TestPipeline on the in-process runner the CLI runs on. Named as DirectRunner, Beam would first
    try to download a Prism binary from GitHub."""
    from apache_beam.runners.portability.fn_api_runner import FnApiRunner
    from apache_beam.testing.test_pipeline import TestPipeline
    return TestPipeline(runner=FnApiRunner())


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
