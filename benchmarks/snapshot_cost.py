"""What the analysts' snapshot costs the monitor, on databases of realistic size.

    .venv/bin/python benchmarks/snapshot_cost.py [--articles 20000 100000]

For each size, builds a database with that many articles (about 3 KB of
varied text each, one event and mention per article), then measures in the same run:
- the monitor's usual unit of work: writing one batch of 10 new articles
  through the sink (open, merge, write, close), the baseline;
- refreshing the snapshot (copy + atomic rename).
Reports seconds, the snapshot's cost as a multiple of the batch write, and
its share of a 30 s refresh period.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import pyarrow as pa

from newswatch.schemas.rows import Article, EventCandidate, ExtractedArticle, Mention
from newswatch.transforms.storage.sink import connect, refresh_snapshot, write

TEXT = ("Officials of the two countries said the defence cooperation agreement covers training, exercises "
        "and maritime security. ") * 25  # ~3 KB
CODES = ["CHL", "PER", "KEN", "UGA", "NOR", "SWE", "EGY", "GRC", "POL", "LTU", "GHA", "TGO"]


def texts(n: int) -> list[str]:
    """~3 KB of varied words per article, so the database compresses like real news, not like one string."""
    import random
    rng = random.Random(7)
    vocab = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 11))) for _ in range(20000)]
    return [" ".join(rng.choices(vocab, k=450)) for _ in range(n)]


def build(db: str, n: int) -> None:
    now = dt.datetime(2026, 1, 1)
    conn = connect(db)
    ids = [f"a{i:08d}" for i in range(n)]
    bodies = texts(n)
    articles = pa.table({"article_id": ids, "url": [f"https://example.org/{i}" for i in range(n)], "origin": ids,
                         "title": ["t"] * n, "publisher": ["p"] * n, "published_at": [now] * n,
                         "fetched_at": [now] * n, "language": ["en"] * n, "text": bodies,
                         "content_hash": ids, "source": ["feed:x"] * n, "date_source": ["feed"] * n})
    events = pa.table({"event_id": [f"e{i:08d}" for i in range(n)], "event_type": ["agreement"] * n,
                       "participants": [[CODES[i % 12], CODES[(i + 1) % 12]] for i in range(n)],
                       "event_date": [dt.date(2020, 1, 1) + dt.timedelta(days=i % 2000) for i in range(n)],
                       "date_precision": ["day"] * n, "location": [None] * n, "status": ["occurred"] * n,
                       "confidence": [0.9] * n, "article_count": [1] * n, "first_seen_at": [now] * n,
                       "last_seen_at": [now] * n, "cameo_code": ["057"] * n, "plover_type": ["AGREE"] * n,
                       "low_confidence": [False] * n})
    mentions = pa.table({"event_id": [f"e{i:08d}" for i in range(n)], "article_id": ids,
                         "evidence": [b[:200] for b in bodies], "char_start": [0] * n, "char_end": [200] * n,
                         "in_background": [False] * n, "confidence": [0.9] * n})
    for name, tbl in (("articles", articles), ("events", events), ("event_mentions", mentions)):
        conn.execute(f"INSERT INTO {name} BY NAME SELECT * FROM tbl")
    conn.close()


def batch(k: int) -> list[ExtractedArticle]:
    out = []
    for j in range(10):
        aid = f"new{k:04d}{j:02d}"
        art = Article(article_id=aid, url=f"https://example.org/new/{aid}", origin=aid, title="t", publisher="p",
                      published_at=None, fetched_at=dt.datetime(2026, 2, 1), language="en", text=TEXT,
                      content_hash=aid, source="feed:x", date_source=None)
        m = Mention("e", 0, 10, False, 0.9, dt.date(2026, 2, 1), "day", "occurred")
        ev = EventCandidate("agreement", (CODES[j % 12], CODES[(j + 5) % 12]), dt.date(2026, 2, 1), "day", None,
                            "occurred", 0.9, "057", "AGREE", [m])
        out.append(ExtractedArticle(art, [ev]))
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--articles", type=int, nargs="+", default=[20000, 100000])
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    results = []
    for n in args.articles:
        with tempfile.TemporaryDirectory() as tmp:
            db, snap = str(Path(tmp) / "db.duckdb"), str(Path(tmp) / "snap.duckdb")
            build(db, n)
            writes, snaps = [], []
            for k in range(args.repeat):
                t = time.perf_counter()
                write(db, batch(k))
                writes.append(time.perf_counter() - t)
                t = time.perf_counter()
                refresh_snapshot(db, snap)
                snaps.append(time.perf_counter() - t)
            w, s = statistics.median(writes), statistics.median(snaps)
            results.append({"articles": n, "db_mb": round(os.path.getsize(db) / 2**20, 1),
                            "batch_write_s": round(w, 3), "snapshot_s": round(s, 3),
                            "snapshot_over_batch_write": round(s / w, 2),
                            "share_of_30s_period": round(s / 30, 4)})
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
