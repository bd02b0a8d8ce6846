"""Soak benchmark for `newswatch monitor` (not a test): memory over time and latency.

    .venv/bin/python benchmarks/monitor_soak.py --minutes 30 [--publish-every 5] [--interval 2]

Starts a local site on 127.0.0.1 whose feed gains an article every
--publish-every seconds, runs the monitor as a subprocess against it with a
snapshot, samples the monitor's resident memory every 10 s, and records for
each article the latency from its appearance in the feed to its row being
queryable. Prints a JSON report; the figures in the README come from it.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import duckdb  # noqa: E402

from httpserver import LocalSite  # noqa: E402
from newsite import article_page, rss  # noqa: E402

PAIRS = [("Chile", "Peru"), ("Kenya", "Uganda"), ("Norway", "Sweden"), ("Egypt", "Greece"), ("Poland", "Lithuania"),
         ("Ghana", "Togo"), ("Spain", "Morocco"), ("Brazil", "Uruguay"), ("Italy", "Tunisia"), ("India", "Oman")]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def stored(db: str) -> set[str]:
    try:
        conn = duckdb.connect(db, read_only=True)
    except duckdb.Error:
        return set()
    try:
        return {r[0] for r in conn.execute("SELECT url FROM articles").fetchall()}
    except duckdb.Error:
        return set()
    finally:
        conn.close()


def pct(values, q):
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 2)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--minutes", type=float, default=30)
    p.add_argument("--publish-every", type=float, default=5)
    p.add_argument("--interval", type=float, default=2)
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="newswatch-soak-"))
    db, snap = str(tmp / "soak.duckdb"), str(tmp / "snapshot.duckdb")
    with LocalSite() as site:
        items: list[tuple[str, str, object]] = []
        published_at: dict[str, float] = {}

        def publish_next():
            i = len(items)
            a, b = PAIRS[i % len(PAIRS)]
            path = f"/news/{i}"
            title = f"{a} and {b} sign defence agreement ({i})"
            site.add(path, article_page(title, [f"{a} and {b} signed a defence cooperation agreement on Monday.",
                                                f"Report number {i}: the agreement covers training."]))
            import datetime as dt
            items.append((title, path, dt.datetime.now(dt.timezone.utc)))
            site.add("/feed.xml", rss(site, items[-50:]), content_type="application/rss+xml",
                     headers={"ETag": f'"v{i}"'})
            published_at[site.url(path)] = time.monotonic()

        publish_next()
        feeds = tmp / "feeds.toml"
        feeds.write_text(f'allow_private_addresses = true\nmax_requests_per_host_per_minute = 6000\n'
                         f'[[feed]]\nname = "soak"\nurl = "{site.url("/feed.xml")}"\n', encoding="utf-8")
        proc = subprocess.Popen([sys.executable, "-m", "newswatch.pipelines.cli", "monitor", "--feeds", str(feeds),
                                 "--db", db, "--interval", str(args.interval), "--snapshot", snap],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        start = time.monotonic()
        end = start + args.minutes * 60
        memory, latency, seen = [], {}, set()
        next_publish, next_sample = start + args.publish_every, start
        while time.monotonic() < end:
            now = time.monotonic()
            if now >= next_publish:
                publish_next()
                next_publish += args.publish_every
            if now >= next_sample:
                memory.append((round(now - start), rss_kb(proc.pid) // 1024))
                next_sample += 10
            for url in stored(db) - seen:
                seen.add(url)
                if url in published_at:
                    latency[url] = time.monotonic() - published_at[url]
            time.sleep(0.25)
        t = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        stop_s = time.monotonic() - t
        first_url = site.url("/news/0")
    first_warm = [v for k, v in latency.items() if k != first_url]  # the first includes model loading
    memory = [(t, m) for t, m in memory if m > 0]
    steady = memory[len(memory) // 10:] or memory
    report = {
        "minutes": args.minutes, "published": len(items), "stored": len(seen), "interval_s": args.interval,
        "latency_s": {"p50": pct(first_warm, 0.5), "p90": pct(first_warm, 0.9), "p99": pct(first_warm, 0.99),
                      "max": round(max(first_warm), 2) if first_warm else None,
                      "first_article_incl_startup": round(latency.get(first_url, float("nan")), 2)},
        "rss_mb": {"start": memory[1][1] if len(memory) > 1 else None, "end": memory[-1][1],
                   "min_after_warmup": min(m for _, m in steady), "max_after_warmup": max(m for _, m in steady),
                   "samples": memory},
        "stop_seconds": round(stop_s, 2), "exit_code": proc.returncode,
        "db_mb": round(os.path.getsize(db) / 2**20, 1),
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
