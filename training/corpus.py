"""The annotated corpus and its fixed dev/test split.

Sets (all in the gold format of FORMAT.md, with replay records beside them):

- ``tests/fixtures/dev``: 28 articles (shared/dev);
- ``tests/fixtures/dev2``: 60 articles, a realistic stream (shared/dev2);
- ``tests/fixtures/annotated``: articles annotated for this project from the
  stored public pages (see its README).

The split rule, fixed once and never changed: articles that share a gold event
id form one group (a same-event pair is never cut in two); a group whose
smallest file name has ``sha256(name) % 100 < TEST_PERCENT`` is **test**, the
rest **dev**. The seed articles are fixtures with tests of their own and are
always dev. Tune on dev only; the test split is reported, never tuned to.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SETS = {
    "dev": (FIXTURES / "dev" / "gold.jsonl", FIXTURES / "dev" / "articles.jsonl"),
    "dev2": (FIXTURES / "dev2" / "gold.jsonl", FIXTURES / "dev2" / "articles.jsonl"),
    "annotated": (FIXTURES / "annotated" / "gold.jsonl", FIXTURES / "annotated" / "articles.jsonl"),
}
SEEDS = (FIXTURES / "seeds.gold.jsonl", ROOT / "seeds")
TEST_PERCENT = 45


@dataclass(frozen=True)
class GoldArticle:
    set_name: str
    gold: dict
    records_path: Path

    @property
    def file(self) -> str:
        return self.gold["file"]


def read_gold(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load(include_seeds: bool = True) -> list[GoldArticle]:
    out = []
    for name, (gold, records) in SETS.items():
        if gold.is_file():
            out.extend(GoldArticle(name, g, records) for g in read_gold(gold))
    if include_seeds:
        out.extend(GoldArticle("seeds", g, SEEDS[1]) for g in read_gold(SEEDS[0]))
    return out


def bucket(key: str, buckets: int = 100) -> int:
    """A fixed bucket of ``key`` among ``buckets``, by its sha256: the split's rule, and the training folds' and
    samples' (training/train.py)."""
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16) % buckets


def split(articles: list[GoldArticle]) -> dict[str, str]:
    """file -> 'dev' | 'test', by the rule in the module docstring."""
    parent: dict[str, str] = {a.file: a.file for a in articles}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_event: dict[str, str] = {}
    for a in articles:
        for e in a.gold.get("events", []):
            first = by_event.setdefault(f"{a.set_name}:{e['id']}", a.file)
            ra, rb = find(first), find(a.file)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for a in articles:
        groups.setdefault(find(a.file), []).append(a.file)
    seeds = {a.file for a in articles if a.set_name == "seeds"}
    out = {}
    for members in groups.values():
        key = min(members)
        side = "dev" if seeds & set(members) else ("test" if bucket(key) < TEST_PERCENT else "dev")
        for f in members:
            out[f] = side
    return out


def write_split_files(folder: Path, articles: list[GoldArticle] | None = None) -> dict[str, int]:
    """gold and replay records of each split, as ``{dev,test}.gold.jsonl`` and ``{dev,test}.articles.jsonl``."""
    articles = articles if articles is not None else load(include_seeds=False)
    sides = split(articles)
    records: dict[Path, dict[str, dict]] = {}
    for a in articles:
        if a.records_path not in records:
            records[a.records_path] = {json.loads(x)["id"]: json.loads(x) for x in
                                       a.records_path.read_text(encoding="utf-8").splitlines() if x.strip()}
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for side in ("dev", "test"):
        chosen = [a for a in articles if sides[a.file] == side]
        (folder / f"{side}.gold.jsonl").write_text(
            "".join(json.dumps(a.gold, ensure_ascii=False) + "\n" for a in chosen), encoding="utf-8")
        (folder / f"{side}.articles.jsonl").write_text(
            "".join(json.dumps(records[a.records_path][a.file], ensure_ascii=False) + "\n" for a in chosen),
            encoding="utf-8")
        counts[side] = len(chosen)
    return counts
