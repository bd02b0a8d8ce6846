"""``newswatch run`` over a local site of 10 feeds x 20 pages (the replay benchmark's news-at-large stream), with
extraction in the runner's process and in two worker processes, in interleaved rounds.

    .venv/bin/python benchmarks/feedrun_workers.py [--rounds 2]

The site is the tests' real HTTP server on 127.0.0.1 (tests/httpserver.py); each run starts on a new database,
so every page is fetched and extracted. Figures are whole-process seconds, and the ratio of one to two workers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

FEEDS, PAGES = 10, 20


def main() -> None:
    import duckdb
    from httpserver import LocalSite
    from newsite import article_page, local_feeds, rss
    from replay_scaling import stream
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=2)
    args = p.parse_args()
    with LocalSite() as site, tempfile.TemporaryDirectory() as tmp:
        records = Path(tmp) / "stream.jsonl"
        stream(FEEDS * PAGES, records, 0.1, 0.2)
        recs = [json.loads(line) for line in records.read_text(encoding="utf-8").splitlines()]
        feeds = {}
        for f in range(FEEDS):
            items = []
            for i, r in enumerate(recs[f * PAGES:(f + 1) * PAGES]):
                path, title = f"/f{f}/a{i}", r.get("title") or "News"
                site.add(path, article_page(title, [line for line in r["text"].split("\n") if line.strip()]))
                items.append((title, path, dt.datetime(2023, 5, 1, 10, tzinfo=dt.timezone.utc)))
            site.add(f"/f{f}.xml", rss(site, items), content_type="application/rss+xml")
            feeds[f"feed{f}"] = site.url(f"/f{f}.xml")
        config = local_feeds(Path(tmp) / "feeds.toml", feeds)
        for n in range(args.rounds):
            took = {}
            for processes in ("1", "2"):
                db = Path(tmp) / f"{processes}-{n}.duckdb"
                started = time.perf_counter()
                done = subprocess.run([sys.executable, "-m", "newswatch.pipelines.cli", "run", "--feeds", str(config),
                                       "--db", str(db), "-q", "--extract-processes", processes],
                                      check=False, capture_output=True, text=True)
                took[processes] = time.perf_counter() - started
                if done.returncode != 0:
                    raise SystemExit(f"newswatch run exited {done.returncode}:\n{done.stderr[-2000:]}")
                with duckdb.connect(str(db), read_only=True) as conn:
                    stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
                if stored != FEEDS * PAGES:  # a run that fetched less is not the run timed
                    raise SystemExit(f"{stored} articles stored, not {FEEDS * PAGES}")
            print(json.dumps({"round": n, "pages": FEEDS * PAGES, "one_process_s": round(took["1"], 1),
                              "two_workers_s": round(took["2"], 1),
                              "one_to_two": round(took["1"] / took["2"], 2)}), flush=True)


if __name__ == "__main__":
    main()
