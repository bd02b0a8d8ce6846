"""Reading replay inputs: files, folders and web archives -> RawArticle, and an error row for what cannot be read."""

from __future__ import annotations

from pathlib import Path

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from newswatch.schemas.rows import IngestError
from newswatch.transforms.beam.outputs import ERRORS
from newswatch.transforms.beam.telemetry import observer


class _ReadFile(beam.DoFn):
    """A file -> its RawArticles, and its IngestErrors on the ``errors`` output (or, ``linear``, on the main
    output with the articles, passing along the path errors it is given)."""

    def __init__(self, linear: bool = False):
        self.linear = linear
        self.read = Metrics.counter("newswatch", "files_read")
        self.skipped = Metrics.counter("newswatch", "archive_records_skipped")
        self._manifests = {}

    def process(self, path):
        from newswatch.transforms.sources.files import load_manifest, read_file
        from newswatch.transforms.sources.warc import Skipped
        if isinstance(path, IngestError):  # a path that could not be read (linear mode)
            observer().input_done(False)
            yield path
            return
        p = Path(path)
        if p.parent not in self._manifests:
            self._manifests[p.parent], errors = load_manifest(p.parent)
            for err in errors:  # the same rows from every worker that reads the folder: one row each in the sink
                yield err if self.linear else pvalue.TaggedOutput(ERRORS, err)
        self.read.inc()
        for item in read_file(p, self._manifests[p.parent]):
            if isinstance(item, Skipped):  # a web-archive record that is not an article
                self.skipped.inc()
                continue
            if isinstance(item, IngestError):
                observer().input_done(False)
                yield item if self.linear else pvalue.TaggedOutput(ERRORS, item)
            else:
                yield item


class ReadReplayFiles(beam.PTransform):
    """Files and folders to replay -> RawArticle (main) and IngestError (``errors``); or, ``linear``, one
    output holding both (for runners that mishandle a DoFn's several outputs, such as Beam's DaskRunner)."""

    def __init__(self, paths, linear: bool = False):
        super().__init__()
        self.paths = list(paths or [])
        self.linear = linear

    def expand(self, pbegin):
        from newswatch.transforms.sources.files import bundled_seeds, expand_paths
        files, errors = [], []
        for item in expand_paths(self.paths or [bundled_seeds()]):
            (errors if isinstance(item, IngestError) else files).append(item if isinstance(item, IngestError) else str(item))
        if self.linear:
            return (pbegin | "Files" >> beam.Create([*errors, *files])
                    | "Read" >> beam.ParDo(_ReadFile(linear=True)))
        read = (pbegin | "Files" >> beam.Create(files)
                | "Read" >> beam.ParDo(_ReadFile()).with_outputs(ERRORS, main="articles"))
        path_errors = pbegin | "PathErrors" >> beam.Create(errors)
        all_errors = (read[ERRORS], path_errors) | "AllReadErrors" >> beam.Flatten()
        return {"articles": read.articles, ERRORS: all_errors}
