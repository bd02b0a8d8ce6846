"""How sure a candidate event is, and whether it is reported at all: a logistic model over its features.

Every trigger the rules turn into a candidate (parties found, modality not
negated or speculative) gets a probability from a logistic model over general
features: the sentence classifier's probabilities, the trigger's type, lemma
and part of speech, how the parties were found, whether it is dated, in the
lead, planned or background. ``make train`` fits it on the development split
(``training/train.py``: candidates paired with the gold) and stores the weights
in ``data/confidence.json``. A candidate at or above :data:`DECIDE` is an
event, and its probability is its ``confidence``. Without fitted weights a
neutral prior is used. ``newswatch eval`` prints the reliability table that
checks the calibration on any gold file.
"""

from __future__ import annotations

import functools
import json
import math
from importlib import resources

WEIGHTS_FILE = "data/confidence.json"
# Probability from which a candidate is reported as an event.
DECIDE = 0.5


def feature_map(event_type: str, f: dict) -> dict[str, float]:
    """Named feature values of one candidate (sparse: absent means 0)."""
    out = {
        "p_any": float(f.get("p", 0.0)),
        "p_type": float(f.get("p_type", 0.0)),
        f"type={event_type}": 1.0,
        f"lemma={event_type}|{f.get('lemma', '')}": 1.0,
        f"pos={f.get('pos', '')}": 1.0,
        "implied": float(bool(f.get("implied"))),
        "dated": float(bool(f.get("dated"))),
        "defence": float(bool(f.get("defence"))),
        "many_parties": float(f.get("parties", 0) > 2),
        "org_party": float(bool(f.get("org"))),
        "planned": float(bool(f.get("planned"))),
        "background": float(bool(f.get("background"))),
        "lead": float(bool(f.get("lead"))),
        "host_party": float(bool(f.get("host"))),
        "other_types": float(f.get("n_types", 1) > 1),
    }
    return out


# The neutral prior: used before any fit, and to rank the candidates that training pairs with the gold (so that
# a fit never depends on the weights of an earlier one).
PRIOR = {"bias": 0.0, "weights": {"p_any": 2.0, "p_type": 1.0, "defence": 0.5, "implied": -0.5, "dated": 0.3}}


@functools.cache
def weights() -> dict:
    path = resources.files("newswatch.transforms.language").joinpath(WEIGHTS_FILE)
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    return PRIOR


def probability(named: dict[str, float], w: dict) -> float:
    """The logistic model ``w`` ({"bias", "weights"}) applied to named feature values."""
    table = w["weights"]
    z = w["bias"] + sum(table.get(k, 0.0) * v for k, v in named.items())
    z = max(-30.0, min(30.0, z))
    return round(1.0 / (1.0 + math.exp(-z)), 3)


def score(event_type: str, features: dict, w: dict | None = None) -> float:
    return probability(feature_map(event_type, features), w if w is not None else weights())


def combine(values: list[float]) -> float:
    """An event told by several mentions: its best mention's confidence."""
    return max(values)
