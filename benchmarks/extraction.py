"""Extraction cost as a ratio to the bare spaCy pipeline on the same texts.

    .venv/bin/python benchmarks/extraction.py [--repeat 3]

Measured in one run on the same machine, so the ratio holds on shared, noisy
machines where absolute seconds do not. Texts: the development set and the
seeds (tests/fixtures/dev/articles.jsonl, seeds/).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from pathlib import Path

import spacy

from newswatch.transforms.articles import prepare
from newswatch.transforms.extract import extract_events
from newswatch.transforms.nlp import DEFAULT_MODEL, load_pipeline
from newswatch.transforms.records import read_inputs

ROOT = Path(__file__).resolve().parents[1]


def articles():
    paths = [ROOT / "tests/fixtures/dev/articles.jsonl", ROOT / "seeds"]
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
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    arts = articles()
    texts = [a.text for a in arts]
    bare = spacy.load(DEFAULT_MODEL)
    nlp = load_pipeline()
    base = timed(lambda: [bare(t) for t in texts], args.repeat)
    full = timed(lambda: [extract_events(a, nlp) for a in arts], args.repeat)
    result = {"articles": len(arts), "chars": sum(map(len, texts)),
              "bare_spacy_s": round(base, 3), "newswatch_extract_s": round(full, 3),
              "ratio_to_bare_spacy": round(full / base, 2),
              "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
