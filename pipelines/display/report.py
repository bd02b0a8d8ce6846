"""``newswatch report --out FILE.html``: one self-contained page to read the events by.

The page holds a timeline of events by month and type, a matrix of who cooperates with whom, the
strongest ties, and every event with its most informative sentence and links to all of its sources.
Jinja2 renders it from ``templates/report.html.j2``; the charts are static SVG whose geometry is worked
out here, in plain functions, so the page fetches nothing, opens offline and can be mailed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
from collections import Counter, defaultdict
from dataclasses import dataclass

from newswatch.schemas import event_types, taxonomy

# One colour per event type, in taxonomy order (Okabe-Ito, then two more that stay apart from them).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#8C6D1F", "#6A3D9A", "#7F7F7F")

# The timeline's drawing area (SVG user units; the SVG scales to the page's width).
TIMELINE_WIDTH, TIMELINE_HEIGHT, TIMELINE_LEFT, TIMELINE_TOP, TIMELINE_BOTTOM = 960, 200, 40, 12, 22
# The timeline shows at most the last ten years of the events' dates; older ones are counted beside it.
TIMELINE_YEARS = 10
MATRIX_MAX_PARTIES, MATRIX_CELL, MATRIX_LABEL = 18, 24, 130


def type_colours() -> dict[str, str]:
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(event_types())}


def nice_step(maximum: float, ticks: int = 4) -> float:
    """A round axis step (1, 2 or 5 times a power of ten) that divides 0..maximum into about ``ticks``."""
    if maximum <= 0:
        return 1
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return max(1, factor * power)
    return 10 * power


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def timeline(events: list[dict]) -> dict:
    """Stacked bars of events per month and type: the rectangles, axis ticks and year labels to draw."""
    colours = type_colours()
    dated = [e for e in events if e["event_date"] is not None]
    out = {"width": TIMELINE_WIDTH, "height": TIMELINE_TOP + TIMELINE_HEIGHT + TIMELINE_BOTTOM, "bars": [],
           "ticks": [], "years": [], "undated": len(events) - len(dated), "dated": len(dated), "earlier": 0,
           "base": TIMELINE_TOP + TIMELINE_HEIGHT}
    if not dated:
        return out
    newest = max(e["event_date"] for e in dated)
    start = newest.replace(year=newest.year - TIMELINE_YEARS + 1, month=1, day=1)
    earlier = [e for e in dated if e["event_date"] < start]
    if earlier:
        out["earlier"], out["earliest"] = len(earlier), min(e["event_date"] for e in earlier).year
        dated = [e for e in dated if e["event_date"] >= start]
    counts: dict[dt.date, Counter] = defaultdict(Counter)
    for e in dated:
        counts[e["event_date"].replace(day=1)][e["event_type"]] += 1
    months = _months(min(counts), max(counts))
    # at least a year on the axis, so that one busy month does not fill the page
    while len(months) < 12:
        months = _months(months[0], (months[-1].replace(day=28) + dt.timedelta(days=4)).replace(day=1))
    tallest = max(sum(c.values()) for c in counts.values())
    step = nice_step(tallest)
    top = step * math.ceil(tallest / step)
    plot_w = TIMELINE_WIDTH - TIMELINE_LEFT
    slot = plot_w / len(months)
    gap = slot * 0.15 if slot > 4 else 0
    scale = TIMELINE_HEIGHT / top
    for i, month in enumerate(months):
        y = TIMELINE_TOP + TIMELINE_HEIGHT
        for name in event_types():
            n = counts.get(month, Counter())[name]
            if not n:
                continue
            h = n * scale
            y -= h
            out["bars"].append({"x": TIMELINE_LEFT + i * slot + gap / 2, "y": y, "w": max(slot - gap, 0.8), "h": h,
                                "colour": colours[name],
                                "title": f"{month:%Y-%m}: {n} {name.replace('_', ' ')}"})
    for k in range(int(top / step) + 1):
        value = k * step
        out["ticks"].append({"y": TIMELINE_TOP + TIMELINE_HEIGHT - value * scale, "label": f"{value:g}"})
    years = sorted({m.year for m in months})
    every = max(1, math.ceil(len(years) * 36 / plot_w))  # labels at least 36 units apart
    for i, month in enumerate(months):
        x = TIMELINE_LEFT + i * slot
        if (month.month == 1 or i == 0) and (month.year - years[0]) % every == 0 and x < TIMELINE_WIDTH - 30:
            out["years"].append({"x": x, "label": str(month.year)})
    out["first"], out["last"] = f"{months[0]:%Y-%m}", f"{months[-1]:%Y-%m}"
    return out


def _shade(share: float) -> str:
    """A blue from pale (few events) to deep (the most), as #rrggbb."""
    pale, deep = (0xE8, 0xF1, 0xFA), (0x08, 0x3D, 0x77)
    rgb = [round(p + (d - p) * share) for p, d in zip(pale, deep)]
    return "#" + "".join(f"{c:02x}" for c in rgb)


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    events: int
    reports: int
    first: str | None
    last: str | None
    types: tuple[tuple[str, int], ...]


def pairs(events: list[dict]) -> list[Pair]:
    """Every unordered pair of participants with the events they share, most events first."""
    grouped: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for e in events:
        parties = sorted(set(e["participants"]))
        for i, a in enumerate(parties):
            for b in parties[i + 1:]:
                grouped[(a, b)].append(e)
    out = []
    for (a, b), shared in grouped.items():
        dates = sorted(e["date"][:4] for e in shared if e["date"])
        types = Counter(e["event_type"] for e in shared).most_common()
        out.append(Pair(a, b, len(shared), sum(e["article_count"] or 0 for e in shared),
                        dates[0] if dates else None, dates[-1] if dates else None, tuple(types)))
    return sorted(out, key=lambda p: (-p.events, -p.reports, p.a, p.b))


