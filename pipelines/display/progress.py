"""Progress for a person watching a terminal; silent otherwise.

Beam's in-process runner runs the DoFns in this process; they report to the observer of
transforms/beam/telemetry.py, which a command replaces with one of these displays when stderr is a terminal.
"""

from __future__ import annotations

import sys
import threading

from newswatch.transforms.beam.telemetry import Observer


class _Display(Observer):
    def __init__(self, stream=None):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        self._lock = threading.Lock()
        self.progress = Progress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[note]}"), TimeElapsedColumn(),
                                 console=Console(file=stream or sys.stderr), transient=False)

    def stop(self) -> None:
        self.progress.stop()


class FeedRunDisplay(_Display):
    """`newswatch run`: feeds polled, then the pages of their new entries."""

    def start(self, feeds: int) -> None:
        self.progress.start()
        self.feeds = self.progress.add_task("feeds", total=feeds, note="")
        self.articles = self.progress.add_task("articles", total=0, note="")

    def feed_done(self, name, new_entries, status) -> None:
        with self._lock:
            note = "unchanged" if status.not_modified else (f"error: {status.last_error}"[:60] if status.last_error
                                                           else f"{new_entries} new")
            self.progress.update(self.feeds, advance=1, note=f"{name}: {note}")
            task = self.progress.tasks[self.articles]
            self.progress.update(self.articles, total=(task.total or 0) + new_entries)

    def article_done(self, feed, ok) -> None:
        with self._lock:
            self.progress.update(self.articles, advance=1, note=feed if ok else f"{feed}: failed")


class ReplayDisplay(_Display):
    """`newswatch replay`: inputs (articles and records) done out of those counted before the run."""

    def start(self, inputs: int | None) -> None:
        """``inputs``: how many are expected, or None when unknown (web archives)."""
        self.failed = 0
        self.progress.start()
        self.inputs = self.progress.add_task("inputs", total=inputs, note="")

    def input_done(self, ok) -> None:
        with self._lock:
            self.failed += not ok
            self.progress.update(self.inputs, advance=1, note=f"{self.failed} failed" if self.failed else "")


def for_terminal(display: type[_Display], quiet: bool = False) -> Observer:
    """A display when stderr is a terminal (and not ``quiet``), else an observer that shows nothing."""
    return display() if sys.stderr.isatty() and not quiet else Observer()
