"""Progress for a person watching a terminal; silent otherwise.

Beam's in-process runner runs the DoFns in this process, so they report to a
module-level reporter that the command installed. On other runners, or when
stderr is not a terminal, the reporter does nothing.
"""

from __future__ import annotations

import sys
import threading


class Reporter:
    def start(self, feeds: int) -> None: ...
    def feed_done(self, name: str, new_entries: int, status) -> None: ...
    def article_done(self, feed: str, ok: bool) -> None: ...
    def stop(self) -> None: ...


class RichReporter(Reporter):
    def __init__(self, stream=None):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        self._lock = threading.Lock()
        self.progress = Progress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[note]}"), TimeElapsedColumn(),
                                 console=Console(file=stream or sys.stderr), transient=False)

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

    def stop(self) -> None:
        self.progress.stop()


_current: Reporter = Reporter()


def reporter() -> Reporter:
    return _current


def install(new: Reporter) -> Reporter:
    global _current
    _current = new
    return new
