"""``make train``: train the sentence classifier and fit the decision models on the dev split.

    python -m training.train            # train, fit, write transforms/language/data/{sentclf,confidence.json,gate.json}
    python -m training.train --score    # score the shipped component model on the dev split (no merging)
    python -m training.train --cv --extractor hybrid   # 4-fold cross-validation within dev (how to tune)

Deterministic: a fixed seed and the fixed split of :mod:`training.corpus`.
The test split is never read here.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from newswatch.evaluation import scoring
from newswatch.schemas import event_types
from newswatch.schemas.rows import RawArticle
from newswatch.transforms.language.articles import prepare
from newswatch.transforms.language.extraction import classifier as sentclf
from newswatch.transforms.language.extraction import confidence, gate
from newswatch.transforms.sources.files import read_inputs
from training import corpus

ROOT = Path(__file__).resolve().parent.parent
MODEL_OUT = ROOT / "transforms" / "language" / sentclf.MODEL_DIR
CONF_OUT = ROOT / "transforms" / "language" / confidence.WEIGHTS_FILE
GATE_OUT = ROOT / "transforms" / "language" / gate.WEIGHTS_FILE
SEED = 0
# the sentence classifier's architecture (classifier.ARCHITECTURES); --arch overrides it for an experiment
ARCH = "bow"
FOLDS = 4
LABELS = [*event_types(), sentclf.ANY]


def articles_for(gold_articles: list[corpus.GoldArticle]):
    """(gold, Article) pairs, read through the same reader and preparation as a replay."""
    wanted: dict[Path, dict[str, dict]] = {}
    for a in gold_articles:
        wanted.setdefault(a.records_path, {})[a.file] = a.gold
    out = []
    for path, golds in wanted.items():
        for raw in read_inputs([path]):
            if isinstance(raw, RawArticle) and raw.origin in golds:
                out.append((golds[raw.origin], prepare(raw)))
    return out


def sentence_examples(pairs, nlp) -> list[tuple[str, set[str]]]:
    """(masked sentence, types) for every sentence of the articles; types from the gold evidence it holds."""
    examples = []
    for gold, article in pairs:
        doc = nlp(article.text)
        spans = []
        for e in gold.get("events", []):
            ev = e.get("evidence") or ""
            start = article.text.find(ev) if ev else -1
            if start >= 0:
                spans.append((start, start + len(ev), {e["type"], *e.get("alt_types", [])}))
        for sent in doc.sents:
            if not sent.text.strip():
                continue
            cats = set()
            for s, t, types in spans:
                if s < sent.end_char and sent.start_char < t:
                    cats |= types
            examples.append((sentclf.masked(sent), cats | ({sentclf.ANY} if cats else set())))
    return examples


def predict(pairs, nlp, clf, *, use_classifier=True, weights=None,
            extractor: str = "components", threshold: float | None = None) -> dict[str, list[scoring.Prediction]]:
    """Per gold file, an extractor's events as scoring predictions (per article, no merging)."""
    from newswatch.transforms.language.extraction import rules
    from newswatch.transforms.language.extraction.components import extract_mentions, group_mentions, to_candidates
    preds: dict[str, list[scoring.Prediction]] = {}
    for gold, article in pairs:
        doc = nlp(article.text)
        if extractor == "rules":
            cands = rules.to_candidates(rules.group_mentions(rules.extract_mentions(article, doc)))
        elif extractor == "hybrid":
            cands = rules.to_candidates(gate.decide(gate.proposals(article, doc, clf), weights,
                                                   gate.DECIDE if threshold is None else threshold),
                                        repeat_bonus=0.0)
        else:
            mentions = extract_mentions(article, doc, use_classifier=use_classifier, clf=clf, weights=weights)
            cands = to_candidates(group_mentions(mentions))
        preds[gold["file"]] = [scoring.Prediction(f"{gold['file']}#{i}", c.event_type, c.participants, c.event_date,
                                                  c.date_precision, c.mentions[0].evidence, c.confidence)
                               for i, c in enumerate(cands)]
    return preds


def candidate_rows(pairs, nlp, clf_for) -> list[tuple[str, dict, bool]]:
    """(type, features, right) for every candidate the rules produce, before the decision; ``clf_for(file)`` is
    the sentence classifier whose probabilities the candidate carries (one not trained on that article)."""
    from newswatch.transforms.language.extraction.components import extract_mentions
    rows = []
    for gold, article in pairs:
        doc = nlp(article.text)
        for m in extract_mentions(article, doc, clf=clf_for(gold["file"]), gate=False,
                                  weights=confidence.PRIOR):
            pred = scoring.Prediction("x", m.event_type, m.participants, m.date.value if m.date else None,
                                      m.date.precision if m.date else None)
            ok = any(scoring.compatible(pred, e) for e in gold.get("events", []))
            rows.append((m.event_type, m.features, ok))
    return rows


def fit_confidence(rows, *, l2: float = 1.0, steps: int = 3000, lr: float = 0.5) -> dict:
    """The component extractor's decision model over its candidate rows."""
    return fit_logistic([confidence.feature_map(t, f) for t, f, _ in rows], [ok for _, _, ok in rows],
                        l2=l2, steps=steps, lr=lr)


