"""Where the time of a parsed article goes, and how much of its text a finer cascade could skip.

    .venv/bin/python benchmarks/parse_cost.py [--articles 600] [--repeat 2]

On the articles of a replay stream that the cascade's first pass sends to the parse (replay_scaling.py's news at
large: a tenth defence cooperation, a fifth near misses, the rest general news), this measures in one process:

* each component of the project's pipeline (``nlp.load_pipeline``: the model's tok2vec, tagger, parser,
  attribute ruler, lemmatizer and NER, and the project's own components), run one after the other over the
  same documents, and the rules' proposals with their learned confidence (``gate.proposals``), each as a share
  of the whole;
* the share of the text's characters in lines that meet, on their own, the conditions of some event type
  (the first pass's line test), in lines that name an actor (where the rules read a person's state and the
  parties the next sentence may point back to), and in either: what parsing only some lines of an article,
  instead of the whole article, could at best leave out.

Figures are shares within the run, not seconds: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def line_shares(arts) -> dict[str, float]:
    """Shares of characters in lines the first pass's line test passes, in lines naming an actor, in either."""
    from newswatch.transforms.language.extraction import prefilter

    actor_names = prefilter._names(bounded=True)[0]  # the gazetteer's strings as whole words
    total = reporting = naming = either = 0
    for a in arts:
        for line, passes in prefilter.line_tests(a.title, a.text):
            n = len(line)
            named = bool(actor_names.search(line))
            total += n
            reporting += n * passes
            naming += n * named
            either += n * (passes or named)
    return {"line_test": reporting / total, "names_an_actor": naming / total, "either": either / total}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--articles", type=int, default=600)
    p.add_argument("--repeat", type=int, default=2)
    args = p.parse_args()
    from replay_scaling import parsed_articles

    from newswatch.transforms.language.extraction import classifier as sentclf
    from newswatch.transforms.language.extraction import gate
    from newswatch.transforms.language.nlp import load_pipeline
    arts = parsed_articles(args.articles)
    nlp = load_pipeline()
    clf = sentclf.load_classifier()
    nlp(arts[0].text)  # warm up outside the timing
    spent: dict[str, float] = {}
    for _ in range(args.repeat):
        t = time.perf_counter()
        docs = [nlp.make_doc(a.text) for a in arts]
        spent["tokenizer"] = spent.get("tokenizer", 0.0) + time.perf_counter() - t
        for name, component in nlp.pipeline:
            t = time.perf_counter()
            docs = [component(doc) for doc in docs]
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - t
        t = time.perf_counter()
        for a, doc in zip(arts, docs):
            gate.proposals(a, doc, clf)
        spent["proposals"] = spent.get("proposals", 0.0) + time.perf_counter() - t
    whole = sum(spent.values())
    print(json.dumps({"stream": args.articles, "parsed": len(arts), "chars": sum(len(a.text) for a in arts),
                      "repeat": args.repeat,
                      "share_of_time": {k: round(v / whole, 3) for k, v in spent.items()},
                      "share_of_chars": {k: round(v, 3) for k, v in line_shares(arts).items()}}, indent=1))


if __name__ == "__main__":
    main()
