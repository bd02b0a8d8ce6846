"""Reading replay inputs: .txt, .html and .jsonl files, web archives (warc.py), folders, and manifests.

Plain generators that yield :class:`RawArticle` for every usable input and
:class:`IngestError` for every unusable one, so nothing is dropped silently
(and, from web archives, :class:`~newswatch.transforms.sources.warc.Skipped` for
records that are not articles: counted, not stored).
"""

from __future__ import annotations

import codecs
import json
import os
import re
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path

from newswatch.schemas.rows import IngestError, RawArticle, storable
from newswatch.transforms.sources.warc import Skipped, is_warc, read_warc

ARTICLE_SUFFIXES = (".txt", ".html", ".htm", ".jsonl")
MANIFEST_NAME = "manifest.jsonl"
RECORD_FIELDS = ("id", "url", "title", "published", "publisher", "language", "text", "html")
# Optional header lines right under the title of a .txt file ("URL: ...", "PUBLISHED: ...").
_TXT_HEADER = re.compile(r"^(URL|PUBLISHED|PUBLISHER|LANGUAGE):\s*(.*?)\s*$", re.IGNORECASE)
_RAW_LIMIT = 2000


def bundled_seeds() -> Path:
    """The folder of bundled seed articles (``seeds/`` with its manifest)."""
    return Path(str(resources.files("newswatch.seeds")))


EXPECTED = ".txt, .html, .htm, .jsonl, .warc or .warc.gz"


def replayable(path: Path) -> bool:
    return path.suffix.lower() in ARTICLE_SUFFIXES or is_warc(path)


def _hidden(name: str) -> bool:
    """Hidden by the convention of Hadoop and Spark output folders (``.crc``, ``_SUCCESS``) and of Python
    packages (``__init__.py``, ``__pycache__``): not an input, and not worth a row."""
    return name.startswith((".", "_"))


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path | IngestError]:
    """Files to replay, in a stable order: folders expand to their article files; any other file in a
    folder (but hidden ones, see :func:`_hidden`) is an error row, so nothing is skipped without a word."""
    for raw in paths:
        path = Path(os.path.abspath(raw))  # rows name the same file however it was typed
        if path.is_dir():
            found = sorted(p for p in _walk(path) if p.name != MANIFEST_NAME
                           and not any(_hidden(part) for part in p.relative_to(path).parts))
            files = [p for p in found if replayable(p)]
            if not files:
                yield IngestError(origin=str(path.resolve()), stage="read",
                                  error=f"folder holds no {EXPECTED} files")
            for p in found:
                if not p.exists():
                    yield IngestError(origin=str(p), stage="read", raw=str(p),
                                      error=f"broken symbolic link (to {os.readlink(p)})")
                elif not _utf8_name(p):
                    yield _bad_name(p)
                elif replayable(p):
                    yield p
                else:
                    yield IngestError(origin=str(p.resolve()), stage="read", raw=str(p),
                                      error=f"not replayed: unsupported file type {p.suffix or '(none)'} "
                                            f"(expected {EXPECTED})")
        elif path.is_file():
            if not _utf8_name(path):
                yield _bad_name(path)
            elif not replayable(path):
                yield IngestError(origin=str(path), stage="read", raw=str(path),
                                  error=f"unsupported file type {path.suffix or '(none)'}: expected {EXPECTED}")
            else:
                yield path
        else:
            yield IngestError(origin=str(path), stage="read", error="no such file or folder", raw=str(path))


def _walk(folder: Path) -> Iterator[Path]:
    """Every file under ``folder``, through symbolic links to folders (each real folder once, so a link
    loop ends), and links that lead nowhere (reported by the caller)."""
    seen = set()
    for root, dirs, files in os.walk(folder, followlinks=True):
        real = os.path.realpath(root)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        for name in files:
            p = Path(root) / name
            if p.is_file() or p.is_symlink():
                yield p


