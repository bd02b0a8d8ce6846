"""Extraction on several cores: a pool of worker processes, each loading the spaCy pipeline once.

The spaCy pipeline holds the GIL, so threads do not help; a process per core does. :class:`ExtractPool` runs
an extractor (a key of ``extraction.EXTRACTORS``) over articles in ``processes`` workers started
with the ``forkserver`` method (no fork of a threaded runner), each of which loads the pipeline once in its
initializer. Each article's future gives its events or the exception the extractor raised, so that the
caller turns failures into error rows exactly as in one process (``transforms/beam/articles.py``).
Plain Python: tests call it without Beam.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor

from newswatch.schemas.rows import Article

_worker: dict = {}


def usable_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _init(model: str | None, extractor: str, cascade: bool) -> None:
    from newswatch.transforms.language.extraction import extractor_function
    from newswatch.transforms.language.nlp import load_pipeline
    _worker["nlp"] = load_pipeline(model)
    _worker["extract"] = extractor_function(extractor, cascade=cascade)


def _extract(article: Article):
    try:
        return True, _worker["extract"](article, _worker["nlp"])
    except Exception as exc:  # noqa: BLE001 - handed back to the caller, which makes it an error row
        try:
            import pickle
            pickle.dumps(exc)
            return False, exc
        except Exception:  # noqa: BLE001 - an exception that cannot cross processes: keep its text
            return False, RuntimeError(f"{type(exc).__name__}: {exc}")


class ExtractPool:
    """``processes`` workers that extract events, one article per task."""

    def __init__(self, processes: int, model: str | None = None, extractor: str = "rules", cascade: bool = True):
        self.processes = processes
        self._executor = ProcessPoolExecutor(max_workers=processes,
                                             mp_context=multiprocessing.get_context("forkserver"),
                                             initializer=_init, initargs=(model, extractor, cascade))

    def submit(self, article: Article) -> Future:
        """A future of (True, the article's events) or (False, the exception the extractor raised)."""
        return self._executor.submit(_extract, article)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
