"""Whole-process cost of ``newswatch replay`` against the bare spaCy pipeline on the same stream, at 1x, 2x and
4x the stream, with each process's peak memory: how cost grows with the corpus.

    .venv/bin/python benchmarks/replay_scaling.py [--articles 300] [--scales 1 2 4]

The stream is realistic in mix, not in size: the annotated articles of tests/fixtures (defence cooperation
and ordinary news) plus the seeds, cycled to ``--articles`` records at 1x (copies get new ids, so every one
is extracted and stored). Both contenders run as fresh processes (``newswatch replay`` into a new database;
a Python process that loads en_core_web_sm and runs ``nlp.pipe`` over the same texts), interleaved at each
scale, so that a slow spell of a shared machine hits both alike; figures are ratios to the bare pipeline of
the same round. Peak memory is each child process's maximum resident set (os.wait4).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "tests/fixtures/dev2/articles.jsonl", ROOT / "tests/fixtures/annotated/articles.jsonl",
           ROOT / "tests/fixtures/dev/articles.jsonl"]
BARE = """
import json, sys, spacy
from newswatch.transforms.language.nlp import DEFAULT_MODEL
nlp = spacy.load(DEFAULT_MODEL)
texts = [json.loads(line).get("text") or "" for line in open(sys.argv[1], encoding="utf-8")]
for _ in nlp.pipe(texts, batch_size=16):
    pass
"""


def stream(n: int, path: Path) -> int:
    records = []
    for source in SOURCES:
        for line in source.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                if record.get("text"):
                    records.append(record)
    chars = 0
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            record = dict(records[i % len(records)])
            record["id"] = f"{record.get('id', 'a')}-copy{i}"
            record.pop("url", None)  # copies are distinct articles, not updates of one URL
            chars += len(record["text"])
            f.write(json.dumps(record) + "\n")
    return chars


def run(cmd: list[str], ok=(0,)) -> tuple[float, float]:
    """(seconds, peak resident MB) of one child process (os.wait4 gives that child's own rusage)."""
    started = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    took = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in ok:
        raise SystemExit(f"{cmd[:4]} exited {child.returncode}")
    return took, usage.ru_maxrss / 1024


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--articles", type=int, default=300)
    p.add_argument("--scales", type=int, nargs="+", default=[1, 2, 4])
    args = p.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for scale in args.scales:
            data = Path(tmp) / f"stream-{scale}.jsonl"
            chars = stream(args.articles * scale, data)
            bare_s, bare_mb = run([sys.executable, "-c", BARE, str(data)])
            db = Path(tmp) / f"replay-{scale}.duckdb"
            replay_s, replay_mb = run([sys.executable, "-m", "newswatch.pipelines.cli", "replay", str(data),
                                       "--db", str(db), "-q"], ok=(0, 1))  # 1: some inputs failed
            results.append({"scale": scale, "articles": args.articles * scale, "chars": chars,
                            "bare_spacy_s": round(bare_s, 1), "replay_s": round(replay_s, 1),
                            "replay_to_bare_ratio": round(replay_s / bare_s, 2),
                            "bare_peak_rss_mb": round(bare_mb), "replay_peak_rss_mb": round(replay_mb)})
            print(json.dumps(results[-1]), flush=True)


if __name__ == "__main__":
    main()
