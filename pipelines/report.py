"""Printing query results and the events table for people (rich) and scripts (csv, json)."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import sys

EVENTS_SQL = """
WITH sources AS (
    SELECT m.event_id, a.url, a.publisher,
           row_number() OVER (PARTITION BY m.event_id ORDER BY a.published_at NULLS LAST, a.url, m.char_start) AS n
    FROM event_mentions m JOIN articles a USING (article_id))
SELECT e.event_type AS type, array_to_string(e.participants, '-') AS participants,
       CASE e.date_precision WHEN 'day' THEN strftime(e.event_date, '%Y-%m-%d')
                             WHEN 'month' THEN strftime(e.event_date, '%Y-%m')
                             WHEN 'year' THEN strftime(e.event_date, '%Y') END AS date,
       e.location AS place, e.status, e.article_count AS articles, round(e.confidence, 2) AS conf,
       (SELECT m.evidence FROM event_mentions m WHERE m.event_id = e.event_id
        ORDER BY m.in_background, m.confidence DESC, m.char_start LIMIT 1) AS evidence,
       e.event_id AS id, s.url, s.publisher
FROM events e LEFT JOIN sources s ON s.event_id = e.event_id AND s.n = 1
WHERE ($type IS NULL OR e.event_type = $type)
  AND ($country IS NULL OR list_contains(e.participants, $country))
  AND ($since IS NULL OR e.event_date >= $since)
ORDER BY e.event_date NULLS LAST, e.event_type, participants, e.event_id
LIMIT $limit
"""


# From this terminal width on, the events print as a table; below it, as blocks.
WIDE = 120


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 3].rstrip() + "..."


def _plain(value):
    """A value as text the way DuckDB prints it: lists as [JPN, VNM], not Python's ['JPN', 'VNM']."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join("NULL" if v is None else str(_plain(v)) for v in value) + "]"
    return value


def _json_default(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return str(value)


def print_query(cur, fmt: str = "table", out=None) -> None:
    out = out or sys.stdout
    cols = [d[0] for d in cur.description] if cur.description else []
    rows = cur.fetchall() if cols else []
    if fmt == "csv":
        w = csv.writer(out, lineterminator="\n")
        w.writerow(cols)
        w.writerows([[_plain(v) for v in r] for r in rows])
    elif fmt == "json":
        json.dump([dict(zip(cols, r)) for r in rows], out, default=_json_default, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        from rich.console import Console
        from rich.table import Table
        table = Table(show_lines=False)
        for c in cols:
            table.add_column(c, overflow="fold")
        for r in rows:
            table.add_row(*["" if v is None else _plain(v) for v in r])
        Console(file=out).print(table)  # the terminal's width (80 columns when not a terminal)
        print(f"{len(rows)} row{'s' if len(rows) != 1 else ''}", file=out)


def events_table(db: str, limit: int = 50, out=None, *, event_type: str | None = None, country: str | None = None,
                 since=None, fmt: str = "table") -> None:
    """The events, newest last: a table or blocks for people, csv or json (with id and first source) for
    scripts; ``event_type``, ``country`` (a participant code) and ``since`` (a date) filter them."""
    from rich.console import Console
    from rich.table import Table

    from newswatch.transforms.sink import connect
    params = {"type": event_type, "country": country.upper() if country else None, "since": since, "limit": limit}
    conn = connect(db, read_only=True)
    try:
        cur = conn.execute(EVENTS_SQL, params)
        if fmt != "table":
            print_query(cur, fmt, out)
            return
        rows = [r[:8] for r in cur.fetchall()]
        total = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        conn.close()
    console = Console(file=out or sys.stdout)  # the terminal's width (80 columns when not a terminal)
    shown = "" if total == len(rows) and not (event_type or country or since) else f", {len(rows)} shown"
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
            table.add_row(*["" if v is None else str(v) for v in r])
        console.print(table)
        return
    # narrow terminals: one block per event, its facts on a line and its evidence, clipped, below
    from rich.padding import Padding
    from rich.text import Text
    console.print(Text(title, style="bold"))
    for kind, parties, date, place, status, articles, conf, evidence in rows:
        facts = "  ".join(str(v) for v in (kind, parties, date or "undated", place, status) if v)
        console.print(Text(f"{facts}  {articles} art.  conf {conf}", style="bold"), no_wrap=True, overflow="ellipsis")
        console.print(Padding(Text(_clip(evidence or "", 2 * (console.width - 2) - 20)), (0, 0, 0, 2)))