def fit_logistic(maps: list[dict[str, float]], labels: list[bool], *, l2: float = 1.0, steps: int = 3000,
                 lr: float = 0.5) -> dict:
    """Logistic regression over sparse named features, by full-batch gradient descent with L2."""
    import numpy as np
    names = sorted({k for m in maps for k in m})
    index = {k: i for i, k in enumerate(names)}
    x = np.zeros((len(maps), len(names)))
    for r, m in enumerate(maps):
        for k, v in m.items():
            x[r, index[k]] = v
    y = np.array([1.0 if ok else 0.0 for ok in labels])
    w = np.zeros(len(names))
    b = 0.0
    n = max(1, len(y))
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        g = p - y
        w -= lr * (x.T @ g / n + l2 * w / n)
        b -= lr * g.mean()
    return {"bias": round(float(b), 4),
            "weights": {k: round(float(v), 4) for k, v in zip(names, w) if abs(v) >= 1e-4},
            "rows": len(maps), "positives": int(y.sum())}


def gate_rows(pairs, nlp, clf_for) -> dict[str, list[tuple[dict, bool]]]:
    """Per article, (named features, right) for every event the rule extractor proposes; ``clf_for(file)`` is a
    sentence classifier not trained on that article. Right = paired with a required gold event in the scorer's
    own pairing; a proposal paired with a non-required one teaches nothing and is left out."""
    out = {}
    for g, article in pairs:
        proposed = gate.proposals(article, nlp(article.text), clf_for(g["file"]))
        preds = [scoring.Prediction(str(i), grp.event_type, grp.participants, grp.date.value if grp.date else None,
                                    grp.date.precision if grp.date else None)
                 for i, (grp, _) in enumerate(proposed)]
        gold_events = g.get("events", [])
        paired = dict(scoring.pair_article(preds, gold_events))
        rows = []
        for i, (grp, f) in enumerate(proposed):
            j = paired.get(i)
            if j is not None and not gold_events[j].get("required"):
                continue
            rows.append((gate.feature_map(grp.event_type, f), j is not None))
        out[g["file"]] = rows
    return out


# L2 strength of the hybrid gate's logistic model (--gate-l2 tries another inside --cv)
GATE_L2 = 1.0


def fit_gate(rows_by_file: dict[str, list], files, l2: float = GATE_L2) -> dict:
    rows = [r for f in files for r in rows_by_file[f]]
    return fit_logistic([m for m, _ in rows], [ok for _, ok in rows], l2=l2)


def _folds(pairs, folds: int, seed: int = 0) -> dict[str, int]:
    """Each article's fold, by a hash of its file name (with ``seed`` other than 0: of the seed and the name, another
    partition, to tell a gain from fold noise)."""
    return {g["file"]: corpus.bucket(f"{seed}:{g['file']}" if seed else g["file"], folds) for g, _ in pairs}


def learning_curve_sample(files: list[str], share: float) -> set[str]:
    """The articles a learning curve trains on: about ``share`` of ``files``, chosen by a hash of the file name, so
    the same at every run and a smaller share's articles inside a larger one's."""
    return {f for f in files if corpus.bucket(f"share:{f}", 1000) < share * 1000}


def cross_fitted_rows(pairs, nlp, examples_of, folds: int, epochs: int, architecture: str = ARCH):
    """Candidate rows whose classifier probabilities come from a classifier trained without that article."""
    fold_of = _folds(pairs, folds)
    clfs = {}
    for k in range(folds):
        train_ex = [ex for g, _ in pairs if fold_of[g["file"]] != k for ex in examples_of[g["file"]]]
        clfs[k] = sentclf.train(train_ex, LABELS, epochs=epochs, seed=SEED, architecture=architecture)
    rows = candidate_rows(pairs, nlp, lambda f: clfs[fold_of[f]])
    return rows, clfs, fold_of


