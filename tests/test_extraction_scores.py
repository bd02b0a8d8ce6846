"""Pinned scores of the extractors on the dev and test splits (in process, per article, no merging), and the
calibration of the learned confidence.

A change that moves them must update the pins knowingly, with the README's figures. The test split is
reported, never tuned to (training/corpus.py).
"""

from __future__ import annotations

import functools

import pytest

from newswatch.evaluation import scoring
from newswatch.transforms.language.extraction import classifier as sentclf
from newswatch.transforms.language.extraction import gate
from training import corpus, train

# (TP, FP, FN) measured 2026-11-28 (rules on dev, and hybrid after the gate's article features: 2026-11-29) with
# the shipped classifier and weights (dev 387 articles with the seeds, test 288)
PINNED_COMPONENTS = {"dev": (191, 173, 45), "test": (116, 126, 79)}
# the rules' proposals with the learned confidence: all of them (default extractor), and those at >= 0.3 (hybrid)
PINNED_RULES = {"dev": (194, 81, 42), "test": (123, 107, 72)}
PINNED_HYBRID = {"dev": (193, 37, 43), "test": (118, 59, 77)}


@functools.cache
def _pairs(side):
    articles = corpus.load()
    sides = corpus.split(articles)
    return train.articles_for([a for a in articles if sides[a.file] == side])


@functools.cache
def _scored_rules(nlp, side):
    """Every proposal of the rules, with the shipped gate's probability as confidence."""
    return train.predict(_pairs(side), nlp, sentclf.load_classifier(), extractor="hybrid", weights=gate.weights(),
                         threshold=0.0)


def _gold(side):
    return [g for g, _ in _pairs(side)]


@pytest.mark.parametrize("side", ["dev", "test"])
def test_component_extractor_scores_are_pinned(trained_nlp, side):
    report = scoring.score(_gold(side), train.predict(_pairs(side), trained_nlp, None))
    assert (report.tp, report.fp, report.fn) == PINNED_COMPONENTS[side]


@pytest.mark.parametrize("side", ["dev", "test"])
def test_rule_and_hybrid_scores_are_pinned(trained_nlp, side):
    preds = _scored_rules(trained_nlp, side)
    everything = scoring.score(_gold(side), preds)
    kept = scoring.score(_gold(side), preds, min_confidence=gate.DECIDE)
    assert (everything.tp, everything.fp, everything.fn) == PINNED_RULES[side]
    assert (kept.tp, kept.fp, kept.fn) == PINNED_HYBRID[side]


def _right_share(report, low, high):
    right = sum(1 for m in report.true_positives if low <= m.confidence < high)
    wrong = sum(1 for m in report.false_positives if low <= m.confidence < high)
    return right / (right + wrong) if right + wrong else None


@pytest.mark.parametrize("side", ["dev", "test"])
def test_learned_confidence_separates_right_from_wrong(trained_nlp, side):
    """Confident events are right far more often than doubtful ones, on the split never tuned to as well; a
    constant or random confidence fails this."""
    report = scoring.score(_gold(side), _scored_rules(trained_nlp, side))
    high, low = _right_share(report, gate.DECIDE, 1.01), _right_share(report, 0.0, gate.DECIDE)
    assert high is not None and low is not None
    assert high >= low + 0.3


@pytest.mark.parametrize("side", ["dev", "test"])
def test_confident_events_are_right_at_least_that_often(trained_nlp, side):
    """Calibration where it matters (issue 8): events at >= 0.8 are right at least 80 % of the time, on the
    split never tuned to as well."""
    report = scoring.score(_gold(side), _scored_rules(trained_nlp, side))
    assert _right_share(report, 0.8, 1.01) >= 0.8
