"""Extraction cost of each extractor as a ratio to the bare spaCy pipeline on the same texts.

    .venv/bin/python benchmarks/extraction.py [--repeat 5]

Measured in one run on the same machine, so the ratios hold on shared, noisy
machines where absolute seconds do not. Texts: the shared dev2 stream (half
ordinary news) and the seeds (tests/fixtures/dev2/articles.jsonl, seeds/).
Extractors: ``rules-only`` (the rule extractor's own decision and confidence,
as before the learned model), and the three of ``--extractor``.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from pathlib import Path

import spacy

from newswatch.transforms.language.articles import prepare
from newswatch.transforms.language.extraction import EXTRACTORS, extractor_function, rules
from newswatch.transforms.language.nlp import DEFAULT_MODEL, load_pipeline
from newswatch.transforms.sources.files import read_inputs

ROOT = Path(__file__).resolve().parents[1]


def articles():
    paths = [ROOT / "tests/fixtures/dev2/articles.jsonl", ROOT / "seeds"]
    return [prepare(r) for r in read_inputs(paths) if hasattr(r, "origin") and not hasattr(r, "stage")]


def timed(fn, repeat):
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    arts = articles()
    texts = [a.text for a in arts]
    bare = spacy.load(DEFAULT_MODEL)
    nlp = load_pipeline()
    # every article parsed: this measures the extractors; the cascade's savings are replay_scaling.py's
    extractors = {"rules-only": rules.extract_events,
                  **{name: extractor_function(name, cascade=False) for name in EXTRACTORS}}
    for extract in extractors.values():
        extract(arts[0], nlp)  # load the classifier and weights outside the timing
    # interleaved rounds, so that a slow spell of a shared machine hits every contender alike
    runs: dict[str, list[float]] = {"bare": [], **{name: [] for name in extractors}}
    for _ in range(args.repeat):
        runs["bare"].append(timed(lambda: [bare(t) for t in texts], 1))
        for name, extract in extractors.items():
            runs[name].append(timed(lambda: [extract(a, nlp) for a in arts], 1))
    base = statistics.median(runs["bare"])
    result = {"articles": len(arts), "chars": sum(map(len, texts)), "repeat": args.repeat,
              "bare_spacy_s": round(base, 3)}
    for name in extractors:
        took = statistics.median(runs[name])
        result[f"{name}_s"] = round(took, 3)
        result[f"{name}_ratio_to_bare_spacy"] = round(took / base, 2)
    result["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