def _utf8_name(path: Path) -> bool:
    """A name the pipeline can carry: Python decodes undecodable bytes of a name to lone surrogates."""
    try:
        str(path).encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def _bad_name(path: Path) -> IngestError:
    shown = os.fsencode(path).decode("utf-8", "backslashreplace")  # (expand_paths' paths are absolute)
    return IngestError(origin=shown, stage="read", raw=shown,
                       error="file name is not valid UTF-8: rename the file to replay it")


def count_inputs(paths: Iterable[str | Path]) -> int | None:
    """How many outcomes (stored articles or error rows) a replay of ``paths`` should end with, roughly: one
    per file, one per non-blank line of a JSONL file (counted without parsing), one per path error; None
    when a web archive is among them (its records are not counted beforehand)."""
    total = 0
    for item in expand_paths(paths):
        if isinstance(item, Path) and is_warc(item):
            return None
        if isinstance(item, Path) and item.suffix.lower() == ".jsonl":
            try:
                with item.open("rb") as f:
                    total += sum(1 for line in f if line.strip())
            except OSError:
                total += 1
        else:
            total += 1
    return total


def load_manifest(folder: Path) -> tuple[dict[str, dict], list[IngestError]]:
    """``manifest.jsonl`` of a folder: file name -> metadata (url, published, publisher, language), and an error
    for every line that is not a usable entry (the files of the folder are still read, without that metadata)."""
    manifest = folder / MANIFEST_NAME
    if not manifest.is_file():
        return {}, []
    entries, errors = {}, []
    try:
        lines = manifest.read_bytes().splitlines()
    except OSError as exc:
        return {}, [IngestError(origin=str(manifest), stage="read", error=f"cannot read manifest: {exc}")]
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
                raise ValueError('expected a JSON object with a "file" name')
        except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            errors.append(IngestError(origin=f"{manifest}:{number}", stage="read",
                                      error=f"invalid manifest entry: {_reason(exc)}",
                                      raw=line[:_RAW_LIMIT].decode("utf-8", "replace")))
            continue
        entries[entry["file"]] = entry
    return entries, errors


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc) or exc.__class__.__name__


def read_file(path: Path, manifest: dict[str, dict] | None = None) -> Iterator[RawArticle | IngestError]:
    """Every article in one file (a .jsonl file may hold many); whatever a parser throws becomes an error row
    for this file, after the articles already read from it."""
    try:
        yield from _read_file(path, manifest)
    except Exception as exc:  # noqa: BLE001 - the per-file guard: one bad file never stops a replay
        yield IngestError(origin=str(path), stage="read", error=f"cannot read file: {exc.__class__.__name__}: "
                                                                  f"{_reason(exc)}", raw=str(path))


def _read_file(path: Path, manifest: dict[str, dict] | None = None) -> Iterator[RawArticle | IngestError]:
    suffix = path.suffix.lower()
    if is_warc(path):  # streamed record by record, never read whole
        yield from read_warc(path)
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield IngestError(origin=str(path), stage="read", error=f"cannot read file: {exc}", raw=str(path))
        return
    if suffix == ".jsonl":
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # JSON Lines are UTF-8, but editors...
            try:
                data = data.decode("utf-16").encode("utf-8")
            except UnicodeDecodeError as exc:
                yield IngestError(origin=str(path), stage="decode", raw=str(path),
                                  error=f"cannot decode the UTF-16 file: {exc}")
                return
        yield from parse_jsonl(data, origin=path.name, location=str(path.resolve()))
        return
    from newswatch.transforms.sources.pages import UndecodablePage, decode_html
    try:  # as pages from the network are: byte-order mark, <meta charset>, UTF-8, then detection
        content = decode_html(data)
    except UndecodablePage as exc:
        yield IngestError(origin=str(path), stage="decode", raw=str(path), error=f"cannot decode the file: {exc}")
        return
    meta = (manifest or {}).get(path.name, {})
    article = parse_html_file(content, path.name) if suffix in (".html", ".htm") else parse_txt(content, path.name)
    article.location = str(path.resolve())
    for key in ("url", "published", "publisher", "language"):
        if meta.get(key) and not getattr(article, key):
            setattr(article, key, meta[key])
            if key == "published":
                article.published_source = "manifest"
    yield article


