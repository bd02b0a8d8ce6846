"""Who takes part in an event: the parties of a trigger, read off the dependency parse.

The event's clause is the subtree of the verb that governs the trigger
(:func:`clause_head`): "X and Y held drills", "X signed a deal with Y", "the
X-Y talks", "Indonesian and Australian troops trained". An actor in that
clause is a party unless its way up to the clause head passes through an
excluding preposition ("without X", "against X") or word ("wary of X", "the
threat from X", "X-made jets"), or it names the place ("in X"), which counts as
the host only when the event otherwise has a single party. Reported speech
("Z said X and Y held drills") keeps Z out; a pronoun subject ("Z said it
would hold drills with Y") resolves to the reporting verb's subject. Pair
words ("both sides", "his counterpart", "the two navies") complete a single
party with the article's main pair, and a multilateral event whose members
are listed in the next sentence of the paragraph ("with the participation of
A, B and C") takes them.

Without a parser every actor of the sentence not after an excluding
preposition is a party: lower precision, as the pipeline warns.
"""

from __future__ import annotations

import functools
import re
import tomllib
from importlib import resources

from newswatch.transforms.language import actors
from newswatch.transforms.language.extraction.triggers import lemma

# Dependencies through which the clause of a trigger continues upwards.
_CLAUSE_BREAK = frozenset({"ROOT", "ccomp", "relcl", "parataxis", "csubj", "acl"})
_SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj", "expl"})
_PRONOUNS = frozenset({"it", "they", "we", "he", "she", "i"})


