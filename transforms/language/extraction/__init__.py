"""Finding events: the rule extractor (``rules``), its learned gate (``gate``, hybrid) and the cascade's first
pass (``prefilter``), the spaCy components (triggers, roles, modality), the sentence classifier and confidence,
and :data:`EXTRACTORS`, the extractors a run can choose."""

from __future__ import annotations

import functools
import importlib

# The extractors a run can choose (README, "The extractors"), as "module:function" taking (article, nlp) and
# returning the article's EventCandidates: the rule set's events with a learned confidence (default), the same
# events decided by that learned model, and the component-based extractor.
EXTRACTORS = {"rules": "newswatch.transforms.language.extraction.gate:score_events",
              "hybrid": "newswatch.transforms.language.extraction.gate:extract_events",
              "components": "newswatch.transforms.language.extraction.components:extract_events"}


# The extractors whose events are the rule extractor's proposals: the cascade's cheap first pass
# (prefilter.py) can tell, without the spaCy pipeline, an article where they cannot find anything.
CASCADE = frozenset({"rules", "hybrid"})


def extractor_function(name: str, *, cascade: bool = True):
    """The extract function of the extractor called ``name`` (a key of :data:`EXTRACTORS`), ``(article, nlp)``
    -> events; ``cascade=False`` parses every article, as ``--no-cascade``."""
    module, function = EXTRACTORS[name].split(":")
    extract = getattr(importlib.import_module(module), function)
    return functools.partial(extract, cascade=cascade) if name in CASCADE else extract


def needs_parse(name: str, article, *, cascade: bool = True) -> bool:
    """Whether the extractor called ``name`` parses ``article``: False only where the cascade's first pass turns
    it away, and then its events are none (so a caller may skip the extractor, as the worker pool's does)."""
    if not (cascade and name in CASCADE):
        return True
    from newswatch.transforms.language.extraction.prefilter import may_report
    return may_report(article)
