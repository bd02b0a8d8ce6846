"""Which of an event's sentences tells it best: the evidence a person should read first.

An event keeps every sentence that reported it. Some say everything ("The two navies began a joint drill
off the coast on 3 May"), others only follow up ("Details were not released"). Each sentence was chosen
because it holds the event's trigger; what makes one more informative is that it is part of the story, not
its background, names the parties itself, and says when.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass

from newswatch.transforms.language import actors, dates


@dataclass(frozen=True)
class Evidence:
    text: str
    in_background: bool = False
    confidence: float | None = None
    char_start: int = 0


@functools.cache
def _name_pattern(code: str) -> re.Pattern[str] | None:
    names = sorted(actors.names_by_code().get(code, ()), key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)")


def parties_named(sentence: str, participants) -> int:
    """How many of the participants the sentence names (by any gazetteer name, demonym, capital or force)."""
    text = sentence.replace("\u2019", "'")
    found = 0
    for code in participants:
        pattern = _name_pattern(code)
        if pattern is not None and pattern.search(text):
            found += 1
    return found


def says_when(sentence: str) -> bool:
    """Whether the sentence holds a date expression, absolute ("3 May 2021") or relative ("on Tuesday");
    only its presence counts here, so any reference day resolves the relative ones."""
    return bool(dates.find_dates(sentence, datetime.date(2000, 1, 1)))


def informativeness(evidence: Evidence, participants) -> tuple:
    """A sort key, larger is better: foreground first, then more parties named, then a date in the
    sentence, then the extractor's confidence, then the earlier sentence."""
    return (not evidence.in_background,
            parties_named(evidence.text, participants),
            says_when(evidence.text),
            evidence.confidence if evidence.confidence is not None else 0.0,
            -evidence.char_start)


def most_informative(candidates, participants) -> Evidence | None:
    """The best of an event's sentences (see :func:`informativeness`), or None when it has none."""
    candidates = [c for c in candidates if c.text]
    if not candidates:
        return None
    return max(candidates, key=lambda c: informativeness(c, participants))
