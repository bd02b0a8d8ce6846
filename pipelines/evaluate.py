"""``newswatch eval GOLD.jsonl [PATH ...]``: replay into a scratch database and score.

Scoring follows shared/gold/FORMAT.md (see ``evaluation/scoring.py``). PATH defaults to
the article files next to GOLD (the gold file itself excluded); when there are
none, the bundled seeds.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from newswatch.evaluation import scoring
from newswatch.pipelines import replay
from newswatch.pipelines.common import add_extraction_arguments, parse_with_beam
from newswatch.pipelines.status import EXIT_OK, EXIT_USAGE
from newswatch.transforms.sources.files import ARTICLE_SUFFIXES


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="newswatch eval", description="Score extraction against a gold file.")
    p.add_argument("gold", help="gold annotations (JSONL, shared/gold/FORMAT.md)")
    p.add_argument("paths", nargs="*", help="articles to replay (default: the files next to GOLD)")
    p.add_argument("--db", default=None, help="keep the scratch database at this path (default: a temporary file)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--min-confidence", type=float, default=0.0, help="score only events at or above this confidence")
    add_extraction_arguments(p, extractor_help="as for replay")
    return p


def default_paths(gold: Path) -> list[str]:
    folder = gold.resolve().parent
    files = [p for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
             and p.resolve() != gold.resolve() and p.name != "manifest.jsonl"]
    # a folder holding the same articles as .txt and as a .jsonl: replay the JSONL records
    jsonl = [p for p in files if p.suffix == ".jsonl" and p.parent == folder]
    if jsonl:
        return [str(p) for p in jsonl]
    return [str(p) for p in files]


def evaluate(gold_path: str, paths: list[str], db: str, *, model: str | None = None,
             pipeline_args: list[str] = (), min_confidence: float = 0.0, extractor: str = "rules",
             cascade: bool = True):
    gold = scoring.load_gold(gold_path)
    replay.run([*paths, "--db", db, "--extractor", extractor, *(["--model", model] if model else []),
                *([] if cascade else ["--no-cascade"]), *pipeline_args])
    from newswatch.transforms.storage.sink import connect
    conn = connect(db, read_only=True)
    try:
        predictions = scoring.predictions_from_db(conn)
        alerts = scoring.keyword_alerts(conn)
    finally:
        conn.close()
    report = scoring.score(gold, predictions, min_confidence=min_confidence, alerts=alerts)
    by_threshold = scoring.score_by_threshold(gold, predictions)
    return report, by_threshold


def run_eval(argv: list[str]) -> int:
    args, pipeline_args = parse_with_beam(parser(), argv)
    gold = Path(args.gold)
    if not gold.is_file():
        print(f"newswatch eval: no gold file at {gold}", file=sys.stderr)
        return EXIT_USAGE
    try:
        scoring.load_gold(gold)
    except ValueError as exc:
        print(f"newswatch eval: {exc}", file=sys.stderr)
        return EXIT_USAGE
    paths = args.paths or default_paths(gold) or []
    with tempfile.TemporaryDirectory(prefix="newswatch-eval-") as tmp:
        db = args.db or str(Path(tmp) / "eval.duckdb")
        if args.db and Path(args.db).exists():
            print(f"newswatch eval: {args.db} exists; eval needs a fresh database", file=sys.stderr)
            return EXIT_USAGE
        report, by_threshold = evaluate(str(gold), paths, db, model=args.model, pipeline_args=pipeline_args,
                                        min_confidence=args.min_confidence, extractor=args.extractor,
                                        cascade=args.cascade)
    if args.format == "json":
        json.dump(scoring.report_to_dict(report, by_threshold=by_threshold), sys.stdout, indent=1)
        print()
    else:
        print(scoring.format_report(report, by_threshold=by_threshold))
    return EXIT_OK
