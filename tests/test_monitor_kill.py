"""SIGKILL of the monitor at random moments of a burst, then restarts, equals a clean run (issue 11).

The burst holds odd entries: a link-less entry, a page that is gone (404), a page that is not HTML, one
that keeps failing (503) and two entries linking to the same page. Writes are made every three rows, so the
kills land between writes of one burst, and a kill comes at once if a page is ever seen marked done without
its article (the crash window this test closes).
"""
import datetime as dt
import html
import os
import random
import signal
import subprocess
import sys
import time
from email.utils import format_datetime

import pytest

from httpserver import LocalSite
from newsite import article_page, local_feeds
from test_monitor import open_read_only

N_PAGES = 24
TOWNS = ["Arden", "Bel", "Corran", "Dunmore", "Esk", "Fenwick", "Garra", "Holm"]


def burst_feed(site) -> str:
    when = dt.datetime(2024, 3, 13, 9, 0, tzinfo=dt.timezone.utc)
    items = []
    for i in range(N_PAGES):
        path = f"/news/{i}"
        site.add(path, article_page(f"Report {i}", [f"The {TOWNS[i % 8]} council met on day {i} to discuss the "
                                                    "budget for roads, schools and the harbour.",
                                                    f"Item {i}: the vote was postponed to the next session."]))
        items.append((f"Report {i}", site.url(path)))
    site.add("/gone", "", status=404)
    site.add("/binary", b"\x00\x01" * 400, content_type="application/octet-stream")
    site.add("/flaky", "", status=503)
    items += [("Gone", site.url("/gone")), ("Binary", site.url("/binary")), ("Flaky", site.url("/flaky")),
              ("Again report 3", site.url("/news/3")), ("No link", None)]
    entries = "".join(
        f"<item><title>{html.escape(t)}</title>{f'<link>{u}</link><guid>{u}#{k}</guid>' if u else ''}"
        f"<pubDate>{format_datetime(when + dt.timedelta(minutes=k))}</pubDate></item>"
        for k, (t, u) in enumerate(items))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title>'
            f"<link>{site.url('/')}</link><description>d</description>{entries}</channel></rss>")


def start(feeds, db):
    return subprocess.Popen([sys.executable, "-m", "newswatch.pipelines.cli", "monitor", "--feeds", str(feeds),
                             "--db", db, "--interval", "1", "--batch-rows", "3"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def state(db):
    if not os.path.exists(db):
        return None
    conn = open_read_only(db)
    try:
        return {
            "articles": sorted(conn.execute("SELECT url, content_hash FROM articles").fetchall()),
            "seen": sorted(conn.execute("SELECT url, status, article_id IS NOT NULL FROM seen_urls").fetchall()),
            "errors": sorted(conn.execute("SELECT origin, url, stage, error FROM ingest_errors").fetchall()),
            # pages marked done (fetched) of which no article is stored: never fetched again, so lost
            "lost": conn.execute("SELECT count(*) FROM seen_urls s WHERE s.status = 'fetched' AND NOT EXISTS "
                                 "(SELECT 1 FROM articles a WHERE a.article_id = s.article_id OR a.url = s.url)"
                                 ).fetchone()[0],
            "polled": conn.execute("SELECT max(last_polled_at) FROM feed_state").fetchone()[0],
        }
    except Exception:  # noqa: BLE001 - the tables are not there yet
        return None
    finally:
        conn.close()


def settled(db, timeout, polled_after=None):
    """Wait until every page of the burst is accounted for (stored, or failed: the 503 page once its retries
    are spent), and the feed was polled after ``polled_after`` (a restart has run, not only started), then a
    little longer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = state(db)
        if now and len(now["articles"]) == N_PAGES and len(now["seen"]) >= N_PAGES + 2 and any(
                stage == "fetch_page" and (url or "").endswith("/flaky") for _, url, stage, _ in now["errors"]) and (
                polled_after is None or (now["polled"] and now["polled"] >= polled_after)):
            time.sleep(1.5)
            return state(db)
        time.sleep(0.2)
    raise AssertionError(f"the burst was not stored within {timeout} s: {state(db)}")


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out


@pytest.fixture
def site():
    with LocalSite() as s:
        yield s


def test_sigkill_at_random_moments_then_restart_equals_a_clean_run(tmp_path, site):
    site.add("/feed.xml", burst_feed(site), content_type="application/rss+xml")
    feeds = local_feeds(tmp_path / "feeds.toml", {"wire": site.url("/feed.xml")})
    clean_db = str(tmp_path / "clean.duckdb")
    proc = start(feeds, clean_db)
    try:
        clean = settled(clean_db, 90)
    finally:
        stop(proc)
    assert clean["lost"] == 0 and len(clean["articles"]) == N_PAGES

    killed_db = str(tmp_path / "killed.duckdb")
    rnd = random.Random(11)
    for _ in range(3):
        proc = start(feeds, killed_db)
        target = rnd.randint(1, N_PAGES - 4)  # kill once this many articles are stored, mid-burst
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            now = state(killed_db)
            if now and (now["lost"] or len(now["articles"]) >= target):  # the worst moment, if it comes
                break
            time.sleep(rnd.uniform(0.0, 0.05))
        proc.kill()
        proc.wait(timeout=10)
        after = state(killed_db)
        assert after is None or after["lost"] == 0  # no page is marked done without its article
    restarted = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    proc = start(feeds, killed_db)
    try:
        final = settled(killed_db, 90, polled_after=restarted)
    finally:
        stop(proc)
    final_state = state(killed_db)
    assert final_state["articles"] == clean["articles"] and final_state["seen"] == clean["seen"]
    assert {e[:3] for e in final_state["errors"]} == {e[:3] for e in state(clean_db)["errors"]}
    assert final_state["lost"] == 0 and final["lost"] == 0