@functools.cache
def role_data() -> dict:
    text = resources.files("newswatch.transforms.language").joinpath("data/roles.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return {k: frozenset(v) for k, v in data.items()}


def has_parse(doc) -> bool:
    return doc.has_annotation("DEP")


def _has_subject(tok) -> bool:
    return any(c.dep_ in _SUBJECTS for c in tok.children)


def clause_head(anchor):
    """The verb (or root) whose clause holds the trigger: climb while the clause goes on."""
    tok = anchor
    while tok.head.i != tok.i:
        if tok.dep_ in _CLAUSE_BREAK:
            break
        if tok.dep_ in ("conj", "advcl", "xcomp") and tok.pos_ in ("VERB", "AUX") and _has_subject(tok) \
                and tok.i != anchor.i:
            break
        if tok.dep_ == "conj" and tok.pos_ in ("VERB", "AUX") and _has_subject(tok):
            break
        tok = tok.head
    return tok


def path_up(tok, stop):
    """Tokens from tok (excluded) up to stop (excluded); None when stop is not an ancestor."""
    path = []
    cur = tok
    while cur.i != stop.i:
        if cur.head.i == cur.i:
            return None
        cur = cur.head
        if cur.i == stop.i:
            return path
        path.append(cur)
    return path


def excluded(tok, path, words: frozenset[str] | None = None) -> str | None:
    """Why the actor at ``tok``, ``path`` below the trigger's clause head, is no party, or None (``words``: the
    excluding words, by default the rivalry words and the others)."""
    data = role_data()
    words = words if words is not None else _all_excluding_words()
    for t in [tok] + path:
        if t.dep_ == "prep" or t.pos_ == "ADP":
            if t.lower_ in data["excluding_preps"]:
                return "excluding preposition"
    for t in path:
        if lemma(t) in words:
            return "excluding word"
        if t.dep_ in ("relcl", "ccomp", "advcl") and _has_subject(t):
            return "another clause"
    # "X-made": the hyphenated compound attaches to its own head
    nxt = tok.nbor(1) if tok.i + 2 < len(tok.doc) else None
    if nxt is not None and nxt.text == "-" and lemma(tok.nbor(2)) in words:
        return "excluding word"
    return None


@functools.cache
def rivalry_words() -> frozenset[str]:
    """Lemmas through which an actor is a rival or a target (roles.toml ``rivalry_words``)."""
    return frozenset(role_data()["rivalry_words"])


@functools.cache
def reaction_verbs() -> frozenset[str]:
    """Lemmas of verbs that tell a reaction to an event (roles.toml ``approving_verbs`` and ``objecting_verbs``)."""
    return frozenset(role_data()["approving_verbs"]) | objecting_verbs()


@functools.cache
def objecting_verbs() -> frozenset[str]:
    """Lemmas of verbs whose subject objects to an event (roles.toml ``objecting_verbs``)."""
    return frozenset(role_data()["objecting_verbs"])


@functools.cache
def receiving_verbs() -> frozenset[str]:
    """Lemmas of verbs whose subject takes a thing (roles.toml ``receiving_verbs``)."""
    return frozenset(role_data()["receiving_verbs"])


@functools.cache
def _all_excluding_words() -> frozenset[str]:
    return rivalry_words() | frozenset(role_data()["excluding_words"])


def _place(tok, path) -> bool:
    """The actor is the object of a place preposition ("in X", "off X")."""
    first = ([tok] + path)
    for t in first[:3]:
        if t.dep_ == "prep" or t.pos_ == "ADP":
            return t.lower_ in role_data()["place_preps"]
    return False


def actor_token(doc, mention):
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    return span.root if span is not None else None


def parties(doc, sent, anchor, sent_actors, persons: dict[str, str], event_type: str
            ) -> tuple[list[str], list[str], str]:
    """(parties, hosts, how): parties in order of appearance; hosts are place actors of the clause."""
    if not has_parse(doc):
        return _parties_without_parse(doc, sent, sent_actors, persons), [], "sentence"
    head = clause_head(anchor)
    found: list[str] = []
    hosts: list[str] = []
    for m in sent_actors:
        tok = actor_token(doc, m)
        if tok is None:
            continue
        path = path_up(tok, head) if tok.i != head.i else []
        if path is None:
            continue
        if excluded(tok, path):
            continue
        if m.kind == actors.ORG and tok.dep_ in ("compound", "amod", "nmod") and tok.head.pos_ == "NOUN" \
                and tok.head.i != anchor.i and event_type != "peacekeeping_hadr":
            continue  # "UN standards", "NATO-grade kit": the organisation qualifies a thing
        if m.kind in actors.PLACE_LABELS and _place(tok, path):
            hosts.append(m.code)
            continue
        found.append(m.code)
    # people linked to states by their titles
    clause = {t.i for t in head.subtree}
    for ent in sent.ents:
        if ent.label_ != "PERSON" or ent.root.i not in clause:
            continue
        code = persons.get(ent.text) or next((persons[t.text] for t in ent if t.text in persons), None)
        if code and not excluded(ent.root, path_up(ent.root, head) or []):
            found.append(code)
    # "X said it would hold drills with Y": the pronoun subject is the reporting verb's subject
    subj = next((c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subj is not None and subj.lower_ in _PRONOUNS and head.dep_ == "ccomp":
        gov = head.head
        for m in sent_actors:
            tok = actor_token(doc, m)
            if tok is not None and tok.head.i == gov.i and tok.dep_ in ("nsubj", "nsubjpass"):
                found.append(m.code)
            elif tok is not None and tok.dep_ in ("compound", "poss", "amod") and tok.head.head.i == gov.i \
                    and tok.head.dep_ in ("nsubj", "nsubjpass"):
                found.append(m.code)
    return list(dict.fromkeys(found)), list(dict.fromkeys(hosts)), "parse"


def _parties_without_parse(doc, sent, sent_actors, persons) -> list[str]:
    data = role_data()
    out = []
    for m in sent_actors:
        before = doc.text[sent.start_char:m.start].lower().split()
        if before and before[-1] in data["excluding_preps"]:
            continue
        if m.kind in actors.PLACE_LABELS and before and before[-1] in data["place_preps"]:
            continue
        out.append(m.code)
    return list(dict.fromkeys(out))


def unnamed_place(doc, head) -> bool:
    """The clause names a place the gazetteer does not know ("arrived in <port city>"): a host to be found
    elsewhere in the article."""
    if not has_parse(doc):
        return False
    for tok in head.subtree:
        if tok.ent_type_ in ("GPE", "LOC", "FAC") and tok.dep_ == "pobj" and tok.head.lower_ in role_data()["place_preps"]:
            return True
    return False


def refers_to_pair(sent, head=None) -> bool:
    """The clause points back at the article's main pair ("both sides", "his counterpart", "the two navies")."""
    words = role_data()["pair_words"]
    toks = list(head.subtree) if head is not None and has_parse(sent.doc) else list(sent)
    text = " ".join(t.lower_ for t in toks)
    return any(re.search(rf"\b{re.escape(w)}\b", text) for w in words)


def roster(doc, sent, next_sent, next_actors) -> list[str]:
    """States listed in the next sentence as the participants ("with the participation of A, B and C")."""
    if next_sent is None or "\n" in doc.text[sent.end_char:next_sent.start_char]:
        return []
    states = [m.code for m in next_actors if actors.is_state(m.code) or m.kind == actors.ORG]
    if len(set(states)) < 2:
        return []
    if not any(lemma(t) in role_data()["roster_words"] for t in next_sent):
        return []
    return list(dict.fromkeys(states))
