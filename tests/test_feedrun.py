"""`newswatch run` against a real HTTP server on 127.0.0.1: feeds, pages, broken inputs, a second run."""
import datetime as dt

import pytest
from conftest import FIXTURES, table_counts
from httpserver import LocalSite, Reply
from newsite import local_feeds, rss, seed_page

from newswatch.pipelines import cli
from newswatch.transforms.storage.sink import connect


@pytest.fixture
def site():
    with LocalSite() as s:
        yield s


def setup_site(site):
    t1, p1 = seed_page("001")
    t2, p2 = seed_page("002")
    site.add("/news/vision-statement", p1)
    site.add_sequence("/news/transfer-deal", [Reply(status=500), Reply(p2)])
    items = [(t1, "/news/vision-statement", dt.datetime(2018, 4, 12, 10, tzinfo=dt.timezone.utc)),
             (t2, "/news/transfer-deal", dt.datetime(2021, 9, 12, 8, tzinfo=dt.timezone.utc))]
    site.add("/feed.xml", rss(site, items), content_type="application/rss+xml",
             headers={"ETag": '"feed-v1"', "Last-Modified": "Sun, 12 Sep 2021 08:00:00 GMT"})
    site.add_file("/broken.xml", FIXTURES / "feeds" / "hard_invalid_bytes_with_bom.xml",
                  content_type="application/rss+xml")


def feeds_file(tmp_path, site, *, allow_private=True):
    f = tmp_path / "feeds.toml"
    f.write_text(f"""
allow_private_addresses = {str(allow_private).lower()}
max_requests_per_host_per_minute = 6000

[[feed]]
name = "wire"
url = "{site.url('/feed.xml')}"

[[feed]]
name = "broken"
url = "{site.url('/broken.xml')}"

[[feed]]
name = "gone"
url = "{site.url('/missing.xml')}"
""", encoding="utf-8")
    return str(f)


def counts(db):
    return table_counts(db, ("articles", "events", "event_mentions", "ingest_errors", "seen_urls", "feed_state"))


def test_first_run_stores_everything_second_run_changes_nothing(tmp_path, site, db_path, capsys):
    setup_site(site)
    feeds = feeds_file(tmp_path, site)
    assert cli.main(["run", "--feeds", feeds, "--db", db_path]) == 1  # two bad feeds
    first = counts(db_path)
    assert first["articles"] == 2 and first["seen_urls"] == 2 and first["feed_state"] == 3
    assert site.hits["/news/transfer-deal"] == 2  # 500, then retried
    conn = connect(db_path, read_only=True)
    stages = dict(conn.execute("SELECT feed, stage FROM ingest_errors").fetchall())
    types = {r[0] for r in conn.execute("SELECT event_type FROM events").fetchall()}
    published = dict(conn.execute("SELECT origin, published_at FROM articles").fetchall())
    conn.close()
    assert stages == {"broken": "parse_feed", "gone": "fetch_feed"}
    assert {"agreement", "dialogue_meeting"} <= types
    assert published[site.url("/news/transfer-deal")].date() == dt.date(2021, 9, 12)  # from the feed entry
    out = capsys.readouterr().out
    assert "feeds polled     3" in out and "articles stored  2" in out

    assert cli.main(["run", "--feeds", feeds, "--db", db_path]) == 1
    assert counts(db_path) == first
    assert site.hits["/news/vision-statement"] == 1 and site.hits["/news/transfer-deal"] == 2
    assert site.last_headers("/feed.xml").get("if-none-match") == '"feed-v1"'
    assert "1 unchanged" in capsys.readouterr().out


def test_private_addresses_are_refused_unless_allowed(tmp_path, site, db_path):
    setup_site(site)
    assert cli.main(["run", "--feeds", feeds_file(tmp_path, site, allow_private=False), "--db", db_path]) == 1
    conn = connect(db_path, read_only=True)
    errors = conn.execute("SELECT stage, error FROM ingest_errors").fetchall()
    conn.close()
    assert len(errors) == 3 and all(stage == "fetch_feed" and "127.0.0.1" in err for stage, err in errors)
    assert site.hits["/feed.xml"] == 0


