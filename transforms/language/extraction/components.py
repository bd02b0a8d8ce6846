"""The component extractor (issue 8, opt-in: ``--extractor components``): plain functions, no Beam.

It is not the default yet: on the held-out test split it scores below the rule
extractor of ``transforms/language/extraction/rules.py`` (README, "The extractors").

How an article becomes events (each decision lives in one module):

1. spaCy parses the text; ``newswatch_actors`` marks states and organisations
   with their codes (``language/actors.py``) and ``newswatch_triggers`` marks the
   trigger words of each event type (``extraction/triggers.py``).
2. The sentence classifier (``extraction/classifier.py``) gives each sentence
   with a trigger a probability per event type and for "any event".
3. The parse around the trigger gives the parties (``extraction/roles.py``) and
   the modality (``extraction/modality.py``): negated, speculative and habitual
   statements are no events; announced ones are ``planned``.
4. Dates come from ``language/dates.py``, resolved against the publication date; the
   trigger takes the date attached to its clause, else the sentence's nearest.
5. A logistic model over the candidate's features (``extraction/confidence.py``,
   fit by ``make train``) decides whether it is reported, and its probability
   is the confidence. Without trained weights, a trigger in a defence sentence
   with two parties is enough. Mentions of one event in an article are grouped.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace
from datetime import date

from newswatch.schemas.rows import Article, EventCandidate
from newswatch.transforms.language import actors
from newswatch.transforms.language.dates import DateMention, find_dates, periods_compatible
from newswatch.transforms.language.extraction import classifier as sentclf
from newswatch.transforms.language.extraction import confidence, modality, roles, rules
# Actors in the text, people linked to states, the article's main pair and date periods: one implementation,
# shared with the rule extractor.
from newswatch.transforms.language.extraction.rules import (SentenceMention, actor_mentions, article_dyad,
                                                            dated_before, event_candidate, person_map)
from newswatch.transforms.language.extraction.triggers import SPAN_KEY, context_lemmas, lemma, mark, specs

# Types that take one party only when it is an organisation meeting on its own ("the AU defence chiefs met").
_BLOC_TYPES = frozenset({"dialogue_meeting", "joint_exercise"})


# ------------------------------------------------------------------- mentions


@dataclass
class RawMention(SentenceMention):
    """The component extractor's mention: its trigger and the features its decision model read."""
    anchor: tuple[int, int]
    features: dict = field(default_factory=dict)
    order: tuple[str, ...] = ()


def _is_furniture(text: str, sent, title: str) -> bool:
    """The headline line, and short lines of their own without closing punctuation (subheadings, captions' tags)."""
    line = sent.text.strip()
    if not line:
        return True
    if title and sent.start_char < len(title) + 2 and text.startswith(title[:30]):
        return True
    if len(line.split()) <= 5 and not re.search(r"[.!?\"”’)]$", line):
        return True
    return False


def _defence_context(sent) -> bool:
    ctx = context_lemmas()
    toks = list(sent)
    for i, tok in enumerate(toks):
        if lemma(tok) in ctx or tok.lower_ in ctx:
            return True
        if i + 1 < len(toks) and f"{tok.lower_} {toks[i + 1].lower_}" in ctx:
            return True
    return any(t.ent_type_ in (actors.FORCE, actors.SHIP) for t in sent)


def _best_anchor(spans, sent):
    """Of several triggers of one type in a sentence, the one nearest the sentence's main verb."""
    def depth(tok):
        d = 0
        while tok.head.i != tok.i and d < 30:
            tok, d = tok.head, d + 1
        return d
    if not sent.doc.has_annotation("DEP"):
        return spans[0]
    return min(spans, key=lambda s: (depth(s.root), s.start))


def _date_for(doc, anchor, head, sent_dates: list[DateMention]) -> DateMention | None:
    """The date of the trigger's clause: one attached to the clause head's subtree, else the nearest in the
    sentence that no other clause claims."""
    if not sent_dates:
        return None
    if doc.has_annotation("DEP"):
        own = {t.i for t in head.subtree}
        inside = [d for d in sent_dates if _token_at(doc, d.start) in own]
        if inside:
            return min(inside, key=lambda d: abs(d.start - anchor.idx))
        return None
    return min(sent_dates, key=lambda d: abs(d.start - anchor.idx))


def _token_at(doc, char: int) -> int | None:
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    return span.start if span is not None else None


def _is_background(dm: DateMention | None, reference_day: date | None) -> bool:
    return dm is not None and reference_day is not None and dated_before(dm, reference_day)


def _after(dm: DateMention | None, published: date | None) -> bool:
    """The date's whole period lies after publication."""
    if dm is None or published is None:
        return False
    if dm.precision == "day":
        return dm.value > published
    if dm.precision == "month":
        return (dm.value.year, dm.value.month) > (published.year, published.month)
    return dm.value.year > published.year


