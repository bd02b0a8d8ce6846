"""``newswatch load DIR``: merge Parquet shards (``--sink parquet``) into the database.

The shards go, oldest first, through the same sink as a local run, so the
merge rules and the resulting tables are the same. Loading twice changes
nothing: loaded shard names are kept in ``loaded_shards``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import duckdb
import pyarrow as pa

from newswatch.pipelines.common import DatabaseUnavailable, add_db_argument, check_database
from newswatch.pipelines.status import EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE
from newswatch.transforms.storage.shards import list_shards, read_shard
from newswatch.transforms.storage.sink import WriteStats, connect, stored_articles, write_batch


def load(output: str, db: str) -> tuple[int, WriteStats]:
    """Load every shard not loaded yet; returns (shards loaded, what changed)."""
    total = WriteStats()
    loaded = 0
    conn = connect(db)
    try:
        done = {r[0] for r in conn.execute("SELECT shard FROM loaded_shards").fetchall()}
        for kind, path in list_shards(output):
            name = str(path.relative_to(output))
            if name in done:
                continue
            try:
                records = list(read_shard(kind, path))
            except Exception as exc:  # noqa: BLE001 - a corrupt or foreign file: recorded, the rest still load
                stats = write_batch(conn, [], [_shard_error(path, exc)])
                total.add(stats)
                continue
            waiting = []
            if kind == "seen":  # a page is seen once its article is stored: the rest load, the shard stays pending
                records, waiting = _split_waiting(conn, records)
            batch = {"articles": {"items": records}, "errors": {"errors": records},
                     "feed_states": {"feed_states": records}, "seen": {"seen": records}}[kind]
            try:
                stats = write_batch(conn, batch.get("items", []), batch.get("errors", []),
                                    feed_states=batch.get("feed_states", []), seen=batch.get("seen", []))
            except (duckdb.Error, pa.ArrowException) as exc:  # readable, but with values the tables refuse (a
                # null text, a date as a string): the batch was rolled back; recorded, not marked loaded, the rest
                # load (a bug of newswatch's own still crashes, exit 3)
                total.add(write_batch(conn, [], [_shard_error(path, exc, "values the database refuses")]))
                continue
            if waiting:
                total.add(stats)
                total.add(write_batch(conn, [], [_shard_error(
                    path, None, f"{len(waiting)} seen pages wait for their articles, whose shard is not loaded "
                                f"(first: {waiting[0].url})")]))
                continue
            conn.execute("INSERT INTO loaded_shards VALUES (?, ?) ON CONFLICT DO NOTHING",
                         [name, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)])
            total.add(stats)
            loaded += 1
    finally:
        conn.close()
    return loaded, total


def _split_waiting(conn, seen: list) -> tuple[list, list]:
    """(ready, waiting): the seen rows of a shard, and those that carry an article not stored (its articles
    shard was refused): loaded now, they would keep a feed run from ever fetching the page again."""
    stored = stored_articles(conn, {s.article_id for s in seen if s.article_id})
    ready, waiting = [], []
    for s in seen:
        (waiting if s.article_id and s.article_id not in stored else ready).append(s)
    return ready, waiting


def _shard_error(path: Path, exc: Exception | None, what: str = "unreadable shard"):
    from newswatch.schemas.rows import IngestError
    detail = ""
    if exc is not None:
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        detail = f" ({exc.__class__.__name__}: {first})"
    return IngestError(origin=str(path.resolve()), stage="load", raw=str(path), error=f"{what}, not loaded{detail}")


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="newswatch load", description="Merge Parquet shards into the database.")
    p.add_argument("output", help="the --output folder of a --sink parquet run")
    add_db_argument(p)
    args = p.parse_args(argv)
    if not Path(args.output).is_dir():
        print(f"newswatch load: no folder {args.output}", file=sys.stderr)
        return EXIT_USAGE
    try:
        check_database(args.db)
    except DatabaseUnavailable as exc:
        print(f"newswatch load: {exc}", file=sys.stderr)
        return EXIT_USAGE
    loaded, stats = load(args.output, args.db)
    print(f"loaded {loaded} shards into {args.db}: {stats.articles_new} new articles, {stats.events_new} new events, "
          f"{stats.events_merged} merged into existing events, {stats.errors} errors recorded")
    return EXIT_INPUT_ERRORS if stats.errors else EXIT_OK
