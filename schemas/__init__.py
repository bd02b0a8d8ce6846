"""Row types, the DuckDB DDL and the event taxonomy: one source of truth each.

* ``ddl.sql``: every table (applied idempotently by :func:`apply_ddl`).
* ``taxonomy.toml``: the nine event types with their CAMEO and PLOVER codes.
* :mod:`.rows`: the records that flow between pipeline stages.
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources


# events.low_confidence and event_mentions: a confidence below this is flagged as doubtful.
LOW_CONFIDENCE_THRESHOLD = 0.5


def ddl() -> str:
    return resources.files(__name__).joinpath("ddl.sql").read_text(encoding="utf-8")


def apply_ddl(conn) -> None:
    """Create every table that does not exist yet (safe on a live database), the views, and the event types."""
    conn.execute(ddl())
    rows = [(name, t["description"], t["cameo"], t["plover"], t.get("cameo_aid"), t.get("plover_aid"))
            for name, t in taxonomy().items()]
    # written only when the taxonomy changed: this runs on every flush of a writer
    if set(conn.execute("SELECT * FROM event_types").fetchall()) != set(rows):
        conn.execute("DELETE FROM event_types")
        conn.executemany("INSERT INTO event_types VALUES (?, ?, ?, ?, ?, ?)", rows)


@functools.cache
def taxonomy() -> dict[str, dict]:
    """Event type -> {description, cameo, plover[, cameo_aid, plover_aid]}."""
    text = resources.files(__name__).joinpath("taxonomy.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def event_types() -> tuple[str, ...]:
    return tuple(taxonomy())


def spans_days(event_type: str) -> bool:
    """Whether events of this type commonly run over several days (taxonomy.toml ``spans_days``)."""
    return bool(taxonomy().get(event_type, {}).get("spans_days"))


def codes_for(event_type: str, *, aid: bool = False) -> tuple[str, str]:
    """(CAMEO, PLOVER) for an event type; ``aid`` picks the aid variant where there is one."""
    entry = taxonomy()[event_type]
    if aid and "cameo_aid" in entry:
        return entry["cameo_aid"], entry["plover_aid"]
    return entry["cameo"], entry["plover"]
