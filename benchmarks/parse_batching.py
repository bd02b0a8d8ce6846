"""Does batching the parse pay? ``nlp.pipe`` in batches against one ``nlp()`` call per article, on the articles
of a replay stream that the cascade's first pass sends to the parse: what a worker of the extraction pool
would batch.

    .venv/bin/python benchmarks/parse_batching.py [--articles 600] [--batch-size 16] [--repeat 3]

The stream is replay_scaling.py's news at large (a tenth defence cooperation, a fifth near misses, the rest
general news). Both contenders run the project's own pipeline (``nlp.load_pipeline``) in this process, in
interleaved rounds; the figure is the median ratio, batched to one by one.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--articles", type=int, default=600)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    from replay_scaling import parsed_articles

    from newswatch.transforms.language.nlp import load_pipeline
    texts = [a.text for a in parsed_articles(args.articles)]
    nlp = load_pipeline()
    nlp(texts[0])  # warm up outside the timing
    single, batched = [], []
    for _ in range(args.repeat):
        t = time.perf_counter()
        for text in texts:
            nlp(text)
        single.append(time.perf_counter() - t)
        t = time.perf_counter()
        for _doc in nlp.pipe(texts, batch_size=args.batch_size):
            pass
        batched.append(time.perf_counter() - t)
    one, many = statistics.median(single), statistics.median(batched)
    print(json.dumps({"stream": args.articles, "parsed": len(texts), "chars": sum(map(len, texts)),
                      "batch_size": args.batch_size, "repeat": args.repeat, "one_by_one_s": round(one, 2),
                      "batched_s": round(many, 2), "batched_to_one_by_one": round(many / one, 3)}, indent=1))


if __name__ == "__main__":
    main()
