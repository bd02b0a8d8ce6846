"""Trigger words of the event types: a spaCy component (and :func:`mark`) that marks them in ``doc.spans["nw_triggers"]``.

The words live in ``data/triggers.toml``, matched on lemma and coarse part of
speech, so "signed", "signing" and "signs" are one entry. A noun followed by
one of its type's ``not_before`` nouns is a modifier ("a patrol boat"), not a
trigger. Without a trained pipeline (no lemmas or tags), lower-cased word forms
are matched instead, with a crude plural and past-tense folding.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from newswatch.schemas import event_types

SPAN_KEY = "nw_triggers"


@dataclass(frozen=True)
class TriggerSpec:
    nouns: tuple[str, ...]
    verbs: tuple[str, ...]
    not_before: frozenset[str]
    context: bool


@functools.cache
def trigger_data() -> dict:
    text = resources.files("newswatch.transforms.language").joinpath("data/triggers.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    unknown = set(data["types"]) - set(event_types())
    if unknown:
        raise ValueError(f"triggers.toml names unknown event types: {sorted(unknown)}")
    return data


@functools.cache
def specs() -> dict[str, TriggerSpec]:
    return {name: TriggerSpec(tuple(spec.get("nouns", ())), tuple(spec.get("verbs", ())),
                              frozenset(spec.get("not_before", ())), bool(spec.get("context", False)))
            for name, spec in trigger_data()["types"].items()}


@functools.cache
def context_lemmas() -> frozenset[str]:
    return frozenset(trigger_data()["context"]["defence"])


def fold(word: str) -> str:
    """A lemma for a pipeline without a lemmatizer: lower case, plural and -ed/-ing endings dropped."""
    w = word.lower()
    for suffix, repl in (("ies", "y"), ("ses", "s"), ("ings", ""), ("ing", ""), ("ed", ""), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return w[: len(w) - len(suffix)] + repl
    return w


def lemma(token) -> str:
    """The token's lemma, lower-cased; folded word form when the pipeline has no lemmatizer."""
    lem = token.lemma_.lower()
    return lem if lem and token.doc.has_annotation("LEMMA") else fold(token.text)


def _forms(word: str) -> set[str]:
    """A word and its regular inflections, doubling a final consonant too ("patrol", "patrolled")."""
    stems = {word, word.rstrip("e")}
    if word[-1:] in "lgnpt" and word[-2:-1] in "aeiou":
        stems.add(word + word[-1])
    forms = {word, word + "s", word + "es"}
    for stem in stems:
        forms |= {stem + "ed", stem + "ing"}
    return forms


def _patterns(words, pos: tuple[str, ...], tagged: bool, folded: bool):
    out = []
    for entry in words:
        parts = entry.split()
        pattern = []
        for part in parts:
            if folded:
                pattern.append({"NORM": {"IN": sorted(_forms(part))}})
            else:
                # the lemmatizer leaves rarer inflections alone ("patrolling"): accept those forms as lemmas too
                pattern.append({"LEMMA": {"IN": sorted(_forms(part))}})
        if tagged:
            pattern[-1]["POS"] = {"IN": list(pos)}
        out.append(pattern)
    return out


class TriggerMarker:
    """Marks every trigger as a span labelled with its event type (a word may trigger several types)."""

    def __init__(self, vocab, name: str = "newswatch_triggers"):
        self.name = name
        self.vocab = vocab
        self._matchers: dict[bool, Matcher] = {}

    def _matcher(self, tagged: bool) -> Matcher:
        if tagged not in self._matchers:
            m = Matcher(self.vocab)
            for type_name, spec in specs().items():
                m.add(f"{type_name}|NOUN", _patterns(spec.nouns, ("NOUN", "PROPN"), tagged, not tagged))
                if spec.verbs:
                    m.add(f"{type_name}|VERB", _patterns(spec.verbs, ("VERB",), tagged, not tagged))
            self._matchers[tagged] = m
        return self._matchers[tagged]

    def __call__(self, doc: Doc) -> Doc:
        tagged = doc.has_annotation("POS") and doc.has_annotation("LEMMA")
        spans = []
        for match_id, start, end in self._matcher(tagged)(doc):
            type_name, kind = self.vocab.strings[match_id].split("|")
            if kind == "NOUN" and end < len(doc):
                nxt = doc[end]
                if lemma(nxt) in specs()[type_name].not_before or (nxt.text == "-" and end + 1 < len(doc)
                                                                    and lemma(doc[end + 1]) in specs()[type_name].not_before):
                    continue
            spans.append(Span(doc, start, end, label=type_name))
        doc.spans[SPAN_KEY] = spans
        return doc


@Language.factory("newswatch_triggers")
def make_trigger_marker(nlp: Language, name: str):
    return TriggerMarker(nlp.vocab, name)


_MARKERS: dict[int, TriggerMarker] = {}  # one per vocab (one per loaded pipeline)


def mark(doc: Doc) -> Doc:
    """The doc with its triggers marked, unless a ``newswatch_triggers`` component already did: the shared
    pipeline leaves it out, so that the default extractor does not pay for triggers it never reads."""
    if SPAN_KEY not in doc.spans:
        marker = _MARKERS.get(id(doc.vocab))
        if marker is None or marker.vocab is not doc.vocab:
            marker = _MARKERS[id(doc.vocab)] = TriggerMarker(doc.vocab)
        marker(doc)
    return doc
