"""newswatch: defence-cooperation events from the news, on Apache Beam, into DuckDB.

The code lives in the repository's top-level folders (``pipelines/``,
``transforms/``, ``evaluation/``, ``schemas/``, ``seeds/``), installed as ``newswatch.*``.
"""

__version__ = "0.1.0"
