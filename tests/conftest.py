import pathlib

import pytest

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
REPO = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def nlp():
    from newswatch.transforms.nlp import load_pipeline
    return load_pipeline()


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "test.duckdb")
