"""Plain-text cleaning: keep the article, drop the page furniture around it.

Related-post lists, reader-comment sections, "most viewed" boxes and photo
credits would otherwise reach extraction and yield events that the article
does not report. The markers are data (``data/boilerplate.toml``).
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from importlib import resources

# A section marker only ends the article when this share of the text stands before it.
MIN_SHARE_BEFORE_SECTION = 0.3


@functools.cache
def _rules() -> dict:
    text = resources.files("newswatch.transforms.language").joinpath("data/boilerplate.toml").read_text(encoding="utf-8")
    rules = tomllib.loads(text)
    return {
        "sections": frozenset(rules["section_starts"]),
        "lines": [re.compile(p, re.IGNORECASE if not p.startswith("^[A-Z") else 0) for p in rules["line_patterns"]],
        "inline_credit": re.compile(rules["inline_credit"], re.IGNORECASE),
        "max_words": rules["max_furniture_words"],
    }


def normalise(text: str) -> str:
    """Unicode NFC, unified newlines, no trailing spaces, no runs of blank lines."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line.strip() and out and not out[-1].strip():
            continue
        out.append(line)
    return "\n".join(out).strip()


def _marker_key(line: str) -> str:
    key = re.sub(r"\[\s*\d+\s*\]|\(\s*\d+\s*\)", "", line.strip().lower())
    return key.strip(" :.-–—|»›>#*•^").strip()


def is_section_start(line: str) -> bool:
    return _marker_key(line) in _rules()["sections"]


def is_furniture_line(line: str) -> bool:
    stripped = line.strip()
    if not stripped:
        return False
    rules = _rules()
    if any(p.search(stripped) for p in rules["lines"]):
        return True
    words = stripped.split()
    if len(words) <= rules["max_words"] and not re.search(r"[.!?\"”]$", stripped):
        # short non-sentences that are not plain English words (share widgets, mobile links, emoji)
        if not stripped.isascii() and not any(w[:1].isupper() and w.isascii() for w in words):
            return True
        if re.fullmatch(r"[\W_]+", stripped):
            return True
    return False


def clean_text(text: str, title: str | None = None) -> str:
    """The article text without page furniture; paragraphs are kept as lines."""
    lines = normalise(text).split("\n")
    total = sum(len(line) + 1 for line in lines) or 1
    kept: list[str] = []
    seen = 0
    credit = _rules()["inline_credit"]
    for line in lines:
        if is_section_start(line) and seen >= MIN_SHARE_BEFORE_SECTION * total:
            break
        seen += len(line) + 1
        if is_section_start(line) or is_furniture_line(line):
            continue
        kept.append(credit.sub("", line))
    return normalise("\n".join(kept))