def test_bad_feeds_file_is_a_usage_error(tmp_path, db_path):
    bad = tmp_path / "feeds.toml"
    bad.write_text("[[feed]]\nname = 'x'\n", encoding="utf-8")
    assert cli.main(["run", "--feeds", str(bad), "--db", db_path]) == 2
    assert cli.main(["run", "--db", db_path]) == 2


BROKEN = ["hard_high_bit_date.xml", "hard_incomplete_cdata.xml", "hard_invalid_bytes_with_bom.xml",
          "hard_koi8r_no_encoding.xml", "hard_linenoise_utf8.xml", "hard_relative_xml_base.xml",
          "hard_undefined_entity.xml"]


def test_every_broken_fixture_feed_is_recorded_and_the_good_feed_still_flows(tmp_path, site, db_path):
    setup_site(site)
    feeds = [("wire", "/feed.xml")] + [(name.removesuffix(".xml"), f"/fixtures/{name}") for name in BROKEN]
    for name in BROKEN:
        site.add_file(f"/fixtures/{name}", FIXTURES / "feeds" / name, content_type="application/xml")
    f = local_feeds(tmp_path / "feeds.toml", {n: site.url(p) for n, p in feeds})
    assert cli.main(["run", "--feeds", str(f), "--db", db_path]) == 1
    conn = connect(db_path, read_only=True)
    failed = {r[0] for r in conn.execute("SELECT DISTINCT feed FROM ingest_errors").fetchall()}
    polled = conn.execute("SELECT count(*) FROM feed_state").fetchone()[0]
    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    conn.close()
    # the well-formed but empty one yields nothing and is no error; each other broken feed is recorded
    assert failed == {n.removesuffix(".xml") for n in BROKEN} - {"hard_high_bit_date"}
    assert polled == 8 and articles == 2


def test_a_trickling_feed_cannot_hang_run(tmp_path, site, db_path):
    """A server that sends a byte at a time: the feed fails at the response deadline, the rest is stored."""
    from test_fetch import TricklingServer
    setup_site(site)
    with TricklingServer(in_headers=True, interval=0.2) as slow:
        f = local_feeds(tmp_path / "feeds.toml", {"slow": slow.url, "wire": site.url("/feed.xml")},
                        "timeout = 1\ntotal_timeout = 2\n")
        assert cli.main(["run", "--feeds", str(f), "--db", db_path, "-q"]) == 1
    conn = connect(db_path, read_only=True)
    try:
        slow_errors = conn.execute("SELECT stage, error FROM ingest_errors WHERE feed = 'slow'").fetchall()
    finally:
        conn.close()
    assert counts(db_path)["articles"] == 2  # both pages of the healthy feed (one after a retried 500)
    assert slow_errors and slow_errors[0][0] == "fetch_feed" and "no complete response within 2" in slow_errors[0][1]


def test_a_run_with_extraction_workers_stores_what_one_process_stores(tmp_path):
    """``--extract-processes 2`` (what auto gives a long feeds file on two cores): the same articles, events and
    error rows as extraction in the runner's own process."""
    rows = {}
    for processes in ("1", "2"):
        with LocalSite() as s:
            setup_site(s)
            folder = tmp_path / processes
            folder.mkdir()
            db = str(folder / "news.duckdb")
            assert cli.main(["run", "--feeds", feeds_file(folder, s), "--db", db, "-q",
                             "--extract-processes", processes]) == 1  # two bad feeds
            conn = connect(db, read_only=True)
            try:
                rows[processes] = (
                    sorted(map(str, conn.execute("SELECT event_type, participants, event_date, confidence, "
                                                 "article_count FROM events").fetchall())),
                    sorted(conn.execute("SELECT feed, stage FROM ingest_errors").fetchall()),
                    conn.execute("SELECT count(*) FROM articles").fetchone()[0])
            finally:
                conn.close()
    assert rows["1"] == rows["2"] and len(rows["1"][0]) >= 2 and rows["1"][2] == 2


