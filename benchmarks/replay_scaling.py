"""Whole-process cost of ``newswatch replay`` against the bare spaCy pipeline on the same stream, at 1x, 2x and
4x the stream, with each process's peak memory: how cost grows with the corpus.

    .venv/bin/python benchmarks/replay_scaling.py [--articles 300] [--scales 1 2 4]
                                                  [--defence-share 0.1] [--near-miss-share 0.2]

The stream mixes three kinds of real articles from tests/fixtures, spread evenly through it: ``--defence-share``
report defence cooperation (annotated positives: a monitored stream has about a tenth), ``--near-miss-share``
are the annotated ordinary news, which are near misses (domestic defence news, conflicts, arms trade, op-eds,
chosen to be hard for the extractor), and the rest is news at large (tests/fixtures/general: sport, business,
science, politics). ``--near-miss-share 0.9`` gives the mix of the earlier measurements (in another order), with no news at
large. Records are cycled to ``--articles`` at 1x (copies get new ids, so every one is extracted and stored).
Four contenders run as fresh processes, interleaved at each scale so that a slow spell of a shared machine hits
all alike: ``newswatch replay`` (with its cascade, and its extraction workers: one per core, up to 4, from 200
inputs), the same with ``--extract-processes 1``, ``newswatch replay --no-cascade`` and a Python process that
loads en_core_web_sm and runs ``nlp.pipe`` over the same texts; figures are ratios to the bare pipeline of the
same round. Peak memory is each child process tree's peak summed resident set (the replay's extraction
workers included).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "tests/fixtures/dev2/articles.jsonl", ROOT / "tests/fixtures/annotated/articles.jsonl",
           ROOT / "tests/fixtures/dev/articles.jsonl"]
GENERAL = ROOT / "tests/fixtures/general/articles.jsonl"
BARE = """
import json, sys, spacy
from newswatch.transforms.language.nlp import DEFAULT_MODEL
nlp = spacy.load(DEFAULT_MODEL)
texts = [json.loads(line).get("text") or "" for line in open(sys.argv[1], encoding="utf-8")]
for _ in nlp.pipe(texts, batch_size=16):
    pass
"""


def labelled_records() -> tuple[list[dict], list[dict]]:
    """(defence cooperation, ordinary) replay records of the annotated sets, by their gold label."""
    yes, no = [], []
    for source in SOURCES:
        gold = {}
        for line in (source.parent / "gold.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                g = json.loads(line)
                gold[g["file"]] = bool(g.get("is_defence_cooperation"))
        for line in source.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                if record.get("text") and record.get("id") in gold:
                    (yes if gold[record["id"]] else no).append(record)
    return yes, no


def general_records() -> list[dict]:
    return [json.loads(line) for line in GENERAL.read_text(encoding="utf-8").splitlines() if line.strip()]


def stream(n: int, path: Path, defence_share: float, near_miss_share: float) -> int:
    """Write ``n`` records, each kind's share spread evenly (the kind furthest behind its share comes next)."""
    yes, no = labelled_records()
    pools = [(yes, defence_share), (no, near_miss_share), (general_records(), 1.0 - defence_share - near_miss_share)]
    taken = [0, 0, 0]
    chars = 0
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            k = max(range(3), key=lambda j: (pools[j][1] * (i + 1) - taken[j], -j))
            pool = pools[k][0]
            record = dict(pool[taken[k] % len(pool)])
            taken[k] += 1
            record["id"] = f"{record.get('id', 'a')}-copy{i}"
            record.pop("url", None)  # copies are distinct articles, not updates of one URL
            chars += len(record["text"])
            f.write(json.dumps(record) + "\n")
    return chars


def parsed_articles(n: int) -> list:
    """The prepared articles of an ``n``-article stream of news at large (a tenth defence cooperation, a fifth near
    misses) that the cascade's first pass sends to the parse: what the extraction workers parse."""
    from newswatch.schemas.rows import RawArticle
    from newswatch.transforms.language.articles import prepare
    from newswatch.transforms.language.extraction import needs_parse
    from newswatch.transforms.sources.files import read_file
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stream.jsonl"
        stream(n, path, 0.1, 0.2)
        arts = [prepare(r) for r in read_file(path) if isinstance(r, RawArticle)]
    return [a for a in arts if needs_parse("rules", a)]


def run(cmd: list[str], ok=(0,)) -> tuple[float, float]:
    """(seconds, peak resident MB) of one child process with all its descendants (the extraction workers):
    the peak of their summed resident sets, sampled every 0.1 s (os.wait4 would give one process's peak)."""
    import psutil
    started = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tree, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        try:
            procs = [tree, *tree.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in procs))
        except psutil.Error:  # a process ended between listing and reading
            pass
        time.sleep(0.1)
    took = time.perf_counter() - started
    if child.returncode not in ok:
        raise SystemExit(f"{cmd[:4]} exited {child.returncode}")
    return took, peak / 2**20


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--articles", type=int, default=300)
    p.add_argument("--scales", type=int, nargs="+", default=[1, 2, 4])
    p.add_argument("--defence-share", type=float, default=0.1)
    p.add_argument("--near-miss-share", type=float, default=0.2)
    args = p.parse_args()
    if not (0 <= args.defence_share and 0 <= args.near_miss_share and args.defence_share + args.near_miss_share <= 1):
        p.error("the shares are between 0 and 1 and add up to at most 1 (the rest is news at large)")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for scale in args.scales:
            data = Path(tmp) / f"stream-{scale}.jsonl"
            chars = stream(args.articles * scale, data, args.defence_share, args.near_miss_share)
            bare_s, bare_mb = run([sys.executable, "-c", BARE, str(data)])
            timed = {}
            for name, extra in (("replay", []), ("one_process", ["--extract-processes", "1"]),
                                ("no_cascade", ["--no-cascade"])):
                db = Path(tmp) / f"{name}-{scale}.duckdb"
                timed[name] = run([sys.executable, "-m", "newswatch.pipelines.cli", "replay", str(data),
                                   "--db", str(db), "-q", *extra], ok=(0, 1))  # 1: some inputs failed
            results.append({"scale": scale, "articles": args.articles * scale, "chars": chars,
                            "defence_share": args.defence_share, "near_miss_share": args.near_miss_share,
                            "bare_spacy_s": round(bare_s, 1),
                            "replay_s": round(timed["replay"][0], 1),
                            "replay_one_process_s": round(timed["one_process"][0], 1),
                            "replay_no_cascade_s": round(timed["no_cascade"][0], 1),
                            "bare_to_replay_speedup": round(bare_s / timed["replay"][0], 2),
                            "bare_to_no_cascade_speedup": round(bare_s / timed["no_cascade"][0], 2),
                            "bare_peak_rss_mb": round(bare_mb), "replay_peak_rss_mb": round(timed["replay"][1]),
                            "one_process_peak_rss_mb": round(timed["one_process"][1]),
                            "no_cascade_peak_rss_mb": round(timed["no_cascade"][1])})
            print(json.dumps(results[-1]), flush=True)


if __name__ == "__main__":
    main()
