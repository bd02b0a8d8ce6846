"""Printing query results and the events table for people (rich) and scripts (csv, json)."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import sys

EVENTS_SQL = """
SELECT e.event_id, e.event_type, e.participants, e.event_date, e.date_precision, e.location, e.status,
       e.article_count, e.confidence, e.low_confidence
FROM events e
WHERE ($type IS NULL OR e.event_type = $type)
  AND ($country IS NULL OR list_contains(e.participants, $country))
  AND ($since IS NULL OR e.event_date >= $since)
  AND coalesce(e.confidence, 1.0) >= $min_confidence
ORDER BY e.event_date NULLS LAST, e.event_type, array_to_string(e.participants, '-'), e.event_id
LIMIT $limit
"""

# Every sentence and source article of the chosen events (joined on the event ids, in a temporary table).
MENTIONS_SQL = """
SELECT m.event_id, m.evidence, m.in_background, m.confidence, m.char_start,
       a.article_id, a.url, a.publisher, a.title, a.published_at
FROM event_mentions m JOIN articles a USING (article_id) JOIN chosen_events c USING (event_id)
ORDER BY m.event_id, a.published_at NULLS LAST, a.url, m.char_start
"""

# The columns of `events --format csv|json`, in order.
EVENT_COLUMNS = ("type", "participants", "date", "place", "status", "articles", "conf", "evidence", "id", "url",
                 "publisher")


def format_date(value, precision) -> str | None:
    """An event date at the precision it is known to: 2021-03-04, 2021-03 or 2021."""
    if value is None:
        return None
    return {"day": value.strftime("%Y-%m-%d"), "month": value.strftime("%Y-%m")}.get(precision, value.strftime("%Y"))


def fetch_events(conn, *, event_type: str | None = None, country: str | None = None, since=None,
                 limit: int | None = None, min_confidence: float = 0.0) -> list[dict]:
    """The events matching the filters, oldest first, each with its sources (one per article, earliest first)
    and its most informative sentence (transforms/language/evidence.py)."""
    from newswatch.transforms.language.evidence import Evidence, most_informative
    params = {"type": event_type, "country": country.upper() if country else None, "since": since,
              "limit": limit, "min_confidence": min_confidence}
    cur = conn.execute(EVENTS_SQL, params)
    cols = [d[0] for d in cur.description]
    events = [dict(zip(cols, r)) for r in cur.fetchall()]
    if not events:
        return []
    conn.execute("CREATE OR REPLACE TEMP TABLE chosen_events (event_id VARCHAR)")
    conn.executemany("INSERT INTO chosen_events VALUES (?)", [[e["event_id"]] for e in events])
    by_event: dict[str, list] = {}
    for row in conn.execute(MENTIONS_SQL).fetchall():
        by_event.setdefault(row[0], []).append(row)
    conn.execute("DROP TABLE chosen_events")
    for event in events:
        rows = by_event.get(event["event_id"], [])
        best = most_informative([Evidence(r[1] or "", bool(r[2]), r[3], r[4] or 0) for r in rows],
                                event["participants"])
        event["evidence"] = best.text if best else None
        event["evidence_in_background"] = best.in_background if best else None
        sources, seen = [], set()
        for r in rows:
            if r[5] not in seen:
                seen.add(r[5])
                sources.append({"url": r[6], "publisher": r[7], "title": r[8], "published_at": r[9]})
        event["sources"] = sources
        event["date"] = format_date(event["event_date"], event["date_precision"])
    return events


def _event_record(e: dict) -> tuple:
    first = e["sources"][0] if e["sources"] else {}
    return (e["event_type"], "-".join(e["participants"]), e["date"], e["location"], e["status"], e["article_count"],
            None if e["confidence"] is None else round(e["confidence"], 2), e["evidence"], e["event_id"],
            first.get("url"), first.get("publisher"))


# From this terminal width on, the events print as a table; below it, as blocks.
WIDE = 120


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 3].rstrip() + "..."


def _plain(value):
    """A value as text the way DuckDB prints it: lists as [JPN, VNM], not Python's ['JPN', 'VNM']."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join("NULL" if v is None else str(_plain(v)) for v in value) + "]"
    return value


def _cell(value):
    """A value as a table cell: numbers, dates, lists and truth values as text (true/false as DuckDB writes
    them), never read as rich markup ("[b]" in an article's text stays "[b]")."""
    from rich.text import Text
    if value is None:
        return Text("")
    if isinstance(value, bool):
        return Text(str(value).lower())
    return Text(str(_plain(value)))


