"""`newswatch report`: the HTML page, its charts' arithmetic, and the page as headless Chromium shows it.

The browser is Debian's chromium (installed by `make test`), driven by Playwright; the page is opened from
its file with every network request refused and counted, so a page that needs the network fails.
"""
import datetime as dt
import re
import shutil

import pytest
from conftest import FIXTURES

from newswatch.pipelines import cli
from newswatch.pipelines.display import report
from newswatch.pipelines.display.tables import fetch_events
from newswatch.transforms.language.evidence import Evidence, most_informative
from newswatch.transforms.storage.sink import connect

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The flags of a headless run on a machine without a network (and as root, without the sandbox).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory):
    """The bundled seeds plus the dev2 stream (60 real articles, half of them ordinary news)."""
    db = str(tmp_path_factory.mktemp("report") / "news.duckdb")
    assert cli.main(["replay", "--db", db]) == 0
    assert cli.main(["replay", str(FIXTURES / "dev2" / "articles.jsonl"), "--db", db]) == 0
    return db


@pytest.fixture(scope="module")
def events(seeded_db):
    conn = connect(seeded_db, read_only=True)
    try:
        return fetch_events(conn)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def page_file(seeded_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("page") / "report.html"
    assert cli.main(["report", "--db", seeded_db, "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test dependency")
    assert shutil.which(CHROMIUM) or shutil.os.path.exists(CHROMIUM), \
        "chromium is not installed: `make test` installs Debian's chromium package"
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        yield b
        b.close()


@pytest.fixture
def opened(browser, page_file):
    """The page in a fresh tab, every request other than the file itself refused; yields (page, refused)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    refused, problems = [], []

    def route(r):
        if r.request.url == page_file.as_uri():
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()
    page.route("**/*", route)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(page_file.as_uri(), timeout=30_000)
    yield page, refused, problems
    page.close()


def test_the_page_shows_every_event_with_its_evidence_and_sources(opened, events):
    page, refused, problems = opened
    assert len(events) > 20
    for event in events:
        card = page.locator(f"#event-{event['event_id']}")
        quote = card.locator("blockquote.evidence")
        assert quote.is_visible(), event["event_id"]
        box = quote.bounding_box()
        assert box and box["width"] > 100 and box["height"] >= 10
        assert quote.inner_text().startswith(event["evidence"])
        links = card.locator("ul.sources a")
        assert links.count() == sum(1 for s in event["sources"] if s["url"])
        assert sorted(links.evaluate_all("els => els.map(e => e.getAttribute('href'))")) == \
            sorted(s["url"] for s in event["sources"] if s["url"])
    assert refused == [] and problems == []


def test_the_charts_draw_what_the_database_holds(opened, events):
    page, _, _ = opened
    titles = page.locator("#timeline rect title").all_text_contents()
    drawn = sum(int(re.match(r"\d{4}-\d\d: (\d+) ", t).group(1)) for t in titles)
    note = page.locator("main").inner_text()
    undated = sum(1 for e in events if e["event_date"] is None)
    earlier = re.search(r"(\d+) events? dated before", note)
    assert drawn + undated + (int(earlier.group(1)) if earlier else 0) == len(events)
    assert f"{undated} events without a date" in note or undated == 0
    assert page.locator("#timeline").bounding_box()["width"] > 900
    # the matrix: Japan and Vietnam share the seeds' events
    jp_vn = sum(1 for e in events if {"JPN", "VNM"} <= set(e["participants"]))
    cells = page.locator("#matrix g title").all_text_contents()
    assert sum(1 for t in cells if t.startswith(f"Japan – Vietnam: {jp_vn} event")) == 2  # both halves
    assert page.locator("#pairs tbody tr").count() == min(10, len(report.pairs(events)))


def test_the_filters_on_the_page_hide_and_show_events(opened, events):
    page, _, _ = opened
    page.select_option("#type-filter", "joint_exercise")
    expected = sum(1 for e in events if e["event_type"] == "joint_exercise")
    assert page.locator("#events .event:visible").count() == expected
    assert page.locator("#shown").inner_text() == f"{expected} shown"
    page.select_option("#type-filter", "")
    page.fill("#filter", "Vietnam")
    assert 0 < page.locator("#events .event:visible").count() < len(events)
    page.fill("#filter", "")
    page.check("#hide-doubtful")
    assert page.locator("#events .event:visible").count() == sum(1 for e in events if not e["low_confidence"])


def test_the_page_is_self_contained(page_file):
    html = page_file.read_text(encoding="utf-8")
    assert not re.search(r"<(script|img|link|iframe)[^>]+(src|href)=", html)
    assert "@import" not in html and "url(" not in html


def test_report_filters_choose_the_events(seeded_db, tmp_path, events):
    out = tmp_path / "vnm.html"
    assert cli.main(["report", "--db", seeded_db, "--out", str(out), "--country", "vnm",
                     "--since", "2016-01-01"]) == 0
    html = out.read_text(encoding="utf-8")
    chosen = {e["event_id"] for e in events
              if "VNM" in e["participants"] and e["event_date"] and e["event_date"] >= dt.date(2016, 1, 1)}
    assert chosen and set(re.findall(r'id="event-([0-9a-f]+)"', html)) == chosen


def test_report_min_confidence_keeps_the_events_at_or_above_it(seeded_db, tmp_path, events):
    confidences = sorted(e["confidence"] for e in events)
    assert confidences[0] < confidences[-1]
    cut = (confidences[0] + confidences[-1]) / 2
    out = tmp_path / "trusted.html"
    assert cli.main(["report", "--db", seeded_db, "--out", str(out), "--min-confidence", str(cut)]) == 0
    html = out.read_text(encoding="utf-8")
    chosen = {e["event_id"] for e in events if e["confidence"] >= cut}
    assert 0 < len(chosen) < len(events) and set(re.findall(r'id="event-([0-9a-f]+)"', html)) == chosen
    assert f"confidence from {cut:g}" in html
    assert cli.main(["report", "--db", seeded_db, "--out", str(out), "--min-confidence", "1e-1"]) == 0
    assert "confidence from 0.1" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("args, message", [
    (["--db", "{tmp}/none.duckdb", "--out", "{tmp}/r.html"], "no database at"),
    (["--db", "{db}", "--out", "{tmp}/r.html", "--min-confidence", "2"], "must be from 0 to 1"),
    (["--db", "{db}", "--out", "{tmp}/missing/r.html"], "is not a writable folder"),
    (["--db", "{db}"], "the following arguments are required: --out"),
    (["--db", "{db}", "--out", "{tmp}/r.html", "--type", "picnic"], "invalid choice"),
])
def test_report_usage_errors_exit_2_with_one_line(seeded_db, tmp_path, capsys, args, message):
    args = [a.format(tmp=tmp_path, db=seeded_db) for a in args]
    assert cli.main(["report", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


# --- the arithmetic behind the page, on invented events -------------------------------------------------


def _event(event_id, kind, parties, date, articles=1):
    return {"event_id": event_id, "event_type": kind, "participants": parties, "event_date": date,
            "date": date and date.isoformat(), "article_count": articles}


def test_timeline_stacks_each_month_and_keeps_ten_years():
    events = [_event("a", "agreement", ["AAA", "BBB"], dt.date(2024, 3, 2)),
              _event("b", "joint_exercise", ["AAA", "BBB"], dt.date(2024, 3, 20)),
              _event("c", "joint_exercise", ["AAA", "CCC"], dt.date(2024, 3, 21)),
              _event("d", "agreement", ["AAA", "CCC"], dt.date(2023, 7, 1)),
              _event("e", "agreement", ["AAA", "CCC"], dt.date(1990, 7, 1)),
              _event("f", "agreement", ["AAA", "CCC"], None)]
    t = report.timeline(events)
    assert t["undated"] == 1 and t["earlier"] == 1 and t["earliest"] == 1990
    march = [b for b in t["bars"] if b["title"].startswith("2024-03")]
    assert sorted(b["title"] for b in march) == ["2024-03: 1 agreement", "2024-03: 2 joint exercise"]
    # stacked: the two bars of a month touch, and the taller one is twice as tall
    low, high = sorted(march, key=lambda b: -b["y"])
    assert abs(low["y"] - (high["y"] + high["h"])) < 1e-9 and abs(high["h"] - 2 * low["h"]) < 1e-9
    assert [y["label"] for y in t["years"]] == ["2023", "2024"]


def test_pairs_count_each_unordered_pair_once():
    events = [_event("a", "agreement", ["AAA", "BBB", "CCC"], dt.date(2024, 1, 1), articles=2),
              _event("b", "joint_exercise", ["BBB", "AAA"], dt.date(2022, 1, 1))]
    got = {(p.a, p.b): (p.events, p.reports, p.first, p.last) for p in report.pairs(events)}
    assert got == {("AAA", "BBB"): (2, 3, "2022", "2024"), ("AAA", "CCC"): (1, 2, "2024", "2024"),
                   ("BBB", "CCC"): (1, 2, "2024", "2024")}


def test_nice_axis_steps():
    assert [report.nice_step(n) for n in (1, 3, 7, 15, 40, 130)] == [1, 1, 2, 5, 10, 50]


def test_the_most_informative_sentence_is_foreground_names_the_parties_and_says_when():
    vague = Evidence("Details of the handover were not released.", confidence=0.95, char_start=900)
    named = Evidence("France handed two patrol boats to Senegal.", confidence=0.6, char_start=400)
    dated = Evidence("France handed two patrol boats to Senegal on 3 May.", confidence=0.5, char_start=500)
    history = Evidence("In 2010 France and Senegal signed a deal on 3 May.", in_background=True, confidence=0.99)
    assert most_informative([vague, history, named], ["FRA", "SEN"]) is named
    assert most_informative([vague, named, dated, history], ["FRA", "SEN"]) is dated
    assert most_informative([history, vague], ["FRA", "SEN"]) is vague
    assert most_informative([], ["FRA"]) is None
