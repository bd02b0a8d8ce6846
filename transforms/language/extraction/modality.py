"""Does a trigger report a real event, and has it happened? Read off the parse around the trigger.

Only the trigger, the words that govern it (its head chain up to the clause
head and beyond it through complements: "denied that ...", "is considering
whether to ...") and their direct dependents are looked at, never a window of
text. The words are data (``data/modality.toml``).

- ``negated``: a ``neg`` dependent ("did not sign"), or a denying or cancelling
  word or phrasal verb governing the trigger ("denied holding talks", "the
  postponement of the drill", "ruled out joint patrols").
- ``speculative``: a speculative modal ("could sign"), a condition ("if they
  sign"), a question, a speculating verb governing it ("imagine them patrolling
  together", "is considering a deal"), or a hedging adjective ("a possible
  sale").
- ``habitual``: a habit, not an act ("regularly hold drills", "their annual
  exercises", "the enduring commitment").
- ``planned``: "will", "is set to", "agreed to hold", "the upcoming summit",
  "ahead of the talks", a verb of planning or awaiting over it ("plan joint
  drills", "wait for the first talks"); ``would`` under a reporting verb is a
  plan.
- ``occurred`` otherwise.
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources

from newswatch.transforms.language.extraction.triggers import lemma

OCCURRED, PLANNED, NEGATED, SPECULATIVE, HABITUAL = "occurred", "planned", "negated", "speculative", "habitual"


@functools.cache
def modality_data() -> dict:
    text = resources.files("newswatch.transforms.language").joinpath("data/modality.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    return {section: {k: frozenset(v) for k, v in values.items()} for section, values in raw.items()}


@functools.cache
def reporting_verbs() -> frozenset[str]:
    """Verbs whose complement is reported: of speech and of belief (modality.toml ``[reporting]``)."""
    d = modality_data()["reporting"]
    return d["verbs"] | d["belief"]


def governors(anchor, limit: int = 12):
    """The trigger and the words above it, nearest first."""
    out = [anchor]
    tok = anchor
    while tok.head.i != tok.i and len(out) < limit:
        tok = tok.head
        out.append(tok)
    return out


def assess(anchor, head) -> tuple[str, str]:
    """(modality, reason) of the trigger token ``anchor`` whose clause head is ``head``."""
    d = modality_data()
    doc = anchor.doc
    if not doc.has_annotation("DEP"):
        return _assess_flat(anchor)
    chain = governors(anchor)
    idx = [t.i for t in chain]
    in_clause = chain[: idx.index(head.i) + 1] if head.i in idx else chain
    if own_conjunct(in_clause[-1]):
        # a clause coordinated with another and having its own subject takes nothing of the other clause's
        # verb: neither its negation nor its modals nor its denial ("C did not join, but A and B held a drill");
        # what governs both ("officials hope that A will ... and that B and C hold a drill") still counts, and so
        # does a verb of reporting that the parse makes the other clause ("officials said A would ..., and B and C
        # would hold a drill": "hold" coordinated with "said")
        rest, prev, kept = chain[len(in_clause):], in_clause[-1], []
        while rest and prev.dep_ == "conj":
            prev, rest = rest[0], rest[1:]
            if lemma(prev) in reporting_verbs():
                kept.append(prev)
        chain = in_clause + kept + rest
    above = chain[len(in_clause):]
    sent = anchor.sent
    if sent.text.rstrip().endswith("?"):
        return SPECULATIVE, "a question"
    for tok in in_clause:
        for child in tok.children:
            if child.dep_ == "neg" or (child.lower_ in ("no", "never") and child.dep_ in ("det", "advmod")):
                return NEGATED, f"'{child.text}' on '{tok.text}'"
    for tok in chain:
        lem = lemma(tok)
        if tok.i != anchor.i and (lem in d["not_event"]["deny"] or lem in d["not_event"]["cancel"]):
            return NEGATED, f"governed by '{tok.text}'"
        phrasal = _phrasal(tok)
        if tok.i != anchor.i and phrasal in d["not_event"]["phrasal"] and _takes(anchor, tok):
            return NEGATED, f"governed by '{tok.text} {phrasal.split()[-1]}'"
        if tok.i != anchor.i and lem in d["not_event"]["speculate"] and tok.pos_ in ("VERB", "NOUN", "AUX", "ADJ") and not (
                lem in d["not_event"]["names_not_speculates"] and any(c.dep_ == "oprd" and anchor in c.subtree
                                                                         for c in tok.children)):
            # "called for talks", "proposed a pact": but "a call" between leaders is itself a meeting
            return SPECULATIVE, f"governed by '{tok.text}'"
    for tok in above:
        for child in tok.children:
            if child.dep_ == "neg" and tok.pos_ in ("VERB", "AUX") and lemma(tok) not in reporting_verbs():
                return NEGATED, f"'{child.text}' on '{tok.text}'"
    reported = any(lemma(t) in reporting_verbs() for t in above)
    planned = False
    for tok in in_clause + above[:2]:
        for child in tok.children:
            lem = lemma(child)
            if child.dep_ == "mark" and child.lower_ in d["not_event"]["conditional_marks"]:
                return SPECULATIVE, f"'{child.text}' clause"
            if child.dep_ == "aux":
                if child.lower_ in d["not_event"]["modals"] or (lem in d["not_event"]["modals"]):
                    return SPECULATIVE, f"modal '{child.text}'"
                if child.lower_ == "would":
                    if reported or tok.i != head.i:
                        planned = True
                    else:
                        return SPECULATIVE, "modal 'would'"
                if child.lower_ in d["planned"]["modals"]:
                    planned = True
            if child.dep_ in ("amod", "advmod", "npadvmod") and lem in d["habitual"]["adverbs"]:
                return HABITUAL, f"'{child.text}'"
    for child in anchor.children:
        lem = lemma(child)
        if child.dep_ in ("amod", "compound", "advmod") and child.lower_ in d["not_event"]["speculative_adjectives"]:
            return SPECULATIVE, f"'{child.text}'"
        if child.dep_ in ("amod", "compound") and (lem in d["habitual"]["adjectives"]
                                                   or child.lower_ in d["habitual"]["adjectives"]):
            return HABITUAL, f"'{child.text}'"
        if child.dep_ in ("amod", "compound") and child.lower_ in d["planned"]["adjectives"]:
            planned = True
    for tok in chain[1:]:
        if lemma(tok) in d["planned"]["verbs"] and tok.pos_ in ("VERB", "ADJ", "AUX") and tok.i != anchor.i:
            # "agreed to hold drills", "is set to sign": a complement of intent
            if any(c.dep_ == "xcomp" or c.dep_ == "ccomp" for c in tok.children) and _under_xcomp(anchor, tok):
                planned = True
        if lemma(tok) in d["planned"]["awaiting_verbs"] and tok.pos_ == "VERB" and _awaited(anchor, tok):
            planned = True  # "plan joint drills", "schedule talks for June", "wait for the first drills"
        if tok.dep_ == "prep" and tok.lower_ in d["planned"]["before_preps"]:
            planned = True
        if tok.i == head.i:
            break
    return (PLANNED, "future") if planned else (OCCURRED, "")


def own_conjunct(tok) -> bool:
    """A verb coordinated with the one above it that has a subject of its own; not by "nor", which negates
    both ("A has not sent arms, nor will it send any")."""
    return tok.dep_ == "conj" and tok.pos_ in ("VERB", "AUX") and any(
        c.dep_ in ("nsubj", "nsubjpass") for c in tok.children) and not any(
        c.dep_ in ("cc", "preconj") and c.lower_ in ("nor", "neither") for c in [*tok.head.children, *tok.children])


def own_predicate(tok) -> bool:
    """A verb coordinated with the one above it that carries an auxiliary of its own, sharing the subject
    ("A held talks on Monday and will sign a pact": the "will" is the signing's, not the talks')."""
    return tok.dep_ == "conj" and tok.pos_ in ("VERB", "AUX") and tok.head.pos_ in ("VERB", "AUX") and any(
        c.dep_ in ("aux", "auxpass") for c in tok.children)


def _awaited(anchor, verb) -> bool:
    """The trigger is what ``verb``, not told in the past, takes as its direct object ("plan joint drills") or
    waits for or on ("waiting for the first drills"); not something reached through another noun ("awaiting
    the results of the drills", "planning a repeat of the drills held in April"), not its subject ("the
    drills, scheduled to last a week, ..."), nor a time it is told by ("anticipated since the meeting")."""
    if _told_in_past(verb):
        return False
    if anchor.head.i == verb.i:
        return anchor.dep_ in ("dobj", "obj")
    prep = anchor.head
    return anchor.dep_ == "pobj" and prep.dep_ == "prep" and prep.lower_ in ("for", "on") and prep.head.i == verb.i


def _told_in_past(verb) -> bool:
    """The verb, or the first finite verb above an untensed one, is told in the past: "planned the drills for
    months", "was waiting for the drills", "had been waiting", "having waited", "began planning", "met in
    March to plan"."""
    tok = verb
    while True:
        auxes = [c.lower_ for c in tok.children if c.dep_ in ("aux", "auxpass") and c.lower_ != "to"]
        if tok.tag_ == "VBD" or any(a in ("was", "were", "had", "did", "having") for a in auxes):
            return True
        if tok.tag_ in ("VBZ", "VBP", "MD") or auxes:
            return False  # a present or future tense, or one that the auxiliaries above make so
        if tok.head.i == tok.i:
            return False
        tok = tok.head


def _takes(anchor, verb) -> bool:
    """A phrasal verb of cancelling governs the trigger as what it acts on: its object or complement ("ruled
    out joint patrols", "ruled out holding drills", "put off the signing of the pact"), in its own clause, by
    links of objects and complements only; not a clause coordinated with it ("turned down a loan but held
    drills") nor a time beside it ("ruled out a sale a day after signing a pact")."""
    tok = anchor
    while tok.dep_ in _TAKEN or (tok.dep_ == "prep" and tok.lower_ in ("on", "of")):
        if tok.head.i == verb.i:
            return True
        if tok.head.i == tok.i:
            return False
        tok = tok.head
    return False


# links by which a verb acts on what it governs: objects and complements, and the words inside their phrases
_TAKEN = frozenset({"dobj", "obj", "xcomp", "ccomp", "pcomp", "pobj", "nsubjpass", "compound", "amod", "nmod"})


def _phrasal(tok) -> str:
    """The verb with its particle, as modality.toml's ``phrasal`` lists it ("rule out", "call off")."""
    particles = [c.lower_ for c in tok.children if c.dep_ == "prt"]
    return f"{lemma(tok)} {particles[0]}" if particles else ""


def _under_xcomp(anchor, gov) -> bool:
    tok = anchor
    while tok.head.i != tok.i and tok.i != gov.i:
        if tok.dep_ == "xcomp" and tok.head.i == gov.i:
            return True
        tok = tok.head
    return False


def _assess_flat(anchor) -> tuple[str, str]:
    """Without a parse: only the words right before the trigger."""
    d = modality_data()
    doc = anchor.doc
    before = [t.lower_ for t in doc[max(anchor.sent.start, anchor.i - 4):anchor.i]]
    if any(w in ("not", "n't", "never", "no") for w in before):
        return NEGATED, "negation before the trigger"
    if any(w in d["not_event"]["modals"] for w in before):
        return SPECULATIVE, "modal before the trigger"
    if any(w in d["planned"]["modals"] for w in before):
        return PLANNED, "future"
    return OCCURRED, ""