def _json_default(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return str(value)


def print_query(cur, fmt: str = "table", out=None) -> None:
    cols = [d[0] for d in cur.description] if cur.description else []
    print_rows(cols, cur.fetchall() if cols else [], fmt, out)


def print_rows(cols, rows, fmt: str = "table", out=None) -> None:
    out = out or sys.stdout
    if fmt == "csv":
        w = csv.writer(out, lineterminator="\n")
        w.writerow(cols)
        w.writerows([[_plain(v) for v in r] for r in rows])
    elif fmt == "json":
        json.dump([dict(zip(cols, r)) for r in rows], out, default=_json_default, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        from rich.table import Table
        table = Table(show_lines=False)
        for c in cols:
            table.add_column(c, overflow="fold")
        for r in rows:
            table.add_row(*[_cell(v) for v in r])
        rich_console(out).print(table)  # the terminal's width (80 columns when not a terminal)
        print(f"{len(rows)} row{'s' if len(rows) != 1 else ''}", file=out)


def rich_console(file):
    """A rich Console on ``file`` whose broken pipe ("newswatch events | head") is a BrokenPipeError, which
    the CLI reports as such (exit 141); rich itself would exit 1, which reads as a usage error."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError

    return _Console(file=file)


def events_table(conn, limit: int = 50, out=None, *, event_type: str | None = None, country: str | None = None,
                 since=None, fmt: str = "table", min_confidence: float = 0.0) -> None:
    """The events of the database open on ``conn``, newest last: a table or blocks for people, csv or json
    (with id and first source) for scripts; ``event_type``, ``country`` (a participant code), ``since`` (a
    date) and ``min_confidence`` filter them."""
    from rich.table import Table

    events = fetch_events(conn, event_type=event_type, country=country, since=since, limit=limit,
                          min_confidence=min_confidence)
    if fmt != "table":
        print_rows(EVENT_COLUMNS, [_event_record(e) for e in events], fmt, out)
        return
    rows = [_event_record(e)[:8] for e in events]
    total = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    console = rich_console(out or sys.stdout)  # the terminal's width (80 columns when not a terminal)
    filtered = event_type or country or since or min_confidence
    shown = "" if total == len(rows) and not filtered else f", {len(rows)} shown"
    title = f"defence-cooperation events ({total}{shown})"
    if console.width >= WIDE:
        table = Table(title=title, show_lines=True)
        for name, kw in (("type", {"no_wrap": True}), ("participants", {}), ("date", {"no_wrap": True}),
                         ("place", {}), ("status", {}), ("articles", {"justify": "right"}),
                         ("conf", {"justify": "right"}), ("evidence", {"ratio": 1, "overflow": "fold"})):
            table.add_column(name, **kw)
        for r in rows:
            r = list(r)
            r[7] = _clip(r[7] or "", 220)
            table.add_row(*[_cell(v) for v in r])
        console.print(table)
        _doubtful_note(console, events, min_confidence)
        return
    # narrow terminals: one block per event, its facts on a line and its evidence, clipped, below
    from rich.padding import Padding
    from rich.text import Text
    console.print(Text(title, style="bold"))
    for kind, parties, date, place, status, articles, conf, evidence in rows:
        facts = "  ".join(str(v) for v in (kind, parties, date or "undated", place, status) if v)
        console.print(Text(f"{facts}  {articles} art.  conf {conf}", style="bold"), no_wrap=True, overflow="ellipsis")
        console.print(Padding(Text(_clip(evidence or "", 2 * (console.width - 2) - 20)), (0, 0, 0, 2)))
    _doubtful_note(console, events, min_confidence)


def _doubtful_note(console, events: list[dict], min_confidence: float) -> None:
    """Under the events shown, how many of them are doubtful (flagged ``low_confidence`` by the writer, below the
    low-confidence threshold) and how to leave them out."""
    from newswatch.schemas import LOW_CONFIDENCE_THRESHOLD
    doubtful = sum(1 for e in events if e["low_confidence"])
    if doubtful and min_confidence < LOW_CONFIDENCE_THRESHOLD:
        console.print(f"{doubtful} of these below confidence {LOW_CONFIDENCE_THRESHOLD:g}: "
                      f"newswatch events --min-confidence {LOW_CONFIDENCE_THRESHOLD:g} leaves them out",
                      soft_wrap=True)
