"""Parquet shards: the sink for runs that outgrow one machine.

With ``--sink parquet --output DIR`` every worker writes what it would have
written to DuckDB as Parquet files of its own (a unique name, written to a
temporary name and renamed, so many workers can write at once and a reader
never sees half a file). ``newswatch load DIR`` then feeds the shards, in
order, through the same :func:`sink.write_batch` as a local run, so the
merge rules are the same and the tables end up the same. Loading is
idempotent: the names of loaded shards are kept in ``loaded_shards``.

Layout: ``DIR/<kind>/<time>-<uuid>.parquet`` with kinds ``articles``
(an article and its events, as JSON), ``errors``, ``feed_states``, ``seen``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from newswatch.schemas.rows import (Article, EventCandidate, ExtractedArticle, FeedStatus, IngestError, Mention,
                                    SeenUrl, as_row)

KINDS = ("articles", "errors", "feed_states", "seen")


def _json_default(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _date(value):
    return dt.date.fromisoformat(value) if value else None


def events_to_json(events: list[EventCandidate]) -> str:
    return json.dumps([dataclasses.asdict(e) for e in events], default=_json_default)


def events_from_json(text: str) -> list[EventCandidate]:
    out = []
    for e in json.loads(text or "[]"):
        mentions = [Mention(**{**m, "date": _date(m["date"])}) for m in e.pop("mentions")]
        out.append(EventCandidate(**{**e, "participants": tuple(e["participants"]),
                                     "event_date": _date(e["event_date"]), "mentions": mentions}))
    return out


def rows_for(items: list[ExtractedArticle], errors: list[IngestError], feed_states: list[FeedStatus],
             seen: list[SeenUrl]) -> dict[str, list[dict]]:
    carried = [dataclasses.replace(it.article.seen, article_id=it.article.article_id)  # loaded with the article
               for it in items if it.article.seen is not None]
    return {
        "articles": [{**as_row(it.article, exclude=("seen",)), "events_json": events_to_json(it.events)}
                     for it in items],
        "errors": [as_row(e) for e in errors],
        "feed_states": [as_row(s) for s in feed_states],
        "seen": [as_row(s) for s in [*carried, *seen]],
    }


def write_shards(output: str, items, errors=(), feed_states=(), seen=()) -> list[str]:
    """Write one shard per non-empty kind; returns their paths."""
    written = []
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    for kind, rows in rows_for(list(items), list(errors), list(feed_states), list(seen)).items():
        if not rows:
            continue
        folder = Path(output) / kind
        folder.mkdir(parents=True, exist_ok=True)
        name = folder / f"{stamp}-{time.monotonic_ns():020d}-{uuid.uuid4().hex}.parquet"
        tmp = folder / f".{name.name}.tmp"
        pq.write_table(pa.Table.from_pylist(rows), tmp)
        os.replace(tmp, name)
        written.append(str(name))
    return written


def _records(path: Path, kind: str):
    rows = pq.read_table(path).to_pylist()
    if kind == "articles":
        items = []
        for number, r in enumerate(rows, start=1):
            problem = _article_problem(r)
            if problem:
                raise ValueError(f"row {number}: {problem}")
            events = events_from_json(r.pop("events_json"))
            items.append(ExtractedArticle(Article(**r), events))
        return items
    cls = {"errors": IngestError, "feed_states": FeedStatus, "seen": SeenUrl}[kind]
    return [cls(**r) for r in rows]


def _article_problem(row: dict) -> str | None:
    """What makes an articles shard's row no article (a shard written by hand or by another version)."""
    for name in ("article_id", "text", "content_hash", "events_json"):
        if not isinstance(row.get(name), str):
            return f"{name} is {type(row.get(name)).__name__}, not text"
    for name in ("published_at", "fetched_at"):
        if row.get(name) is not None and not isinstance(row[name], dt.datetime):
            return f"{name} is {type(row[name]).__name__}, not a time"
    return None


def list_shards(output: str) -> list[tuple[str, Path]]:
    """(kind, path) of every shard, oldest first (names start with their write time)."""
    found = []
    for kind in KINDS:
        folder = Path(output) / kind
        if folder.is_dir():
            found += [(kind, p) for p in folder.glob("*.parquet") if not p.name.startswith(".")]
    return sorted(found, key=lambda kp: (kp[1].name, KINDS.index(kp[0])))


def read_shard(kind: str, path: Path) -> Iterator:
    yield from _records(path, kind)