def _share(value: str) -> float:
    """argparse type of --train-share: a share above 0, at most 1."""
    try:
        share = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not 0.0 < share <= 1.0:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 1, not {value}")
    return share


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.train")
    ap.add_argument("--score", action="store_true", help="only score the shipped model on the dev split")
    ap.add_argument("--rules-only", action="store_true", help="with --score: without the classifier")
    ap.add_argument("--cv", action="store_true", help="only cross-validate within the dev split")
    ap.add_argument("--extractor", choices=("rules", "components", "hybrid"), default="hybrid",
                    help="with --cv: which extractor")
    ap.add_argument("--threshold", type=float, default=None,
                    help="with --cv --extractor hybrid: keep proposals from this probability (default: the shipped "
                         "one), so that the table by threshold also shows lower ones")
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--arch", choices=sorted(sentclf.ARCHITECTURES), default=ARCH,
                    help="the sentence classifier's architecture")
    ap.add_argument("--gate-l2", type=float, default=GATE_L2, help="with --cv: the hybrid gate's L2 strength")
    ap.add_argument("--fold-seed", type=int, default=0,
                    help="with --cv: another partition into folds (a gain that holds on several is no fold noise)")
    ap.add_argument("--train-share", type=_share, default=1.0,
                    help="with --cv: train on this share of each fold's training articles (a learning curve: "
                         "would more annotated articles help?)")
    args = ap.parse_args(argv)
    if args.cv:
        cross_validate(epochs=args.epochs, extractor=args.extractor, threshold=args.threshold,
                       architecture=args.arch, gate_l2=args.gate_l2, fold_seed=args.fold_seed,
                       train_share=args.train_share)
        return 0

    from newswatch.transforms.language.nlp import load_pipeline
    nlp = load_pipeline()
    everything = corpus.load()
    sides = corpus.split(everything)
    dev = [a for a in everything if sides[a.file] == "dev"]
    pairs = articles_for(dev)
    print(f"dev split: {len(pairs)} articles ({len(everything) - len(dev)} test articles left unread)",
          file=sys.stderr)
    if args.score:
        clf = None if args.rules_only else sentclf.load_classifier()
        report = scoring.score([g for g, _ in pairs], predict(pairs, nlp, clf, use_classifier=not args.rules_only))
        print(scoring.format_report(report))
        return 0

    examples_of = {g["file"]: sentence_examples([(g, a)], nlp) for g, a in pairs}
    examples = [ex for exs in examples_of.values() for ex in exs]
    print(f"training on {len(examples)} sentences, {sum(1 for _, c in examples if c)} with events", file=sys.stderr)
    rows, clfs, fold_of = cross_fitted_rows(pairs, nlp, examples_of, FOLDS, args.epochs, args.arch)
    fitted = fit_confidence(rows)
    gate_by_file = gate_rows(pairs, nlp, lambda f: clfs[fold_of[f]])
    gated = fit_gate(gate_by_file, list(gate_by_file))
    clf = sentclf.train(examples, LABELS, epochs=args.epochs, seed=SEED, architecture=args.arch)
    if MODEL_OUT.exists():
        shutil.rmtree(MODEL_OUT)
    clf.to_disk(MODEL_OUT)
    CONF_OUT.write_text(json.dumps(fitted, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    GATE_OUT.write_text(json.dumps(gated, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"hybrid gate fit on {gated['rows']} proposals of the rules ({gated['positives']} right) -> "
          f"{GATE_OUT.relative_to(ROOT)}", file=sys.stderr)
    print(f"classifier -> {MODEL_OUT.relative_to(ROOT)}; decision and confidence fit on {fitted['rows']} "
          f"candidates ({fitted['positives']} right) -> {CONF_OUT.relative_to(ROOT)}", file=sys.stderr)
    return 0



def cross_validate(folds: int = FOLDS, epochs: int = 12, extractor: str = "components",
                   threshold: float | None = None, architecture: str = ARCH,
                   gate_l2: float = GATE_L2, fold_seed: int = 0, train_share: float = 1.0) -> scoring.Report:
    """Tune on dev without reading test: each dev fold is predicted by a classifier and a decision model fit on
    the other folds only (``extractor``: components, hybrid, or rules, which learns nothing)."""
    from newswatch.transforms.language.nlp import load_pipeline
    nlp = load_pipeline()
    everything = corpus.load()
    sides = corpus.split(everything)
    pairs = articles_for([a for a in everything if sides[a.file] == "dev"])
    examples_of = {g["file"]: sentence_examples([(g, a)], nlp) for g, a in pairs}
    fold_of = _folds(pairs, folds, fold_seed)
    kept = learning_curve_sample([g["file"] for g, _ in pairs], train_share)
    clfs = {k: sentclf.train([ex for g, _ in pairs if fold_of[g["file"]] != k and g["file"] in kept
                              for ex in examples_of[g["file"]]],
                             LABELS, epochs=epochs, seed=SEED, architecture=architecture) for k in range(folds)}
    preds: dict = {}
    files = [g["file"] for g, _ in pairs]
    if extractor == "components":
        per_file_rows = candidate_rows_by_file(pairs, nlp, lambda f: clfs[fold_of[f]])
    elif extractor == "hybrid":
        per_file_rows = gate_rows(pairs, nlp, lambda f: clfs[fold_of[f]])
    for k in range(folds):
        held = [(g, a) for g, a in pairs if fold_of[g["file"]] == k]
        train_files = [f for f in files if fold_of[f] != k and f in kept]
        if extractor == "components":
            w = fit_confidence([r for f in train_files for r in per_file_rows[f]])
        elif extractor == "hybrid":
            w = fit_gate(per_file_rows, train_files, gate_l2)
        else:
            w = None
        preds.update(predict(held, nlp, clfs[k], weights=w, extractor=extractor, threshold=threshold))
    report = scoring.score([g for g, _ in pairs], preds)
    by_threshold = scoring.score_by_threshold([g for g, _ in pairs], preds,
                                              thresholds=(0.0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9))
    print(scoring.format_report(report, by_threshold=by_threshold).split("Misflagged")[0])
    return report


def candidate_rows_by_file(pairs, nlp, clf_for) -> dict[str, list]:
    return {g["file"]: candidate_rows([(g, a)], nlp, clf_for) for g, a in pairs}


if __name__ == "__main__":
    sys.exit(main())
