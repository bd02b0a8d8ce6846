"""What the stages are doing, for whoever watches the process: a progress display, Prometheus metrics.

Beam's own counters reach nobody until a pipeline ends, and a monitor never ends. The local runner runs the
DoFns in this process, so the stages report to a module-level observer that a command installed
(pipelines/display/progress.py, pipelines/display/metrics.py); by default nobody watches and a report costs nothing. On
runners that run the stages in other processes nobody watches either.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Cycle:
    """What one cycle brought to the sink, and what it left pending."""
    feeds: int = 0                       # feed polls reported
    unchanged: int = 0                   # of them, answered "not modified"
    failing: int = 0                     # of them, failed
    feeds_failing: int = 0               # feeds whose latest poll (in this or an earlier cycle) failed
    entries: int = 0                     # new entries the polls found
    articles: int = 0                    # articles written (new or changed)
    events: int = 0                      # new events
    merged: int = 0                      # reports merged into existing events
    errors: dict[str, int] = field(default_factory=dict)  # ingest errors by stage
    pending: int = 0                     # rows still waiting for the database at the cycle's end
    lag: float = 0.0                     # seconds the oldest pending row has waited
    wrote: bool = False                  # whether the cycle wrote to the database


class Observer:
    """Does nothing; a watcher overrides what it shows."""

    def cycle(self, report: Cycle) -> None:
        """The sink closed a cycle (the monitor's CycleEnd, or the end of a bundle)."""

    def feed_done(self, name: str, new_entries: int, status) -> None:
        """A feed was polled (``status`` is its FeedStatus)."""

    def article_done(self, feed: str, ok: bool) -> None:
        """A feed entry's page was fetched, or failed."""

    def input_done(self, ok: bool) -> None:
        """The sink received an input's outcome: an extracted article (ok) or an ingest error."""


_current: Observer = Observer()


def observer() -> Observer:
    return _current


def install(new: Observer) -> Observer:
    """Make ``new`` the observer (returns it); install ``Observer()`` again to stop watching."""
    global _current
    _current = new
    return new
