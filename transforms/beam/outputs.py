"""The names of the Beam layer's side outputs, and how a stage's exception becomes an error row."""

from __future__ import annotations

from newswatch.schemas.rows import IngestError

ERRORS = "errors"  # IngestError rows: inputs that failed, with the reason
SEEN = "seen"  # SeenUrl rows: pages done with, written with their article or error
STATES = "states"  # FeedStatus rows: each feed's poll


def error_row(origin, stage: str, exc: Exception, *, url=None, raw=None, feed=None) -> IngestError:
    """An ``ingest_errors`` row for ``exc``; a ValueError's message is the reason, anything else names its class."""
    reason = str(exc) or exc.__class__.__name__
    if not isinstance(exc, ValueError):
        reason = f"{exc.__class__.__name__}: {reason}"
    return IngestError(origin=origin, stage=stage, error=reason, url=url, raw=raw, feed=feed)