def _location(doc, head) -> str | None:
    """A place after "in"/"at" in the trigger's clause."""
    if not doc.has_annotation("DEP"):
        return None
    clause = {t.i for t in head.subtree}
    for ent in head.sent.ents:
        if ent.label_ in ("GPE", "LOC", "FAC", actors.CAPITAL, actors.COUNTRY) and ent.start in clause:
            first = ent[0]
            if first.head.lower_ in ("in", "at") and first.dep_ == "pobj":
                return ent.text
    return None


def sentence_scores(doc, sents, clf=None) -> list[dict[str, float]]:
    """Per sentence, the classifier's probability per type ({} without a classifier)."""
    return sentclf.predict([sentclf.masked(s) for s in sents], clf)


def extract_mentions(article: Article, doc, *, use_classifier: bool = True, clf=None, gate: bool = True,
                     weights: dict | None = None) -> list[RawMention]:
    """Every sentence-level event mention of one article, before grouping."""
    text = doc.text
    all_actors = actor_mentions(doc)
    persons = person_map(doc)
    dyad = article_dyad(article, all_actors)
    published = article.published_date
    dates = find_dates(text, published)
    latest = max((d.value for d in dates if not d.relative), default=None)
    reference_day = published or latest
    title = (article.title or "").strip()
    sents = list(doc.sents)
    triggers_by_sent: dict[int, list] = {}
    starts = [s.start for s in sents]
    for span in mark(doc).spans[SPAN_KEY]:
        triggers_by_sent.setdefault(bisect.bisect_right(starts, span.start) - 1, []).append(span)
    candidates = [i for i, s in enumerate(sents) if i in triggers_by_sent and not _is_furniture(text, s, title)]
    clf = clf if clf is not None else (sentclf.load_classifier() if use_classifier else None)
    scores = dict(zip(candidates, sentence_scores(doc, [sents[i] for i in candidates], clf))) if clf else {}

    out: list[RawMention] = []
    prev: tuple[int, tuple[str, ...]] = (-2, ())
    for index in candidates:
        sent = sents[index]
        s0 = sent.start_char
        sent_actors = [m for m in all_actors if s0 <= m.start < sent.end_char]
        sent_dates = [d for d in dates if s0 <= d.start < sent.end_char]
        probs = scores.get(index, {})
        defence = _defence_context(sent)
        by_type: dict[str, list] = {}
        for span in triggers_by_sent[index]:
            by_type.setdefault(span.label_, []).append(span)
        found: list[RawMention] = []
        for event_type, spans in by_type.items():
            p = probs.get(event_type)
            if clf is None and specs()[event_type].context and not defence:
                continue
            anchor_span = _best_anchor(spans, sent)
            anchor = anchor_span.root
            head = roles.clause_head(anchor) if roles.has_parse(doc) else sent.root
            mood, _why = modality.assess(anchor, head)
            if mood in (modality.NEGATED, modality.SPECULATIVE, modality.HABITUAL):
                continue
            parties, hosts, how = roles.parties(doc, sent, anchor, sent_actors, persons, event_type)
            implied = False
            if len(set(parties)) < 2 and hosts:
                parties = parties + [h for h in hosts if h not in parties][:1]
            if len(set(parties)) < 2 and dyad and (not parties or parties[0] in dyad) and (
                    roles.refers_to_pair(sent, head if roles.has_parse(doc) else None)
                    or (event_type in rules.HUB_TYPES and roles.unnamed_place(doc, head))):
                parties = list(dict.fromkeys(parties + list(dyad)))
                implied = True
            if len(set(parties)) < 2 and index + 1 < len(sents):
                nxt = sents[index + 1]
                listed = roles.roster(doc, sent, nxt, [m for m in all_actors if nxt.start_char <= m.start < nxt.end_char])
                if listed:
                    parties = list(dict.fromkeys(parties + listed))
                    implied = True
            if not sent_actors and prev[0] == index - 1 and len(prev[1]) >= 2 \
                    and "\n" not in text[sents[index - 1].end_char:s0]:
                parties = list(prev[1])
                implied = True
            codes = list(dict.fromkeys(parties))
            if len(codes) < 2 and not (len(codes) == 1 and event_type in _BLOC_TYPES
                                       and codes[0] in actors.organisation_codes()):
                continue
            dm = _date_for(doc, anchor, head, sent_dates)
            status = modality.PLANNED if mood == modality.PLANNED or _after(dm, published) else modality.OCCURRED
            if status == modality.PLANNED and dm is not None and published and dm.value < published \
                    and dm.precision == "day":
                status = modality.OCCURRED  # "had agreed to hold talks on 3 May": done by now
            background = _is_background(dm, reference_day)
            features = {"p": probs.get(sentclf.ANY, 0.0), "p_type": p if p is not None else 0.0,
                        "classifier": clf is not None, "implied": implied, "dated": dm is not None,
                        "defence": defence, "parse": how == "parse", "parties": len(codes),
                        "planned": status == modality.PLANNED, "background": background,
                        "lemma": lemma(anchor), "pos": anchor.pos_, "lead": index < 4,
                        "org": any(c in actors.organisation_codes() for c in codes),
                        "host": bool(hosts) and any(h in codes for h in hosts), "n_types": len(by_type)}
            conf = confidence.score(event_type, features, weights)
            if gate and conf < confidence.DECIDE:
                continue
            found.append(RawMention(
                event_type=event_type, participants=tuple(sorted(codes)), sentence_index=index,
                start=s0, end=sent.end_char, evidence=sent.text.strip(), date=dm, status=status,
                in_background=background, confidence=conf,
                location=_location(doc, head), anchor=(anchor_span.start_char, anchor_span.end_char),
                features=features, order=tuple(codes)))
        found = _one_reading(_split_hub(found, sent.text, s0, sent_actors))
        out.extend(found)
        if found:
            prev = (index, max((m.participants for m in found), key=len))
    return out