def test_a_page_that_failed_for_a_passing_reason_is_fetched_even_when_its_feed_is_unchanged(tmp_path, site, db_path):
    """Run 1: the page answers 503 three times (a row, not seen). Run 2: the feed answers 304, yet the page is
    fetched, as it is pending; run 3 then sends the validators again."""
    from newswatch.transforms.sources import feedpoll
    t1, p1 = seed_page("001")
    site.add_sequence("/news/late", [Reply(status=503), Reply(status=503), Reply(status=503), Reply(p1)])
    site.add("/feed.xml", rss(site, [(t1, "/news/late", dt.datetime(2018, 4, 12, 10, tzinfo=dt.timezone.utc))]),
             content_type="application/rss+xml", headers={"ETag": '"feed-v1"'})
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'allow_private_addresses = true\nmax_requests_per_host_per_minute = 6000\n\n[[feed]]\n'
                     f'name = "wire"\nurl = "{site.url("/feed.xml")}"\n', encoding="utf-8")
    assert cli.main(["run", "--feeds", str(feeds), "--db", db_path]) == 1
    assert counts(db_path)["articles"] == 0 and site.hits["/news/late"] == 3
    conn = connect(db_path, read_only=True)
    pending = feedpoll.load_state(conn).feeds[site.url("/feed.xml")]
    conn.close()
    assert pending == feedpoll.FeedStateRow('"feed-v1"', None, unconditional=True)  # validators kept
    assert cli.main(["run", "--feeds", str(feeds), "--db", db_path]) == 0
    assert site.last_headers("/feed.xml").get("if-none-match") is None  # asked in full: the page was pending
    assert counts(db_path)["articles"] == 1 and site.hits["/news/late"] == 4
    assert cli.main(["run", "--feeds", str(feeds), "--db", db_path]) == 0
    assert site.last_headers("/feed.xml").get("if-none-match") == '"feed-v1"'
    assert site.hits["/news/late"] == 4


def test_tracking_links_to_one_page_are_one_article(tmp_path, site, db_path):
    t1, p1 = seed_page("001")
    site.add("/news/story", p1)
    site.add_redirect("/track/1", site.url("/news/story"), status=301)
    site.add_redirect("/track/2", site.url("/news/story"))
    when = dt.datetime(2018, 4, 12, 10, tzinfo=dt.timezone.utc)
    site.add("/feed.xml", rss(site, [(t1, "/track/1", when), (t1, "/track/2", when), (t1, "/news/story", when)]),
             content_type="application/rss+xml")
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'allow_private_addresses = true\nmax_requests_per_host_per_minute = 6000\n\n[[feed]]\n'
                     f'name = "wire"\nurl = "{site.url("/feed.xml")}"\n', encoding="utf-8")
    assert cli.main(["run", "--feeds", str(feeds), "--db", db_path]) == 0
    conn = connect(db_path, read_only=True)
    urls = [r[0] for r in conn.execute("SELECT url FROM articles").fetchall()]
    counts_ = {r[0] for r in conn.execute("SELECT article_count FROM events").fetchall()}
    seen = conn.execute("SELECT count(*) FROM seen_urls").fetchone()[0]
    conn.close()
    assert urls == [site.url("/news/story")] and counts_ == {1} and seen == 3


def test_a_page_pending_for_longer_than_a_week_is_given_up(tmp_path, site, db_path):
    """The window counts from the first failure: a page that keeps failing does not keep its feed unconditional."""
    from newswatch.schemas.rows import IngestError
    from newswatch.transforms.sources import feedpoll
    from newswatch.transforms.storage.sink import write_batch
    conn = connect(db_path)
    error = IngestError(origin="x", url="https://news.example/late", feed="wire", stage="fetch_page", error="HTTP 503")
    write_batch(conn, [], [error], now=dt.datetime.now() - dt.timedelta(days=8))
    write_batch(conn, [], [error])  # failing still, today: the same row, seen again
    conn.execute("INSERT INTO feed_state (feed_url, name, etag) VALUES ('https://news.example/feed', 'wire', 'v1')")
    state = feedpoll.load_state(conn)
    conn.close()
    assert state.feeds["https://news.example/feed"] == feedpoll.FeedStateRow("v1", None, unconditional=False)