def matrix(pair_list: list[Pair], names: dict[str, str]) -> dict:
    """Who cooperates with whom: a symmetric grid of the most active parties, shaded by shared events."""
    activity: Counter = Counter()
    for p in pair_list:
        activity[p.a] += p.events
        activity[p.b] += p.events
    parties = [code for code, _ in sorted(activity.items(), key=lambda kv: (-kv[1], kv[0]))[:MATRIX_MAX_PARTIES]]
    index = {code: i for i, code in enumerate(parties)}
    peak = max((p.events for p in pair_list if p.a in index and p.b in index), default=1)
    cells = []
    for p in pair_list:
        if p.a not in index or p.b not in index:
            continue
        share = p.events / peak
        kinds = ", ".join(f"{n} {t.replace('_', ' ')}" for t, n in p.types)
        title = f"{names[p.a]} – {names[p.b]}: {p.events} event{'s' if p.events != 1 else ''} ({kinds})"
        for row, col in ((index[p.a], index[p.b]), (index[p.b], index[p.a])):
            cells.append({"x": MATRIX_LABEL + col * MATRIX_CELL, "y": MATRIX_LABEL / 3 + row * MATRIX_CELL,
                          "fill": _shade(0.15 + 0.85 * share), "text": p.events, "dark": share > 0.45,
                          "title": title})
    size = len(parties) * MATRIX_CELL
    return {"parties": [{"code": c, "name": names[c], "i": i} for i, c in enumerate(parties)],
            "cells": cells, "cell": MATRIX_CELL, "label": MATRIX_LABEL, "top": MATRIX_LABEL / 3,
            "width": MATRIX_LABEL + size + 4, "height": MATRIX_LABEL / 3 + size + 4,
            "left_out": max(0, len(activity) - len(parties))}


def gather(conn, *, since=None, country: str | None = None, event_type: str | None = None,
           min_confidence: float = 0.0) -> dict:
    """Everything the page shows, read from an open connection: plain data for the template."""
    from newswatch.pipelines.display.tables import fetch_events
    from newswatch.transforms.language.actors import display_name
    events = fetch_events(conn, event_type=event_type, country=country, since=since, min_confidence=min_confidence)
    codes = {c for e in events for c in e["participants"]}
    names = {c: display_name(c) for c in codes}
    colours = type_colours()
    for e in events:
        e["party_names"] = [names[c] for c in e["participants"]]
        e["colour"] = colours.get(e["event_type"], PALETTE[-1])
        e["label"] = e["event_type"].replace("_", " ")
    pair_list = pairs(events)
    (articles,), = conn.execute("SELECT count(*) FROM articles").fetchall()
    errors = conn.execute("SELECT stage, count(*) FROM ingest_errors GROUP BY stage ORDER BY 2 DESC, 1").fetchall()
    newest = [e for e in events if e["date"]]
    return {
        "events": sorted(events, key=lambda e: (e["event_date"] or dt.date.min, e["event_id"]), reverse=True),
        "timeline": timeline(events),
        "matrix": matrix(pair_list, names),
        "pairs": pair_list[:10],
        "names": names,
        "types": [{"name": t, "label": t.replace("_", " "), "colour": colours[t],
                   "description": taxonomy()[t]["description"],
                   "count": sum(1 for e in events if e["event_type"] == t)} for t in event_types()],
        "filters": [f"{k} {v}" for k, v in (("since", since), ("country", country and country.upper()),
                                             ("type", event_type),
                                             ("confidence from", min_confidence and f"{min_confidence:g}")) if v],
        "totals": {"events": len(events), "reports": len({s["url"] or s["title"] for e in events
                                                           for s in e["sources"]}),
                   "parties": len(codes), "articles": articles, "errors": sum(n for _, n in errors),
                   "latest": newest and max(newest, key=lambda e: e["event_date"])["date"]},
        "errors": errors,
        "generated": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
    }


def render(data: dict) -> str:
    import jinja2
    env = jinja2.Environment(loader=jinja2.PackageLoader("newswatch.pipelines.display", "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    return env.get_template("report.html.j2").render(**data)


def write_report(conn, out: str, database: str, *, since=None, country: str | None = None,
                 event_type: str | None = None, min_confidence: float = 0.0) -> dict:
    """Render the report of an open (read-only) connection to ``out`` (written beside it, then moved in place);
    ``database`` names it on the page. Returns the page's totals."""
    data = gather(conn, since=since, country=country, event_type=event_type, min_confidence=min_confidence)
    data["database"] = database
    tmp = f"{out}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(render(data))
    os.replace(tmp, out)
    return data["totals"]


def parser() -> argparse.ArgumentParser:
    from newswatch.pipelines.common import add_db_argument, positive, probability
    p = argparse.ArgumentParser(prog="newswatch report",
                                description="Write one self-contained HTML page of the events (opens offline).")
    p.add_argument("--out", required=True, metavar="FILE.html")
    p.add_argument("--since", type=dt.date.fromisoformat, metavar="YYYY-MM-DD", help="only events dated from this day")
    p.add_argument("--country", metavar="CODE", help="only events with this participant (ISO-3 or organisation code)")
    p.add_argument("--type", choices=event_types(), help="only this event type")
    p.add_argument("--min-confidence", type=probability, default=0.0, metavar="P",
                   help="only events at this confidence or above (0 to 1)")
    p.add_argument("--wait", type=positive, default=30.0, help="seconds to wait for a writer's lock (default 30)")
    add_db_argument(p)
    return p
