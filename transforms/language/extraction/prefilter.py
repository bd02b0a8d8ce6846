"""The cascade's cheap first pass: can the rule extractor find any event in this article at all?

Most news is not about defence cooperation. Before the spaCy pipeline runs, :func:`may_report_events`
checks, with the rule extractor's own patterns (``data/events.toml``) and the gazetteer's names on the
plain text, the conditions each of its mentions needs in its sentence (``rules.extract_mentions``), loosened
from "in the sentence" to "in its line" (the pipeline ends a sentence at every line break, ``nlp.py``):

* an anchor of some event type (its subject and object anchors counted whatever their subject or object,
  its maker anchors with a "-made" or "-built" in the line), or
  one of its context anchors, in an article about their context, next to the defence or equipment lexicon
  or a named force or ship;
* that type's other requirements: its ``requires_any`` words (or, for a joint exercise, two states or an
  organisation named: a bloc's own drill), its lexicon (or a named force or ship, or an article about
  defence where the type allows it), the equipment lexicon for a transfer (or in the title or a line
  before, which "the deal" may point back at), and the defence lexicon (or an article about defence) for
  talks, agreements and pledges;
* some actor named in the title or text (parties may come from other sentences: "the two countries").

The article-level facts (an article about defence, the context of the head) are the rules' own functions.
A sentence that finds an event only because the one before found one (``prev_found``) follows a sentence
that passed on its own, so its line or an earlier one passes. The check only answers "no" where the
rules could not have proposed anything, and an article it turns away is stored with no events, exactly as
the full pass would have stored it: the cascade loses nothing, which ``tests/test_cascade.py`` checks on
every annotated article. It serves the ``rules`` and
``hybrid`` extractors (whose events are the rules' proposals); ``components`` finds triggers by lemma, which
needs the pipeline, and runs without it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from newswatch.transforms.language import actors
from newswatch.transforms.language.extraction import rules

# Types that, besides their own requirements, need the defence lexicon (rules.extract_mentions).
_NEED_DEFENCE = frozenset({"dialogue_meeting", "agreement", "pledge_statement"})


@functools.cache
def _names(bounded: bool = False) -> tuple[re.Pattern, dict[str, str], re.Pattern | None]:
    """Every gazetteer string the EntityRuler matches (case-sensitive, as its ORTH patterns), as one pattern
    with each string's code, and the forces' and ships' names apart. Without ``bounded`` the pattern has no
    word boundaries (a superset of the ruler's token matches, for the first pass, with the combining forms the
    pipeline marks before a hyphen and a state: "Sino-Indian"); with it, whole words of the ruler's strings."""
    codes: dict[str, str] = {}
    military: set[str] = set()
    for p in actors.ruler_patterns():
        if p["label"] == actors.NOT_ACTOR or not isinstance(p["pattern"], str) or not p.get("id"):
            continue
        codes.setdefault(p["pattern"], p["id"])
        if p["label"] in (actors.FORCE, actors.SHIP):
            military.add(p["pattern"])
    if not bounded:
        for form, code in actors.combining_forms().items():
            codes.setdefault(form, code)
    left, right = (r"(?<!\w)(?:", r")(?!\w)") if bounded else ("(?:", ")")

    def alternation(names) -> re.Pattern:
        return re.compile(left + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + right)

    return alternation(codes), codes, alternation(military) if military else None


def states_named(text: str) -> set[str]:
    """The states the gazetteer finds named in ``text`` as whole words (no parse: a keyword search)."""
    names, codes, _ = _names(bounded=True)
    return {code for code in (codes[m.group(0)] for m in names.finditer(text)) if actors.is_state(code)}


def may_report(article) -> bool:
    """Whether the rules could find an event in ``article`` (an Article): it has text, and the first pass says
    yes. What the cascade of ``gate.extract_events`` and the worker pool's dispatch both ask."""
    return bool(article.text.strip()) and may_report_events(article.title, article.text)


def may_report_events(title: str | None, text: str) -> bool:
    """False only when the rule extractor cannot propose an event in this article (see the module docstring)."""
    names = _names()[0]
    return bool(names.search(f"{title or ''}\n{text}")) and any(passes for _, passes in line_tests(title, text))


def line_tests(title: str | None, text: str) -> Iterator[tuple[str, bool]]:
    """Each line of ``text`` with whether it meets, on its own, some type's conditions (:func:`_line_may_report`),
    lazily: the first pass stops at the first that does."""
    names, codes, military_names = _names()
    c = rules.cues()
    about_defence = rules.defence_article(title, text)
    context = rules.head_context(title, text)
    # "the deal" may point back at the title or at the sentence before, which may lie lines back (past blank
    # lines and skipped sub-headings): equipment anywhere before the line counts, a superset of both
    equipment_before = bool(c.lexicon["equipment"].search(title or ""))
    for line in text.split("\n"):
        yield line, _line_may_report(c, line, about_defence, context, equipment_before, names, codes, military_names)
        equipment_before = equipment_before or bool(c.lexicon["equipment"].search(line))


def _line_may_report(c, line: str, about_defence: bool, context: set[str], equipment_before: bool,
                        names: re.Pattern, codes: dict[str, str], military_names: re.Pattern | None) -> bool:
    """Whether one line meets, for some type, the conditions ``rules.extract_mentions`` sets a sentence
    (``equipment_before``: the equipment lexicon in the title or the line before)."""

    @functools.cache
    def lex(name: str) -> bool:
        return bool(c.lexicon[name].search(line))

    @functools.cache
    def military() -> bool:
        return bool(military_names and military_names.search(line))

    @functools.cache
    def states() -> int:
        return len({code for code in (codes[m.group(0)] for m in names.finditer(line)) if actors.is_state(code)})

    @functools.cache
    def bloc() -> bool:  # an organisation of states named as a word, whose own drill needs no word of joining
        words, word_codes, _ = _names(bounded=True)
        return any(word_codes[m.group(0)] in actors.organisation_codes() for m in words.finditer(line))

    for rule in c.types:
        anchored = bool(rule.anchors.search(line)) or any(
            extra and extra.search(line) for extra in (rule.subject_anchors, rule.object_anchors)) or bool(
            rule.maker_anchors and rule.maker_anchors.search(line) and rules.MADE_BY.search(line)) or bool(
            rule.context_anchors and rule.context_lexicon in context
            and (lex("defence") or lex("equipment") or military()) and rule.context_anchors.search(line))
        if not anchored:
            continue
        if rule.requires_any and not rule.requires_any.search(line) and not (rule.warship_meets and military()) \
                and not (rule.name == "joint_exercise" and (states() >= 2 or bloc())):
            continue
        if rule.requires_lexicon and not (lex(rule.requires_lexicon) or military()
                                          or (about_defence and not rule.lexicon_in_sentence)):
            continue
        if rule.requires_equipment and not (lex("equipment") or equipment_before):
            continue
        if rule.name in _NEED_DEFENCE and not (lex("defence") or about_defence):
            continue
        return True
    return False
