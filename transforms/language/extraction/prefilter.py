"""The cascade's cheap first pass: can the rule extractor find any event in this article at all?

Most news is not about defence cooperation. Before the spaCy pipeline runs, :func:`may_report_events`
checks, with the rule extractor's own patterns (``data/events.toml``) and the gazetteer's names on the
plain text, the conditions every one of its mentions needs (``rules.extract_mentions``), each loosened from
"in the sentence" to "anywhere in the title or text":

* an anchor of some event type (its subject and object anchors counted whatever their subject or object),
  or one of its context anchors next to the defence or equipment lexicon or a named force or ship;
* that type's other requirements: its ``requires_any`` words (or, for a joint exercise, two states named),
  its lexicon (or a named force or ship), the equipment lexicon for a transfer, and the defence lexicon for
  talks, agreements and pledges;
* some actor named at all (no named actor, no party).

So it only answers "no" where the rules could not have proposed anything, and an article it turns away is
stored with no events, exactly as the full pass would have stored it: the cascade loses nothing, which
``tests/test_cascade.py`` checks on every annotated article. It serves the ``rules`` and ``hybrid``
extractors (whose events are the rules' proposals); ``components`` finds triggers by lemma, which needs the
pipeline, and runs without it.
"""

from __future__ import annotations

import functools
import re

from newswatch.transforms.language import actors
from newswatch.transforms.language.extraction import rules

# Types that, besides their own requirements, need the defence lexicon (rules.extract_mentions).
_NEED_DEFENCE = frozenset({"dialogue_meeting", "agreement", "pledge_statement"})


@functools.cache
def _names(bounded: bool = False) -> tuple[re.Pattern, dict[str, str], re.Pattern | None]:
    """Every gazetteer string the EntityRuler matches (case-sensitive, as its ORTH patterns), as one pattern
    with each string's code, and the forces' and ships' names apart. Without ``bounded`` the pattern has no
    word boundaries (a superset of the ruler's token matches, for the first pass); with it, whole words."""
    codes: dict[str, str] = {}
    military: set[str] = set()
    for p in actors.ruler_patterns():
        if p["label"] == actors.NOT_ACTOR or not isinstance(p["pattern"], str) or not p.get("id"):
            continue
        codes.setdefault(p["pattern"], p["id"])
        if p["label"] in (actors.FORCE, actors.SHIP):
            military.add(p["pattern"])
    left, right = (r"(?<!\w)(?:", r")(?!\w)") if bounded else ("(?:", ")")

    def alternation(names) -> re.Pattern:
        return re.compile(left + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + right)

    return alternation(codes), codes, alternation(military) if military else None


def states_named(text: str) -> set[str]:
    """The states the gazetteer finds named in ``text`` as whole words (no parse: a keyword search)."""
    names, codes, _ = _names(bounded=True)
    return {code for code in (codes[m.group(0)] for m in names.finditer(text)) if actors.is_state(code)}


def may_report_events(title: str | None, text: str) -> bool:
    """False only when the rule extractor cannot propose an event in this article (see the module docstring)."""
    full = f"{title or ''}\n{text}"
    names, codes, military_names = _names()
    found = {codes[m.group(0)] for m in names.finditer(full)}
    if not found:
        return False
    c = rules.cues()

    @functools.cache
    def lex(name: str) -> bool:
        return bool(c.lexicon[name].search(full))

    @functools.cache
    def military() -> bool:
        return bool(military_names and military_names.search(full))

    states = sum(1 for code in found if actors.is_state(code))
    for rule in c.types:
        anchored = bool(rule.anchors.search(full)) or any(
            extra and extra.search(full) for extra in (rule.subject_anchors, rule.object_anchors)) or bool(
            rule.context_anchors and rule.context_anchors.search(full)
            and (lex("defence") or lex("equipment") or military()))
        if not anchored:
            continue
        if rule.requires_any and not rule.requires_any.search(full) and not (
                rule.name == "joint_exercise" and states >= 2):
            continue
        if rule.requires_lexicon and not (lex(rule.requires_lexicon) or military()):
            continue
        if rule.requires_equipment and not lex("equipment"):
            continue
        if rule.name in _NEED_DEFENCE and not lex("defence"):
            continue
        return True
    return False
