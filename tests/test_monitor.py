"""`newswatch monitor` as a real subprocess against a local site whose feed grows while it runs."""
import datetime as dt
import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from httpserver import LocalSite
from newsite import article_page, rss

COUNTRIES = [("Chile", "Peru"), ("Kenya", "Uganda"), ("Norway", "Sweden"), ("Egypt", "Greece"),
             ("Poland", "Lithuania"), ("Ghana", "Togo"), ("Spain", "Morocco"), ("Brazil", "Uruguay"),
             ("Italy", "Tunisia")]


def item(site, i):
    a, b = COUNTRIES[i]
    title = f"{a} and {b} sign defence cooperation agreement"
    path = f"/news/{i}"
    site.add(path, article_page(title, [f"{a} and {b} signed a defence cooperation agreement in the capital on "
                                        f"Monday, officials said.", "The agreement covers training and exercises."]))
    return title, path, dt.datetime(2024, 3, 13, 9, i, tzinfo=dt.timezone.utc)


def publish(site, n, version):
    site.add("/feed.xml", rss(site, [item(site, i) for i in range(n)]), content_type="application/rss+xml",
             headers={"ETag": f'"v{version}"'})


def count(db, table="articles"):
    """Count rows, opening the database only for a moment (a reader blocks the writer)."""
    for _ in range(50):
        try:
            conn = duckdb.connect(db, read_only=True)
        except duckdb.Error:
            time.sleep(0.1)
            continue
        try:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        except duckdb.CatalogException:
            return 0
        finally:
            conn.close()
    raise AssertionError("database stayed locked")


def wait_for(db, n, timeout, table="articles"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(db) and count(db, table) >= n:
            return time.monotonic()
        time.sleep(0.25)
    raise AssertionError(f"{table} did not reach {n} within {timeout} s (now {count(db, table)})")


def start_monitor(feeds, db, snapshot=None):
    cmd = [sys.executable, "-m", "newswatch.pipelines.cli", "monitor", "--feeds", feeds, "--db", db, "--interval", "2"]
    if snapshot:
        cmd += ["--snapshot", snapshot, "--snapshot-every", "1"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop(proc, timeout=15):
    t = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=timeout)
    return proc.returncode, time.monotonic() - t, out


@pytest.fixture
def site():
    with LocalSite() as s:
        yield s


def test_monitor_sees_new_items_survives_a_held_database_stops_and_resumes(tmp_path, site):
    db, snap = str(tmp_path / "m.duckdb"), str(tmp_path / "snapshot.duckdb")
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'allow_private_addresses = true\nmax_requests_per_host_per_minute = 6000\n'
                     f'[[feed]]\nname = "wire"\nurl = "{site.url("/feed.xml")}"\n'
                     f'[[feed]]\nname = "down"\nurl = "{site.url("/down.xml")}"\n', encoding="utf-8")
    site.add("/down.xml", "", status=503)  # a feed that keeps failing: recorded, backed off, never fatal
    publish(site, 2, 1)
    proc = start_monitor(str(feeds), db, snap)
    try:
        wait_for(db, 2, timeout=60)  # includes loading the model
        publish(site, 7, 2)          # the feed grows while the monitor runs
        wait_for(db, 7, timeout=20)
        assert count(db, "events") == 7
        # `newswatch sql` works while the monitor runs (it waits for the writer's lock if it must)
        sql = subprocess.run([sys.executable, "-m", "newswatch.pipelines.cli", "sql", "SELECT count(*) AS n FROM events",
                              "--format", "csv", "--db", db], capture_output=True, text=True, timeout=60)
        assert sql.returncode == 0 and sql.stdout.splitlines()[-1] == "7", sql.stderr

        # an analyst holds the database open for 10 s: the monitor keeps polling and buffering
        publish(site, 9, 3)
        held = duckdb.connect(db, read_only=True)
        time.sleep(10)
        held.close()
        wait_for(db, 9, timeout=20)
        assert count(db, "articles") == 9 and count(db, "seen_urls") == 9
        assert os.path.exists(snap) and count(snap) >= 7  # analysts' snapshot
        code, took, out = stop(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == 0 and took < 15, out
    assert "cycle:" in out and "database busy" in out
    conn = duckdb.connect(db, read_only=True)
    down = conn.execute("SELECT stage, attempts FROM ingest_errors WHERE feed = 'down'").fetchall()
    conn.close()
    assert down and down[0][0] == "fetch_feed" and down[0][1] >= 2  # retried on later cycles
    assert down[0][1] < site.hits["/feed.xml"]  # polled less often than the healthy feed: backoff

    hits = {p: n for p, n in site.hits.items() if p.startswith("/news/")}
    assert all(n == 1 for n in hits.values()) and len(hits) == 9
    before = {t: count(db, t) for t in ("articles", "events", "event_mentions", "seen_urls")}
    polls = site.hits["/feed.xml"]
    proc = start_monitor(str(feeds), db)
    try:
        deadline = time.monotonic() + 60
        while site.hits["/feed.xml"] < polls + 2 and time.monotonic() < deadline:  # restarted and polled again
            time.sleep(0.5)
        code, _, out = stop(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == 0, out
    assert {t: count(db, t) for t in before} == before
    assert {p: n for p, n in site.hits.items() if p.startswith("/news/")} == hits
