"""`newswatch monitor` as a real subprocess against a local site whose feed grows while it runs."""
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import duckdb
import pytest

from httpserver import LocalSite
from newsite import article_page, local_feeds, rss

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


def open_read_only(db, timeout=10):
    """Open the database read-only as an analyst's client should: the monitor holds the file's lock while it
    writes, so a reader that arrives then waits for the write to end (as `newswatch sql` does)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return duckdb.connect(db, read_only=True)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def count(db, table="articles"):
    """Count rows, opening the database only for a moment (a reader blocks the writer)."""
    conn = open_read_only(db)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except duckdb.CatalogException:
        return 0
    finally:
        conn.close()


def wait_for(db, n, timeout, table="articles"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(db) and count(db, table) >= n:
            return time.monotonic()
        time.sleep(0.25)
    raise AssertionError(f"{table} did not reach {n} within {timeout} s (now {count(db, table)})")


def start_monitor(feeds, db, snapshot=None, extra=()):
    cmd = [sys.executable, "-m", "newswatch.pipelines.cli", "monitor", "--feeds", feeds, "--db", db, "--interval", "2",
           *extra]
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
    feeds = local_feeds(tmp_path / "feeds.toml", {"wire": site.url("/feed.xml"), "down": site.url("/down.xml")})
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
        held = open_read_only(db)
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
    conn = open_read_only(db)
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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(port):
    """The monitor's metrics as {name{labels}: value}."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
        text = reply.read().decode()
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
            if line and not line.startswith("#")}


def files_of(db):
    """What a write would change: the database file and its write-ahead log."""
    return {p: (os.stat(p).st_mtime_ns, os.stat(p).st_size) for p in (db, db + ".wal") if os.path.exists(p)}


def test_monitor_serves_its_metrics_while_it_runs(tmp_path, site):
    db = str(tmp_path / "m.duckdb")
    feeds = local_feeds(tmp_path / "feeds.toml", {"wire": site.url("/feed.xml"), "down": site.url("/down.xml")})
    site.add("/down.xml", "", status=503)
    publish(site, 3, 1)
    port = free_port()
    proc = start_monitor(str(feeds), db, extra=["--metrics-port", str(port)])
    try:
        wait_for(db, 3, timeout=60)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # the cycle that wrote is reported when it ends
            metrics = scrape(port)
            if metrics.get("newswatch_articles_written_total", 0) >= 3:
                break
            time.sleep(0.2)
        assert metrics["newswatch_articles_written_total"] == 3
        assert metrics["newswatch_events_new_total"] == count(db, "events") == 3
        assert metrics["newswatch_feeds_failing"] == 1
        assert metrics['newswatch_ingest_errors_total{stage="fetch_feed"}'] >= 1
        assert metrics["newswatch_feed_polls_total"] >= 2 and metrics["newswatch_cycles_total"] >= 1
        assert metrics["newswatch_rows_pending"] == 0 and metrics["newswatch_last_write_timestamp_seconds"] > 0

        code, took, out = stop(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == 0, out
    with pytest.raises(OSError):  # the metrics server stopped with the monitor
        scrape(port)


def test_a_quiet_monitor_does_not_take_the_database_lock(tmp_path, site):
    """Polls that change nothing (304, same validators) are not written one by one: readers are not blocked
    by a monitor with nothing to write. They are recorded when it stops (or with the next real write)."""
    db = str(tmp_path / "m.duckdb")
    feeds = local_feeds(tmp_path / "feeds.toml", {"wire": site.url("/feed.xml")}, feed_settings="interval = 1\n")
    publish(site, 2, 1)
    proc = start_monitor(str(feeds), db)
    try:
        wait_for(db, 2, timeout=60)
        polls = site.hits["/feed.xml"]
        while site.hits["/feed.xml"] < polls + 1:  # the first 304 after the write
            time.sleep(0.05)
        time.sleep(0.5)
        before, polls = files_of(db), site.hits["/feed.xml"]
        deadline = time.monotonic() + 20
        while site.hits["/feed.xml"] < polls + 4 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert site.hits["/feed.xml"] >= polls + 4
        time.sleep(0.5)
        assert files_of(db) == before  # four quiet polls, no write
        conn = open_read_only(db)
        polled_before_stop = conn.execute("SELECT last_polled_at FROM feed_state").fetchone()[0]
        conn.close()
        code, _, out = stop(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == 0, out
    conn = open_read_only(db)
    polled = conn.execute("SELECT last_polled_at FROM feed_state").fetchone()[0]
    conn.close()
    assert polled > polled_before_stop  # the quiet polls were recorded when it stopped


@pytest.mark.parametrize("port, message", [("70000", "must be a port from 1 to 65535"), ("x", "is not a port number"),
                                           ("taken", "cannot serve metrics on 127.0.0.1")])
def test_a_bad_metrics_port_is_a_usage_error(tmp_path, capsys, port, message):
    from newswatch.pipelines import cli
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feed]]\nname = "wire"\nurl = "http://127.0.0.1:9/feed.xml"\n', encoding="utf-8")
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        if port == "taken":
            port = str(held.getsockname()[1])
        code = cli.main(["monitor", "--feeds", str(feeds), "--db", str(tmp_path / "m.duckdb"), "--metrics-port", port])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


def test_a_trickling_feed_stalls_neither_the_other_feeds_nor_a_stop(tmp_path, site):
    """One feed's server sends a byte at a time (for ten seconds a response, and the fetch retries): the healthy
    feed's entries are stored while that response is still trickling, and SIGTERM does not wait for it."""
    from test_fetch import TricklingServer
    db = str(tmp_path / "m.duckdb")
    publish(site, 3, 1)
    with TricklingServer(in_headers=True, interval=0.2) as slow:
        feeds = local_feeds(tmp_path / "feeds.toml", {"slow": slow.url, "wire": site.url("/feed.xml")},
                            "timeout = 5\ntotal_timeout = 60\n")
        proc = start_monitor(str(feeds), db)
        try:
            deadline = time.monotonic() + 60
            while not slow.active and time.monotonic() < deadline:  # the slow poll has begun
                time.sleep(0.05)
            wait_for(db, 3, timeout=60)
            assert slow.active  # stored while the slow feed's response was still trickling
            code, took, out = stop(proc, timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert code == 0, out
    assert took < 10  # the fetch in flight is abandoned (its page is fetched after a restart), not waited for
