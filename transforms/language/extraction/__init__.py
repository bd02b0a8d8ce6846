"""Finding events: the rule extractor (``rules``), the spaCy components (triggers, roles, modality), the learned
sentence classifier and confidence, and :data:`EXTRACTORS`, the extractors a run can choose."""

from __future__ import annotations

import importlib

# The extractors a run can choose (README, "Extraction figures"), as "module:function" taking (article, nlp) and
# returning the article's EventCandidates: the rule set's events with a learned confidence (default), the same
# events decided by that learned model, and the component-based extractor.
EXTRACTORS = {"rules": "newswatch.transforms.language.extraction.gate:score_events",
              "hybrid": "newswatch.transforms.language.extraction.gate:extract_events",
              "components": "newswatch.transforms.language.extraction.components:extract_events"}


def extractor_function(name: str):
    """The extract function of the extractor called ``name`` (a key of :data:`EXTRACTORS`)."""
    module, function = EXTRACTORS[name].split(":")
    return getattr(importlib.import_module(module), function)