def parse_txt(content: str, origin: str) -> RawArticle:
    """A .txt article: the first line is the title, optional header lines follow, then the body."""
    lines = content.splitlines()
    title = lines[0].strip() if lines else ""
    body_start = 1
    headers: dict[str, str] = {}
    while body_start < len(lines):
        match = _TXT_HEADER.match(lines[body_start])
        if not match:
            break
        headers[match.group(1).lower()] = match.group(2)
        body_start += 1
    published = headers.get("published")
    if published and published.lower() in ("unknown", "none", "null", "-"):
        published = None
    return RawArticle(origin=origin, title=title or None, text="\n".join(lines[body_start:]).strip("\n"),
                      url=headers.get("url") or None, published=published, publisher=headers.get("publisher"),
                      language=headers.get("language"), published_source="record" if published else None)


def parse_html_file(content: str, origin: str) -> RawArticle:
    return RawArticle(origin=origin, html=content)


def parse_jsonl(data: bytes, origin: str, location: str | None = None) -> Iterator[RawArticle | IngestError]:
    """Article records, one JSON object per line; a bad line is an error, the rest still flow. A record
    without an id is known as ``origin:line``; error rows and records' ``location`` name ``location:line``
    (the file's full path, so that files of the same name in two folders stay apart)."""
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{location or origin}:{number}"
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError, too deep
            yield IngestError(origin=where, stage="read", error=f"invalid JSON: {_reason(exc)}",
                              raw=line[:_RAW_LIMIT].decode("utf-8", "replace"))
            continue
        if isinstance(record, dict):
            record = {k: storable(v) if isinstance(v, str) else v for k, v in record.items()}
        problem = validate_record(record)
        if problem:
            named = f" {str(record['id'])[:100]!r}" if isinstance(record, dict) and record.get("id") else ""
            # known by its place, not its id: bad records that share an id are each a row
            yield IngestError(origin=where, stage="read", error=f"invalid article record{named}: {problem}",
                              raw=line[:_RAW_LIMIT].decode("utf-8", "replace"))
            continue
        yield RawArticle(origin=str(record.get("id") or f"{origin}:{number}"), location=where,
                         text=record.get("text"), html=record.get("html"),
                         url=record.get("url"), title=record.get("title"), published=record.get("published"),
                         publisher=record.get("publisher"), language=record.get("language"),
                         published_source="record" if record.get("published") else None)


def validate_record(record) -> str | None:
    """Why a JSONL article record is unusable, or None."""
    if not isinstance(record, dict):
        return f"expected a JSON object, got {type(record).__name__}"
    has_text, has_html = bool(record.get("text")), bool(record.get("html"))
    if not (has_text or has_html):
        return 'needs a non-empty "text" or "html"'
    if has_text and has_html:
        return 'give only one of "text" and "html"'
    for key in RECORD_FIELDS:
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            return f'"{key}" must be a string or null, got {type(value).__name__}'
    return None


def read_inputs(paths: Iterable[str | Path] | None) -> Iterator[RawArticle | IngestError]:
    """Everything to replay: the given paths, or the bundled seeds when there are none."""
    paths = list(paths or []) or [bundled_seeds()]
    manifests: dict[Path, dict] = {}
    for item in expand_paths(paths):
        if isinstance(item, IngestError):
            yield item
            continue
        folder = item.parent
        if folder not in manifests:
            manifests[folder], errors = load_manifest(folder)
            yield from errors
        yield from (x for x in read_file(item, manifests[folder]) if not isinstance(x, Skipped))
