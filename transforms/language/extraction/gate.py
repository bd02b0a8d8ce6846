"""The rule extractor's events judged by a learned model: their confidence, and with ``--extractor hybrid`` the
decision.

The rule extractor of ``transforms/language/extraction/rules.py`` finds most events but also
much that is not one (its precision on unseen news is below one half). Here
each event it proposes, a group of mentions in one article, is kept only when
a logistic model over general features says it is probably right:

* the sentence classifier's probabilities (``extraction/classifier.py``) for
  "any event" and for the proposed type, over the event's sentences;
* what the rules know: how the parties were found (named or implied), the kind
  of reference ("a summit", "the summit", "met"), whether it is dated, planned
  or background, how many mentions and parties it has;
* what the dependency parse says (:func:`parse_view`): how many of the
  proposed parties the parse attaches to the trigger (``roles.py``), and the
  trigger's mood (``modality.py``: occurred, planned, negated, speculative,
  habitual). A co-occurring rival or a denied deal reads differently here;
* where the event stands in its article (:func:`article_view`): whether its
  sentences are the article's likeliest to report one, whether its type is
  the likeliest for its parties, how often its parties are named, whether
  they are the article's main pair. A second event told of the same parties,
  or one in an article about something else, reads differently here.

``make train`` fits the model on the development split, with classifier
probabilities from classifiers that did not see the article
(``training/train.py``), and stores it in ``data/gate.json``. The kept event's
probability is its ``confidence``. The default extractor (``rules``) keeps
every proposal and only takes that confidence (:func:`score_events`);
``hybrid`` keeps those at :data:`DECIDE` or above (:func:`extract_events`).
Without the trained classifier or weights the rule extractor's own decision
and confidence stand.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from importlib import resources

from newswatch.schemas.rows import Article, EventCandidate
from newswatch.transforms.language import actors
from newswatch.transforms.language.extraction import classifier as sentclf
from newswatch.transforms.language.extraction import confidence, modality, prefilter, roles, rules

WEIGHTS_FILE = "data/gate.json"
# Probability from which a proposed event is kept.
DECIDE = 0.3


def feature_map(event_type: str, f: dict) -> dict[str, float]:
    """Named feature values of one proposed event (sparse: absent means 0)."""
    return {
        "p_any": f["p_any"],
        "p_type": f["p_type"],
        "p_any_mean": f["p_any_mean"],
        f"type={event_type}": 1.0,
        f"reference={f['reference']}": 1.0,
        "implied": float(f["implied"]),
        "dated": float(f["dated"]),
        "day_date": float(f["day_date"]),
        "planned": float(f["planned"]),
        "background": float(f["background"]),
        "mentions>1": float(f["mentions"] > 1),
        "many_parties": float(f["parties"] > 2),
        "org_party": float(f["org"]),
        "lead": float(f["lead"]),
        "rule_confidence": f["rule_confidence"],
        "other_types": float(f["other_types"]),
        # where the event stands among its article's proposals and actors (article_view)
        "strongest": float(f["strongest"]), "best_for_parties": float(f["best_for_parties"]),
        "salience": f["salience"], "main_pair": float(f["main_pair"]),
        "shares_party_same_type": float(f["shares_party_same_type"]),
        # what the dependency parse says (roles.py, modality.py); absent without a parser
        **({"parse_share": f["parse_share"], "parse_pair": float(f["parse_pair"]), f"mood={f['mood']}": 1.0}
           if f.get("mood") else {}),
    }


def parse_view(doc, group, all_actors, persons) -> dict:
    """What the dependency parse says of a proposed event, over its mentions: the largest share of its
    participants that the parse attaches to a mention's trigger (roles.parties), whether it attaches two of
    them, and the most factual of the mentions' moods (modality.assess). Empty without a parser. What the rules
    already asked the parse while proposing a mention (its ``mood``, its ``attached`` parties) is not asked
    again."""
    if not roles.has_parse(doc):
        return {}
    share, pair, moods = 0.0, False, []
    wanted = set(group.participants)
    for m in group.mentions:
        span = doc.char_span(m.anchor[0], m.anchor[1], alignment_mode="expand")
        if span is None:
            continue
        anchor, sent = span.root, span.root.sent
        moods.append(m.mood if m.mood is not None else modality.assess(anchor, roles.clause_head(anchor))[0])
        if m.attached is not None and m.event_type == group.event_type:
            attached = m.attached
        else:
            sent_actors = [a for a in all_actors if sent.start_char <= a.start < sent.end_char]
            attached = roles.parties(doc, sent, anchor, sent_actors, persons, group.event_type)[0]
        found = set(attached) & wanted
        share = max(share, len(found) / max(1, len(wanted)))
        pair = pair or len(found) >= 2
    if not moods:
        return {}
    order = (modality.OCCURRED, modality.PLANNED, modality.HABITUAL, modality.SPECULATIVE, modality.NEGATED)
    return {"parse_share": share, "parse_pair": pair, "mood": min(moods, key=order.index)}


def features(group, sentence_probs: dict[int, dict[str, float]], other_types: int, parse: dict | None = None) -> dict:
    """What the model reads about one proposed event (a group of the rule extractor's mentions);
    ``sentence_probs``: the classifier's output per sentence index; ``parse``: :func:`parse_view`."""
    ms = group.mentions
    p_any = [sentence_probs[m.sentence_index].get(sentclf.ANY, 0.0) for m in ms]
    p_type = [sentence_probs[m.sentence_index].get(group.event_type, 0.0) for m in ms]
    d = group.date
    return {
        "p_any": max(p_any), "p_type": max(p_type), "p_any_mean": sum(p_any) / len(p_any),
        "reference": ms[0].reference, "implied": all(m.implied for m in ms), "dated": d is not None,
        "day_date": d is not None and d.precision == "day",
        "planned": all(m.status == "planned" for m in ms), "background": all(m.in_background for m in ms),
        "mentions": len(ms), "parties": len(group.participants),
        "org": any(c in actors.organisation_codes() for c in group.participants),
        "lead": min(m.sentence_index for m in ms) < 4,
        "rule_confidence": max(m.confidence for m in ms), "other_types": other_types,
        **(parse or {}),
    }


@functools.cache
def weights() -> dict | None:
    path = resources.files("newswatch.transforms.language").joinpath(WEIGHTS_FILE)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def proposals(article: Article, doc, clf) -> list[tuple[object, dict]]:
    """The rule extractor's events of one article with their features, before any decision."""
    all_actors, persons = rules.actor_mentions(doc), rules.person_map(doc)
    groups = rules.group_mentions(rules.extract_mentions(article, doc, all_actors=all_actors, persons=persons))
    if not groups:
        return []
    sents = list(doc.sents)
    wanted = sorted({m.sentence_index for g in groups for m in g.mentions})
    probs = dict(zip(wanted, sentclf.predict([sentclf.masked(sents[i]) for i in wanted], clf)))
    types_of: dict[tuple, set[str]] = {}
    for g in groups:
        types_of.setdefault(g.participants, set()).add(g.event_type)
    proposed = [(g, features(g, probs, len(types_of[g.participants]) - 1, parse_view(doc, g, all_actors, persons)))
                for g in groups]
    article_view(proposed, Counter(a.code for a in all_actors), rules.article_dyad(article, all_actors))
    return proposed


def article_view(proposed: list[tuple[object, dict]], mentions_of: Counter, dyad: tuple[str, ...]) -> None:
    """Adds to each proposal's features where it stands among its article's proposals and actors: whether its
    sentences are the article's likeliest to report an event (``strongest``) and the likeliest of its type
    among the proposals with the same parties (``best_for_parties``), how often its least-named party is
    named against the article's most-named actor (``salience``), whether its parties hold the article's
    main pair (``main_pair``), and whether another proposal of its type shares a party with it."""
    top_any = max(f["p_any"] for _, f in proposed)
    most = max(mentions_of.values(), default=1) or 1
    for g, f in proposed:
        f["strongest"] = f["p_any"] >= top_any
        f["best_for_parties"] = all(f["p_type"] >= e["p_type"] for h, e in proposed
                                    if h.participants == g.participants)
        f["salience"] = min((mentions_of.get(c, 0) for c in g.participants), default=0) / most
        f["main_pair"] = bool(dyad) and set(dyad) <= set(g.participants)
        f["shares_party_same_type"] = any(h is not g and h.event_type == g.event_type
                                          and set(h.participants) & set(g.participants) for h, _ in proposed)


def decide(proposed, w: dict, threshold: float = DECIDE) -> list:
    """The groups the model keeps, each mention's confidence set to the group's probability."""
    kept = []
    for g, f in proposed:
        p = confidence.probability(feature_map(g.event_type, f), w)
        if p >= threshold:
            for m in g.mentions:
                m.confidence = p
            kept.append(g)
    return kept


def extract_events(article: Article, nlp, *, clf=None, w: dict | None = None,
                   threshold: float = DECIDE, cascade: bool = True) -> list[EventCandidate]:
    """The events an article reports: the rules' proposals the model keeps (the whole stage, for tests and the
    DoFn). Without the trained classifier or weights, the rule extractor's own decision and confidence.
    ``cascade``: an article where the rules cannot find anything (prefilter.py) is not parsed at all."""
    if not (prefilter.may_report(article) if cascade else article.text.strip()):
        return []
    doc = nlp(article.text)
    clf = clf if clf is not None else sentclf.load_classifier()
    w = w if w is not None else weights()
    if clf is None or w is None:
        return rules.to_candidates(rules.group_mentions(rules.extract_mentions(article, doc)))
    return rules.to_candidates(decide(proposals(article, doc, clf), w, threshold), repeat_bonus=0.0)


def score_events(article: Article, nlp, *, clf=None, w: dict | None = None,
                 cascade: bool = True) -> list[EventCandidate]:
    """Every event the rules propose, each with the model's probability as its confidence (the default
    extractor: nothing the rules find is dropped, and ``confidence`` says how far to trust it)."""
    return extract_events(article, nlp, clf=clf, w=w, threshold=0.0, cascade=cascade)