def _split_hub(found: list[RawMention], sentence: str, s0: int, sent_actors) -> list[RawMention]:
    """A giver and several receivers ("X sent ships to A, B and C"): one event per receiver, around the party the
    others stand apart from (rules.hub); the parties of one list ("A, B and C trained together") stay one event."""
    out = []
    for m in found:
        several = m.event_type in rules.HUB_TYPES and len(m.participants) >= 3
        centre = rules.hub(m, sentence, s0, sent_actors) if several else None
        if centre is not None:
            out.extend(replace(m, participants=tuple(sorted((centre, other)))) for other in m.order
                       if other != centre)
        else:
            out.append(m)
    return out


def _one_reading(found: list[RawMention]) -> list[RawMention]:
    """One act per sentence and party set: the most probable type wins, others that share the anchor word yield."""
    best: dict[tuple, RawMention] = {}
    for m in sorted(found, key=lambda m: -m.confidence):
        key = (m.participants, m.anchor)
        if key not in best:
            best[key] = m
    kept = list(best.values())
    # the same parties in one sentence under two types: keep both only when both are confident
    by_parties: dict[tuple, list[RawMention]] = {}
    for m in kept:
        by_parties.setdefault(m.participants, []).append(m)
    out = []
    for group in by_parties.values():
        group.sort(key=lambda m: -m.confidence)
        top = group[0]
        out.append(top)
        out.extend(m for m in group[1:] if m.confidence >= 0.8)
    return out


# --------------------------------------------------------------------- grouping


def _compatible(a: DateMention | None, b: DateMention | None) -> bool:
    return a is None or b is None or periods_compatible(a.value, a.precision, b.value, b.precision, slack_days=1)


class _Group(rules._Group):
    """The rules' group, whose date on a tie of precision is the earliest in the text."""

    def _date_key(self, d: DateMention):
        return super()._date_key(d), d.start


def group_mentions(mentions: list[RawMention]) -> list[_Group]:
    """Mentions of one event in one article: same type, one party set within the other, compatible dates.

    An undated mention joins the latest group it fits; a dated one joins a group with a compatible date, else
    an undated group, else opens its own."""
    groups: list[_Group] = []
    for m in mentions:
        fits = [g for g in groups if g.event_type == m.event_type
                and (set(m.participants) <= set(g.participants) or set(g.participants) <= set(m.participants))
                and _compatible(g.date, m.date)]
        if m.date is not None:
            fits = [g for g in fits if g.date is not None] or fits
        target = fits[-1] if fits else None
        if target is None:
            target = _Group(m.event_type, m.participants)
            groups.append(target)
        elif len(m.participants) > len(target.participants):
            target.participants = m.participants
        target.mentions.append(m)
    return groups


def to_candidates(groups: list[_Group]) -> list[EventCandidate]:
    out = []
    meetings = {g.participants for g in groups if g.event_type in ("dialogue_meeting", "agreement")}
    for g in groups:
        if g.event_type == "pledge_statement" and g.participants in meetings:
            continue  # a meeting's (signing's) own outcome, not a standalone pledge
        d = g.date
        background = all(m.in_background for m in g.mentions)
        if background and d is None:
            continue
        out.append(event_candidate(g, d, confidence.combine([m.confidence for m in g.mentions])))
    return out


def extract_events(article: Article, nlp, *, use_classifier: bool = True) -> list[EventCandidate]:
    """The events an article reports (the whole stage, for tests and the DoFn)."""
    if not article.text.strip():
        return []
    doc = nlp(article.text)
    return to_candidates(group_mentions(extract_mentions(article, doc, use_classifier=use_classifier)))
