"""Finding defence-cooperation events in an article: plain functions, no Beam.

How an article becomes events:

1. spaCy splits sentences and marks actors (``newswatch_actors``: states,
   demonyms, capitals, forces, warship prefixes, organisations, each with its
   code) and, with the trained model, people.
2. :func:`person_map` links people to states from their titles ("Chilean
   Defence Minister Ana Soto"), so a later "Soto" counts for CHL.
3. Each sentence is matched against the cues of ``data/events.toml``: an
   anchor per event type, the conditions it needs, and the cues that make a
   statement not an event (speculation, negation, cancellation, opinion,
   habit, the content of an agreement or meeting).
4. Participants come from the anchor's clause: actors named there, people
   linked to states, "his Vietnamese counterpart", phrases that point back at
   the article's two main parties ("the two countries"), or, for a sentence
   that names nobody, the parties of the sentence before it in the paragraph.
5. Dates come from ``language/dates.py``, resolved against the publication date.
6. Mentions of the same event in one article are grouped (:func:`group_mentions`).
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from importlib import resources
from types import SimpleNamespace

from newswatch.schemas import codes_for, event_types
from newswatch.schemas.rows import Article, EventCandidate, Mention
from newswatch.transforms.language import actors
from newswatch.transforms.language.dates import (MONTH_ABBREVIATIONS, MONTHS,
                                                 WEEKDAYS, DateMention,
                                                 find_dates, next_occurrence,
                                                 periods_compatible,
                                                 previous_occurrence)
from newswatch.transforms.language.extraction import modality, roles, triggers

# A dated mention this long before the publication date is background.
BACKGROUND_AFTER = timedelta(days=60)


# --------------------------------------------------------------------------- cues


def _alternation(patterns: list[str]) -> re.Pattern:
    return re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{p})" for p in patterns) + r")(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class TypeRule:
    name: str
    anchors: re.Pattern
    requires_any: re.Pattern | None
    requires_lexicon: str | None
    requires_equipment: bool
    lexicon_in_sentence: bool
    not_followed_by: re.Pattern | None
    not_preceded_by: re.Pattern | None
    strength: float
    context_anchors: re.Pattern | None = None  # anchors that count only in an article about context_lexicon
    context_lexicon: str | None = None
    subject_anchors: re.Pattern | None = None  # anchors that count only when their subject meets requires_any
    object_anchors: re.Pattern | None = None   # anchors that count only when their object is a person (object_any)
    object_any: re.Pattern | None = None
    deployed_objects: frozenset[str] = frozenset()  # "sent <one of these>" is a deployment, not this event
    deployed_preps: frozenset[str] = frozenset()    # nor is "sent <anything> <one of these> <a place>"
    deployed_purposes: frozenset[str] = frozenset()  # nor "sent <anything> for a <one>" / "to <one>"
    yields_to: frozenset[str] = frozenset()  # types whose mention in the same sentence, same parties, is the act
    maker_anchors: re.Pattern | None = None  # anchors that count only when the sentence names a maker's state
    bloc_members: frozenset[str] = frozenset()  # "the <organisation>'s <one of these> met": its own meeting
    warship_meets: bool = False  # a warship named by its prefix (actors.toml ship_prefixes) meets requires_any


@dataclass(frozen=True)
class Cues:
    types: tuple[TypeRule, ...]
    lexicon: dict[str, re.Pattern]
    speculation: re.Pattern
    negation: re.Pattern
    cancellation: re.Pattern
    opinion: re.Pattern
    habitual: re.Pattern
    future: re.Pattern
    content_of: re.Pattern
    content_of_sentence: re.Pattern
    generic_plural: re.Pattern
    occasion_heads: frozenset[str]
    excluding: re.Pattern
    descriptive_between: re.Pattern
    stative: re.Pattern
    dyad_reference: re.Pattern
    background: re.Pattern
    caption: re.Pattern


@functools.cache
def cues() -> Cues:
    raw = tomllib.loads(resources.files("newswatch.transforms.language").joinpath("data/events.toml").read_text(encoding="utf-8"))
    known = set(event_types())
    rules = []
    for name, spec in raw["types"].items():
        if name not in known:
            raise ValueError(f"events.toml names an unknown event type {name!r}")
        rules.append(TypeRule(
            name=name,
            anchors=_alternation(spec["anchors"]),
            requires_any=_alternation(spec["requires_any"]) if spec.get("requires_any") else None,
            requires_lexicon=spec.get("requires_any_lexicon"),
            requires_equipment=spec.get("requires_equipment", False),
            lexicon_in_sentence=spec.get("lexicon_in_sentence", False),
            not_followed_by=re.compile(r"\s+(?:" + "|".join(spec["not_followed_by"]) + r")\b", re.I) if spec.get("not_followed_by") else None,
            not_preceded_by=re.compile(r"\b(?:" + "|".join(spec["not_preceded_by"]) + r")\s+$", re.I) if spec.get("not_preceded_by") else None,
            strength=spec.get("strength", 0.0),
            context_anchors=_alternation(spec["context_anchors"]) if spec.get("context_anchors") else None,
            context_lexicon=spec.get("context_lexicon"),
            subject_anchors=_alternation(spec["subject_anchors"]) if spec.get("subject_anchors") else None,
            object_anchors=_alternation(spec["object_anchors"]) if spec.get("object_anchors") else None,
            object_any=_alternation(spec["object_any"]) if spec.get("object_any") else None,
            deployed_objects=frozenset(spec.get("deployed_objects", ())),
            deployed_preps=frozenset(spec.get("deployed_preps", ())),
            deployed_purposes=frozenset(spec.get("deployed_purposes", ())),
            yields_to=frozenset(spec.get("yields_to", ())),
            maker_anchors=_alternation(spec["maker_anchors"]) if spec.get("maker_anchors") else None,
            bloc_members=frozenset(spec.get("bloc_members", ())),
            warship_meets=spec.get("requires_any_warship", False),
        ))
    c = raw["cues"]
    return Cues(
        types=tuple(rules),
        lexicon={k: _alternation(v) for k, v in raw["lexicon"].items()},
        speculation=_alternation(c["speculation"]), negation=_alternation(c["negation"]),
        cancellation=_alternation(c["cancellation"]), opinion=_alternation(c["opinion"]),
        habitual=_alternation(c["habitual"]), future=_alternation(c["future"]),
        content_of=re.compile(r"(?:" + "|".join(c["content_of"]) + r")\W+(?:\w+\W+){0,6}$", re.I),
        content_of_sentence=_alternation(c["content_of_sentence"]),
        generic_plural=_alternation(c["generic_plural"]),
        occasion_heads=frozenset(c["occasion_heads"]),
        excluding=_alternation(c["excluding_prepositions"]),
        descriptive_between=re.compile(r"(?<!\w)(?:" + "|".join(c["descriptive_between"]) + r")\s+(?:[\w-]+\s+){0,2}between\s+"
                                       r"(?:[^,;.]{0,60}?\s+and\s+)?(?:the\s+)?$", re.I),
        dyad_reference=_alternation(c["dyad_reference"]),
        stative=re.compile(r"(?<!\w)(?:" + "|".join(c["stative"]) + r")$", re.I),
        background=_alternation(c["background"]),
        caption=_alternation(c["caption"]),
    )


# ----------------------------------------------------------------------- actors


@dataclass(frozen=True)
class ActorMention:
    code: str
    kind: str        # an actors.* label, or "PERSON" / "COUNTERPART"
    start: int       # char offsets in the article text
    end: int
    text: str


_TITLE_WORDS = re.compile(
    r"^(?:president|vice|prime|deputy|minister|ministers|secretary|general|gen\.?|admiral|adm\.?|lt\.?|lieutenant|colonel|col\.?|"
    r"major|maj\.?|senior|chief|of|the|for|defen[cs]e|foreign|affairs|national|state|navy|army|air|force|staff|commander|ambassador|"
    r"crown|prince|king|emperor|chairman|head|counterpart|senator|mr\.?|ms\.?|mrs\.?|dr\.?|prof\.?|hrh|he|his|her|and|,|'s|’s|-|"
    r"top|official|officials|envoy|spokesman|spokesperson|cabinet|government|ministry)$", re.I)
_NAME_STOP = frozenset({"The", "His", "Her", "Minister", "President", "General", "Secretary", "Prime", "Defence", "Defense"})


# "Japan's Kyodo News Agency", "Agence France-Presse": a news outlet, not a party
_MEDIA_AFTER = re.compile(r"^(?:[’']s)?(?:[\s-]+[A-Z][\w.-]*){0,3}[\s-]+(?:News|Times|Post|Agency|Daily|Herald|Press|Presse|"
                          r"Television|TV|Radio|Broadcasting|Tribune|Journal|Gazette)\b")


def actor_mentions(doc) -> list[ActorMention]:
    """Actors the ruler found, minus places named after a state ("Gulf of Oman", "South China Sea")."""
    text = doc.text
    out = []
    for ent in doc.ents:
        if ent.label_ not in actors.ACTOR_LABELS or not ent.ent_id_:
            continue
        if ent.label_ in (actors.COUNTRY, actors.DEMONYM) and actors.inside_place_name(text, ent.start_char,
                                                                                       ent.end_char):
            continue
        if _MEDIA_AFTER.match(text[ent.end_char:ent.end_char + 50]):
            continue
        if _person_name(doc, ent):
            continue
        if ent.label_ == actors.SHIP and not _before_a_name(doc, ent):
            continue
        out.append(ActorMention(ent.ent_id_, ent.label_, ent.start_char, ent.end_char, ent.text))
    return out


def _before_a_name(doc, ent) -> bool:
    """A warship prefix names a navy only before the ship's name ("XYZ Example", "XYZ O'Name", "XYZ 'Example'");
    alone, as in a news service's credit "(XYZ) --", it is an abbreviation of something else."""
    i = ent.end
    if i < len(doc) and doc[i].is_quote and not doc[i].is_sent_start:
        i += 1
    after = doc[i] if i < len(doc) else None
    return after is not None and not after.is_sent_start and after.text[:1].isalpha() and after.text[:1].isupper()


_NOT_A_NAME = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
                         "february", "march", "april", "may", "june", "july", "august", "september", "october",
                         "november", "december"})


def _person_name(doc, ent) -> bool:
    """A state's name that is part of a person's name here ("Chad Wilson", "Michael Jordan"): another
    capitalised word, not a title, weekday or month, right after it or right before it in the sentence."""
    if ent.text not in actors.person_name_risk() or len(ent) != 1:
        return False

    def name_like(token) -> bool:
        return (token.is_alpha and token.is_title and token.lower_ not in _NOT_A_NAME
                and not _TITLE_WORDS.match(token.text))
    after = doc[ent.end] if ent.end < len(doc) else None
    before = doc[ent.start - 1] if ent.start > 0 else None
    return ((after is not None and not after.is_sent_start and name_like(after))
            or (before is not None and not ent[0].is_sent_start and not before.is_sent_start and name_like(before)))


def person_map(doc) -> dict[str, str]:
    """Name (full, and each part) -> state code, from titles next to people's names."""
    votes: dict[str, Counter] = {}
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        code = _person_state(doc, ent)
        if not code:
            continue
        keys = {ent.text} | {t.text for t in ent if t.text[:1].isupper() and len(t.text) > 2 and t.text not in _NAME_STOP}
        for key in keys:
            votes.setdefault(key, Counter())[code] += 1
    return {k: c.most_common(1)[0][0] for k, c in votes.items() if len(c) == 1}


def _state_along_titles(doc, positions) -> str | None:
    """The first state met walking over title words and capitalised words from a name, if any."""
    for i in positions:
        tok = doc[i]
        code = actors.token_state(tok)
        if code:
            return code
        if not (_TITLE_WORDS.match(tok.text) or tok.text[:1].isupper()):
            return None
    return None


def _person_state(doc, ent) -> str | None:
    sent = ent.sent
    # backwards: "Kenya's Defence Minister Jane Doe", "his Peruvian counterpart, Luis Mora"
    # forwards: "Jane Doe, Kenya's defence minister", "X, Defence Minister of Peru"
    code = _state_along_titles(doc, range(ent.start - 1, max(sent.start, ent.start - 8) - 1, -1)) or \
        _state_along_titles(doc, range(ent.end, min(sent.end, ent.end + 7)))
    if code:
        return code
    # "Jane Doe led the Kenyan delegation", "X, who headed the Peruvian team"
    i = ent.end
    if i < sent.end and doc[i].text == ",":
        i += 1
    if i < sent.end and doc[i].lower_ == "who":
        i += 1
    if i < sent.end and doc[i].lemma_.lower() in ("lead", "head"):
        window = doc[i + 1:min(sent.end, i + 7)]
        for j, tok in enumerate(window):
            code = actors.token_state(tok)
            if code and any(t.lower_ in ("delegation", "delegations", "team") for t in window[j + 1:j + 4]):
                return code
    return None


def article_dyad(article: Article, mentions: list[ActorMention]) -> tuple[str, ...]:
    """The article's two main states (or state and organisation), by mentions; the title counts thrice."""
    counts: Counter = Counter(m.code for m in mentions)
    title = article.title or ""
    for m in mentions:
        if m.start < len(title) + 2 and article.text.startswith(title[:20]):
            counts[m.code] += 2
    ranked = counts.most_common(3)
    if len(ranked) < 2:
        return ()
    if len(ranked) == 3 and ranked[2][1] >= ranked[1][1]:
        return ()  # no clear pair
    return tuple(sorted((ranked[0][0], ranked[1][0])))


# ------------------------------------------------------------------- extraction


@dataclass
class SentenceMention:
    """What every extractor knows of one sentence-level event mention, before grouping."""
    event_type: str
    participants: tuple[str, ...]
    sentence_index: int
    start: int
    end: int
    evidence: str
    date: DateMention | None
    status: str
    in_background: bool
    confidence: float
    location: str | None


@dataclass
class RawMention(SentenceMention):
    """The rule extractor's mention: how its anchor refers to the event, for grouping."""
    reference: str          # 'named' | 'anaphoric' | 'indefinite' | 'verbal' | 'bare'
    phrase: str             # the anchor's noun phrase, lower-cased
    implied: bool           # participants not named in the sentence
    explicit_date: bool
    head: str = ""          # the anchor's last word, lower-cased ("summit", "deal")
    order: tuple[str, ...] = ()  # participants in order of appearance
    anchor: tuple[int, int] = (0, 0)  # the anchor's char offsets in the article text
    section: int = 0        # the state-headed section it is in (0: none); mentions group only within one
    # what the parse said of the trigger while the rules read it, kept for the learned gate (gate.parse_view):
    mood: str | None = None            # modality.assess's mood; None without a parser
    attached: tuple[str, ...] | None = None  # roles.parties for the type, where the rules asked it (drills)


def _clause_start(text: str, pos: int) -> int:
    """Start of the clause holding pos: after the last ';', ':', ' but ', ', while', '. ' or quote before it."""
    best = 0
    for m in re.finditer(r";|:|\bbut\b|, while\b|, whereas\b|, and that\b|\bsaid that\b|\bsays that\b|—|–|\"|“|”", text[:pos]):
        best = m.end()
    return best


def _lex(name: str, text: str) -> bool:
    return bool(cues().lexicon[name].search(text))


def defence_article(title: str | None, text: str) -> bool:
    """An article about defence: three defence words in its title and first 3,000 characters (then talks,
    agreements and the types that need the defence lexicon need it no longer in the sentence itself)."""
    return len(cues().lexicon["defence"].findall((title or "") + "\n" + text[:3000])) >= 3


def head_context(title: str | None, text: str) -> set[str]:
    """The lexicons the article is about: each named twice in its title and first 1,500 characters (the
    context of a type's context anchors)."""
    head = (title or "") + "\n" + text[:1500]
    return {name for name, pattern in cues().lexicon.items() if len(pattern.findall(head)) >= 2}


def _reference(sentence: str, a_start: int, a_end: int) -> tuple[str, str]:
    """How the anchor refers: to a named event, back to one mentioned before, to a new one, or as a verb."""
    before = sentence[max(0, a_start - 60):a_start]
    anchor = sentence[a_start:a_end]
    words = re.findall(r"[\w'’-]+", before)[-4:]
    phrase = " ".join(w.lower() for w in words[-2:] + [anchor])
    if anchor[:1].isupper() and a_start > 0:
        return "named", re.sub(r"\s+", " ", (" ".join(words[-3:]) + " " + anchor).lower())
    cap_run = [w for w in words[-3:] if w[:1].isupper()]
    if len(cap_run) >= 2:
        return "named", " ".join(w.lower() for w in cap_run) + " " + anchor.lower()
    if re.search(r"\b(?:the|this|that|these|their|its|his|her)\s+(?:[\w-]+\s+){0,2}$", before, re.I):
        return "anaphoric", phrase
    if re.search(r"\b(?:a|an|another|new|one)\s+(?:[\w-]+\s+){0,3}$", before, re.I):
        return "indefinite", phrase
    if any(w.endswith("ed") or w in ("met", "sent", "sold", "bought", "meets", "reached") for w in anchor.lower().split()):
        return "verbal", phrase
    return "bare", phrase  # no determiner: "joint patrolling", "defence cooperation agreement"


def _wrong_sense(rule: TypeRule, sentence: str, a_start: int, a_end: int) -> bool:
    """"patrol boats", "exercise restraint", "press conference": the anchor word in another sense."""
    return bool((rule.not_followed_by and rule.not_followed_by.match(sentence[a_end:a_end + 60]))
                or (rule.not_preceded_by and rule.not_preceded_by.search(sentence[:a_start])))


def _rejected(rule: TypeRule, sentence: str, a_start: int, a_end: int, has_explicit_date: bool,
              eventive: bool, doc, s0: int) -> str | None:
    """Why this anchor does not state an event, or None (``eventive``: the parse puts the anchor under a verb
    in the simple past or a perfect or progressive form, see :func:`eventive_verb`; ``doc`` and the sentence's
    offset ``s0`` let the parse overrule a cue that the anchor itself governs)."""
    c = cues()
    start = _clause_start(sentence, a_start)
    clause = sentence[start:a_end]
    window = sentence[max(0, a_start - 140):a_end]
    if _wrong_sense(rule, sentence, a_start, a_end):
        return "another sense of the word"
    def said_here(cue: re.Pattern) -> bool:  # a cue in the anchor's clause, not in one coordinated with it
        return any(not _in_other_conjunct(doc, s0 + start + m.start(), s0 + a_start, s0 + a_end)
                   for m in cue.finditer(clause))

    if said_here(c.negation) or re.search(r"\bden(y|ies|ied|ial)\b", sentence, re.I):
        return "negated or denied"
    if any(not _names_a_thing(doc, s0 + m.start(), s0 + m.end(), s0 + a_start, s0 + a_end)
           for m in c.cancellation.finditer(sentence)):
        return "cancelled, suspended or hostile"  # but an "attack helicopter" is a kind of aircraft, not an attack
    if said_here(c.speculation):
        return "speculation"
    if _reaction_to(doc, s0 + a_start, s0 + a_end):
        return "a reaction to an event told elsewhere"
    if said_here(c.opinion):
        return "opinion"
    if c.stative.search(sentence[max(0, a_start - 60):a_end]):
        return "a standing disposition, not an act"
    if c.habitual.search(sentence) and not has_explicit_date and not (
            eventive and all(m.group(0).lower() in _EDITION_WORDS for m in c.habitual.finditer(sentence))):
        return "habitual"  # but "began their annual drill" is one edition of it
    # "reaffirmed their pledge to the pact and discussed ...": a verb coordinated with the main one starts its
    # own predicate
    coordinated = re.search(r"\b(?:and|then)\s+$", sentence[:a_start]) and re.fullmatch(
        r"[a-z]+ed|met|meets|held .*", sentence[a_start:a_end], re.I)
    # "discussed training during the meeting": the occasion of a discussion is not its content
    occasion = re.search(r"\b(?:during|at|after|on the (?:sidelines?|margins?) of|in the course of)\s+(?:the|a|an|this|their|its)\s+"
                         r"(?:[\w-]+\s+){0,3}$", sentence[:a_start], re.I)
    if rule.name not in ("pledge_statement", "agreement") and not coordinated and not occasion:
        cue = c.content_of.search(window[: a_start - max(0, a_start - 140)])
        cue_start = max(0, a_start - 140) + cue.start() if cue else None
        if cue is None:
            cue = c.content_of_sentence.search(sentence[:a_start])
            cue_start = cue.start() if cue else None
        if cue is not None and not _governs(doc, s0 + a_start, s0 + a_end, s0 + cue_start):
            return "content of an agreement or meeting"
    anchor = sentence[a_start:a_end]
    if c.generic_plural.fullmatch(anchor) and not has_explicit_date and not eventive and not re.search(
            r"\b(?:the|these|those|their|two|three|four|five|several|\d+)\s+(?:[\w-]+\s+){0,2}$", sentence[:a_start], re.I) \
            and not _one_edition(doc, s0 + a_start, s0 + a_end):
        return "generic plural"
    if re.search(r"\bis the \w+(st|nd|rd|th) (nation|country|state)\b", sentence, re.I):
        return "ranking statement"
    return _names_a_kind(doc, s0 + a_start, s0 + a_end) or _deployed(rule, doc, s0 + a_start, s0 + a_end)


def _parsed_span(doc, start: int, end: int):
    """The tokens over the characters ``start`` to ``end`` when the doc has a dependency parse, else None."""
    return _span(doc, start, end) if roles.has_parse(doc) else None


def _deployed(rule: TypeRule, doc, start: int, end: int) -> str | None:
    """"Sent two frigates to the strait": by the parse, a "send" anchor whose object (or passive subject) is a
    warship or a force (``deployed_objects``), that moves something into, around or near a place
    (``deployed_preps``), or that sends it for something it does there (``deployed_purposes``: "for a visit", "to
    take part"), reports a deployment."""
    if not (rule.deployed_objects or rule.deployed_preps):
        return None
    span = _parsed_span(doc, start, end)
    verb = span.root if span is not None else None
    if verb is None or verb.lemma_.lower() != "send":
        return None
    for child in verb.children:
        if child.dep_ in ("dobj", "nsubjpass") and child.lemma_.lower() in rule.deployed_objects:
            return "a deployment of its own forces"
        if child.dep_ == "prep" and child.lower_ in rule.deployed_preps:
            return "a deployment of its own forces"
        # sent for what the sent do there ("for a port call", "to take part in drills"): they come back
        if child.dep_ == "prep" and child.lower_ == "for" and any(
                g.dep_ == "pobj" and g.lemma_.lower() in rule.deployed_purposes for g in child.children):
            return "a deployment of its own forces"
        if child.dep_ in ("advcl", "xcomp") and child.lemma_.lower() in rule.deployed_purposes:
            return "a deployment of its own forces"
    return None


def _two_states_exercise(doc, sent, start: int, end: int, sent_actors: list[ActorMention],
                         persons: dict[str, str]) -> tuple[bool, tuple[str, ...] | None]:
    """Whether a drill with no word that makes it joint is one: two states take part in it. When the parse is
    there, two states it attaches to the trigger (roles.parties: "troops of A and B drilled", not "A drilled near
    B's border"); without it, two states in the sentence. Also the parties the parse attached, None when it was
    not asked."""
    states = {m.code for m in sent_actors if actors.is_state(m.code)}
    if len(states) < 2 or not roles.has_parse(doc):
        return len(states) >= 2, None
    span = _parsed_span(doc, start, end)
    if span is None:
        return False, None
    attached = tuple(roles.parties(doc, sent, span.root, sent_actors, persons, "joint_exercise")[0])
    return len({code for code in attached if actors.is_state(code)}) >= 2, attached


def _maker_seller(doc, sent, start: int, end: int) -> str | None:
    """By the parse, the transfer's thing comes from a maker (actors.toml ``makers``) named as its source: the
    object of a "from" or "with" in the anchor's clause ("received jets from <maker>", "took delivery of jets
    from <maker>", "signed a deal with <maker> for howitzers"), the subject of a giving verb ("<maker> delivered
    jets to A") or its "by" ("jets delivered by <maker>"); the state the maker is based in, else None. A maker
    named as what made the thing ("<maker>-built jets", "jets made by <maker>") names no seller, and one of the
    buyer's own state sells nothing abroad (the caller keeps only another state)."""
    span = _parsed_span(doc, start, end)
    if span is None:
        return None
    head = roles.clause_head(span.root)
    # what the source may hang on: the clause's verb, the anchor, the verb's object, and what they are "of"
    # ("took delivery of jets from <maker>"); not a part named inside ("frigates with radars from <maker>")
    hosts = {head.i, span.root.i} | {c.i for c in head.children if c.dep_ in ("dobj", "obj")}
    hosts |= {t.i for h in list(hosts) for c in doc[h].children if c.dep_ == "prep" and c.lower_ == "of"
              for t in c.children if t.dep_ == "pobj"}
    for found in _maker_names().finditer(sent.text):
        maker = doc.char_span(sent.start_char + found.start(), sent.start_char + found.end(), alignment_mode="expand")
        if maker is None or maker.root not in head.subtree:
            continue
        tok = maker.root
        prep = tok.head if tok.dep_ == "pobj" else None
        if (prep is not None and prep.lower_ in ("from", "with") and prep.head.i in hosts) or (
                prep is not None and prep.dep_ == "agent" and prep.head.lemma_.lower() in _giving_verbs()
                and prep.head.dep_ != "acl") or (tok.dep_ == "nsubj" and tok.head.lemma_.lower() in _giving_verbs()):
            return actors.makers()[found.group()]
    return None


@functools.cache
def _maker_names() -> re.Pattern:
    """The makers' names as whole words, the longest first."""
    names = sorted(actors.makers(), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])")


def _bloc_drill(doc, start: int, end: int, sent_actors: list[ActorMention], military_words: bool) -> str | None:
    """A bloc's own drill: by the parse, an organisation of states owns the exercise, as its possessor ("the
    bloc's largest air exercise") or as the subject of the verb whose object it is ("the bloc began its annual
    exercise"); the code of that organisation, else None. A drill of a bloc whose members drill together
    (actors.toml ``military``) is multinational whatever words tell it, and the bloc is its party, alone if no
    member is named; any other organisation's only when the sentence tells it in military terms
    (``military_words``: "the bloc's cyber crisis exercise" is none, "its peacekeeping drill" one). Not a
    plural with no name of its own ("the bloc's exercises have grown"), which tells a habit, nor an "exercise
    of" something ("its exercise of restraint")."""
    span = _parsed_span(doc, start, end)
    if span is None:
        return None
    anchor = span.root
    if anchor.pos_ != "NOUN" or (anchor.tag_ == "NNS" and not any(
            c.dep_ in ("compound", "nmod") and c.pos_ == "PROPN" for c in anchor.children)) or any(
            c.dep_ == "prep" and c.lower_ == "of" for c in anchor.children):
        return None
    owners = [c for c in anchor.children if c.dep_ == "poss"]
    if anchor.dep_ in ("dobj", "obj") and anchor.head.pos_ == "VERB":
        owners += [c for c in anchor.head.children if c.dep_ == "nsubj"]
    blocs = actors.organisation_codes() if military_words else actors.military_blocs()
    owned_by = {o.i for o in owners}
    for m in sent_actors:
        tok = roles.actor_token(doc, m) if m.code in blocs else None
        if tok is not None and tok.i in owned_by:
            return m.code
    return None


def _bloc_meeting(rule: TypeRule, doc, parties: list[str], sent_actors: list[ActorMention], a_start: int,
                  a_end: int) -> str | None:
    """A bloc's own meeting: an organisation that the parse makes the modifier of its members or officials
    (``bloc_members``), who are the meeting's subject ("the bloc's defence ministers met", "heads of the navies
    of the bloc's states discussed") or what it is of ("a meeting of the bloc's ministers"), with no one else
    met ("officials met community leaders" is not one); the organisation alone is the party (its code), else
    None. None without a parser."""
    anchor = _parsed_span(doc, a_start, a_end)
    if not rule.bloc_members or len(set(parties)) > 1 or anchor is None:
        return None
    anchor = anchor.root
    if anchor.lemma_.lower() == "meet" and any(c.dep_ == "dobj" for c in anchor.children):
        return None
    subject = next((c for c in anchor.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    reach = set()
    if subject is not None:
        reach |= {t.i for t in subject.subtree}
    reach |= {t.i for c in anchor.children if c.dep_ == "prep" and c.lower_ == "of" for t in c.subtree}
    for m in sent_actors:
        if m.code not in actors.organisation_codes() or (parties and parties[0] != m.code):
            continue
        span = _parsed_span(doc, m.start, m.end)
        tok = span.root if span is not None else None
        for _ in range(2 if tok is not None else 0):
            if tok.dep_ not in ("compound", "nmod", "poss", "amod") or tok.head.i == tok.i:
                break
            tok = tok.head
            # a title-case plural ("Ministers") is tagged a proper noun, whose lemma keeps its "s"
            if {tok.lemma_.lower(), tok.lower_.removesuffix("s")} & rule.bloc_members and tok.i in reach:
                return m.code
    return None


def _reaction_to(doc, a_start: int, a_end: int) -> bool:
    """By the parse, the anchor is a noun that points back ("the deal", "this pact"), names no actor of its own
    and is the object of a verb of reaction (roles.toml ``reaction_verbs``): "..., and C welcomed the deal" tells
    C's reaction to the event told before it, not an event of C. Not when several actors react, who may be
    its parties ("A and B praised the drill"), nor when another verb shares the object ("hailed the pact and
    signed it")."""
    span = _parsed_span(doc, a_start, a_end)
    if span is None:
        return False
    noun = span.root
    verb = noun.head
    if not (noun.pos_ == "NOUN" and noun.dep_ == "dobj" and verb.lemma_.lower() in roles.reaction_verbs()
            and _definite(noun)):
        return False
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subject is not None and len({t.ent_id_ for t in subject.subtree if t.ent_type_ in actors.ACTOR_LABELS}) > 1:
        return False
    if any(c.dep_ == "conj" and c.pos_ == "VERB" for c in verb.children):
        return False
    return not any(t.ent_type_ in actors.ACTOR_LABELS for t in noun.subtree) and not any(
        t.ent_type_ in actors.ACTOR_LABELS for c in verb.children if c.dep_ in ("prep", "dative")
        for t in c.subtree)  # "hailed the delivery of frigates to C", whatever "to C" hangs from


def _definite(noun) -> bool:
    """The noun has a definite determiner ("the deal", "this pact", "that drill"): it points back."""
    return any(d.dep_ == "det" and d.lower_ in ("the", "this", "that") for d in noun.children)


def _in_other_conjunct(doc, at: int, a_start: int, a_end: int) -> bool:
    """By the parse, the word at ``at`` lies in another clause than the anchor's, one of two coordinated clauses
    with subjects of their own ("C did not join, but A and B held a drill": the "not" is C's; "A and B held a
    drill, and C will hold talks": the "will" is C's), or in a predicate coordinated after the anchor's with
    an auxiliary of its own ("A held a drill and will sign a pact": the "will" is the signing's)."""
    anchor, word = _parsed_span(doc, a_start, a_end), _span(doc, at)
    if anchor is None or word is None:
        return False
    head = roles.clause_head(anchor.root)
    for tok in [word[0], *word[0].ancestors]:
        if tok.i == head.i:
            return False
        if modality.own_conjunct(tok) or _later_predicate(tok, head, anchor.root):
            return True  # a clause, or a predicate with its own tense, coordinated below the anchor's
    return modality.own_conjunct(head)  # above the anchor's clause, which is coordinated with it


def _in_later_predicate(doc, at: int, a_start: int, a_end: int) -> bool:
    """By the parse, the word at ``at`` (a date) lies in a predicate coordinated after the anchor's with an
    auxiliary of its own ("A and B held a drill and will hold another in June": June is not the drill's)."""
    anchor, word = _parsed_span(doc, a_start, a_end), _span(doc, at)
    if anchor is None or word is None:
        return False
    head = roles.clause_head(anchor.root)
    return any(_later_predicate(tok, head, anchor.root) for tok in [word[0], *word[0].ancestors])


def _later_predicate(tok, head, anchor) -> bool:
    """``tok`` heads a predicate coordinated below ``head`` with an auxiliary of its own, that does not hold
    the anchor nor act on the anchor's thing ("and will sign it": the signing of what the anchor's verb
    announced keeps their tense)."""
    return modality.own_predicate(tok) and head in tok.ancestors and tok not in [anchor, *anchor.ancestors] and (
        not any(c.dep_ in ("dobj", "nsubjpass") and c.lower_ in ("it", "them") for c in tok.children))


def _parse_mood(doc, start: int, end: int) -> str | None:
    """The trigger's mood in the parse (modality.py: occurred, planned, negated, speculative, habitual: "did not
    sign", "could sign", "will involve training"), or None without a parser."""
    span = _parsed_span(doc, start, end)
    return modality.assess(span.root, roles.clause_head(span.root))[0] if span is not None else None


def _names_a_kind(doc, start: int, end: int) -> str | None:
    """By the parse, a one-word anchor that modifies a common noun other than an occasion names a kind of thing
    ("a training aircraft"); None otherwise, and always without a parser."""
    head = _modified_noun(doc, start, end)
    if head is not None and head.lemma_.lower() not in cues().occasion_heads:
        return "names a kind of thing"
    return None


def _names_a_thing(doc, start: int, end: int, a_start: int, a_end: int) -> bool:
    """The noun over ``start``-``end`` is the first part of a compound that names a thing other than the anchor
    ("attack helicopters"; not "a scrapped purchase", whose participle tells what became of the anchor)."""
    head = _modified_noun(doc, start, end)
    if head is None:
        return False
    word = doc.char_span(start, end, alignment_mode="expand").root
    return word.dep_ == "compound" and word.pos_ == "NOUN" and not a_start <= head.idx < a_end


def _requirement_met(rule: TypeRule, sentence: str, doc, s0: int, sent_actors: list[ActorMention],
                     anchor: tuple[int, int]) -> bool:
    """The sentence meets the rule's ``requires_any``, by a word that the parse does not make a civilian craft
    ("a cargo vessel", "the cruise ship", "fishing boats": events.toml ``civilian_craft``): a port call, a
    drill or a transfer needs a ship of a state's forces, not one of its traders. For a rule that a named
    warship meets (``requires_any_warship``), a ship prefix before a name does too ("XYZ Example docked at
    Apia"), unless the parse makes that warship where the anchor (``anchor``: its characters in the text)
    arrives, not what arrives ("the resupply mission reached XYZ Example")."""
    if rule.warship_meets and any(m.kind == actors.SHIP and not _destination_of(doc, m, *anchor)
                                  for m in sent_actors):
        return True
    return any(not _civilian_craft(doc, s0 + m.start(), s0 + m.end()) for m in rule.requires_any.finditer(sentence))


def _civilian_craft(doc, start: int, end: int) -> bool:
    """By the parse, the word over ``start``-``end`` is a craft (a ship, vessel, boat) with a modifier naming a
    civilian kind and none naming a military one ("a cargo ship"; not "a patrol and cargo ship", nor a "cruise"
    that goes with a missile: "a cruise missile destroyer"). False without a parser."""
    span = _parsed_span(doc, start, end)
    if span is None or span.root.lemma_.lower() not in _CRAFT_NOUNS:
        return False
    mods = [c for c in span.root.children if c.dep_ in ("compound", "amod", "nmod")]
    mods += [c for m in mods for c in m.conjuncts]
    civilian = [m for m in mods if _lex("civilian_craft", m.text) and not (
        m.i + 1 < len(doc) and doc[m.i + 1].lower_.startswith("missile"))]
    joined = [span.root.head] if span.root.dep_ == "conj" else []  # "a patrol and cargo ship"
    return bool(civilian) and not any(_lex("defence", m.text) or m.lower_ in ("patrol", "war", "escort")
                                      for m in mods + joined)


def _destination_of(doc, m: ActorMention, a_start: int, a_end: int) -> bool:
    """By the parse, the name that ``m`` begins is the direct object of the anchor over ``a_start``-``a_end``
    ("reached XYZ Example"); not the object of a preposition ("a port visit by XYZ Example"). False without a
    parser."""
    span = _parsed_span(doc, m.start, m.end)
    if span is None:
        return False
    tok = span.root
    while tok.dep_ in ("compound", "flat", "nmod", "amod") and tok.head.i != tok.i:
        tok = tok.head
    return tok.dep_ in ("dobj", "obj") and a_start <= tok.head.idx < a_end


# the nouns of craft a civilian modifier can describe
_CRAFT_NOUNS = frozenset({"ship", "vessel", "boat", "craft", "liner", "carrier"})


# types whose events are occasions held on a day: a date after "for" is theirs ("a drill for June 12")
_OCCASIONS = frozenset({"joint_exercise", "dialogue_meeting", "port_visit", "training_exchange"})
# prepositions that place an occasion before or after the clause's time ("ten years after first drills",
# "preparations for the first drills", "findings from the second drills")
_FRAMING_PREPS = frozenset({"after", "since", "before", "ahead", "for", "from", "until", "following"})


def _one_edition(doc, start: int, end: int) -> bool:
    """By the parse, a plural anchor that an ordinal picks out ("their first joint drills", "the 12th defence
    talks", "the inaugural consultations"): one occasion, not events of a kind; but not one a preposition places
    before or after the clause's own time (:data:`_FRAMING_PREPS`: "two years after first joint patrols, A and
    B ..."), whose date and status nothing tells. False without a parser."""
    span = _parsed_span(doc, start, end)
    if span is None or not any(c.ent_type_ == "ORDINAL" or c.lower_ in ("inaugural", "maiden")
                               for c in span.root.children if c.dep_ in ("amod", "nummod", "compound")):
        return False
    tok = span.root
    while tok.dep_ in ("pobj", "prep", "conj", "compound", "amod") and tok.head.i != tok.i:
        if tok.dep_ == "prep" and tok.lower_ in _FRAMING_PREPS:
            return False
        tok = tok.head
    return not (tok.dep_ == "prep" and tok.lower_ in _FRAMING_PREPS)


def _modified_noun(doc, start: int, end: int):
    """The common noun that the one word over ``start``-``end`` modifies by the parse ("attack" in "an attack
    helicopter"), or None (also without a parser)."""
    span = _parsed_span(doc, start, end)
    if span is None or len(span) != 1:
        return None
    root = span.root
    return root.head if root.dep_ in ("compound", "amod", "nmod") and root.head.pos_ == "NOUN" else None


def _span(doc, start: int, end: int | None = None):
    """The tokens over the characters ``start`` to ``end`` (without ``end``: the one character at ``start``), or
    None where no token is."""
    span = doc.char_span(start, start + 1 if end is None else end, alignment_mode="expand")
    return span if span is not None and len(span) else None


# habitual words that, as adjectives before an anchor under an eventive verb, name one edition of a series
_EDITION_WORDS = frozenset({"annual", "biennial", "regular", "traditional"})
# the noun's way up to its verb: object, prepositional object, conjunct, modifier
_NOUN_PATH = ("dobj", "pobj", "prep", "conj", "compound", "amod", "nsubjpass", "nsubj", "attr", "appos", "nmod")
# words in the verb's clause that make even a past or perfect verb speak of a pattern ("held drills for years")
_PATTERN_WORDS = {"since", "years", "decades", "past", "times", "often", "previously", "ever", "usually", "before"}


def eventive_verb(doc, a_start: int, a_end: int) -> bool:
    """The anchor noun (character span) hangs from a verb that reports one occurrence: the simple past ("held
    drills"), a perfect ("have begun exercises") or a progressive ("are conducting patrols"), with nothing in its
    clause that makes it a pattern ("since 2015", "for years", "three times"). Present simple, modals and
    infinitives stay unsaid, so "the navies hold exercises" remains a kind of event, not one."""
    span = _span(doc, a_start, a_end)
    if span is None:
        return False
    tok = span[-1]
    for _ in range(6):
        if tok.pos_ in ("VERB", "AUX") or tok.dep_ == "ROOT":
            break
        if tok.dep_ not in _NOUN_PATH:
            return False
        tok = tok.head
    if tok.pos_ not in ("VERB", "AUX"):
        return False
    auxes = [c for c in tok.children if c.dep_ in ("aux", "auxpass")]
    if any(a.tag_ == "MD" or a.lower_ == "to" for a in auxes) or tok.dep_ in ("xcomp", "advcl", "relcl", "acl"):
        return False
    perfect = tok.tag_ == "VBN" and any(a.lemma_ == "have" for a in auxes)
    progressive = tok.tag_ == "VBG" and any(a.lemma_ == "be" and a.tag_ in ("VBP", "VBZ", "VBD") for a in auxes)
    if not (tok.tag_ == "VBD" or perfect or progressive):
        return False
    return not any(t.lower_ in _PATTERN_WORDS for t in _own_clause(tok))


# dependencies that open a clause of its own ("exercises, restored after two years", "..., ending years of
# mistrust"); a clause that compares with the verb ("as they have done for decades") still tells its pattern
_CLAUSES = frozenset({"acl", "relcl", "advcl", "ccomp", "xcomp", "csubj", "parataxis"})


def _own_clause(verb):
    """The tokens of ``verb``'s own clause: its subtree without the clauses nested in it or the verbs joined to
    it ("held drills and discussed plans for the coming years"), but with an "as" clause of comparison."""
    stack, out = [verb], []
    while stack:
        tok = stack.pop()
        out.append(tok)
        stack.extend(c for c in tok.children
                     if not (c.dep_ in _CLAUSES or c.dep_ == "conj" and c.pos_ in ("VERB", "AUX"))
                     or c.dep_ == "advcl" and any(t.dep_ == "mark" and t.lower_ == "as" for t in c.children))
    return out


def _governs(doc, a_start: int, a_end: int, cue_start: int) -> bool:
    """The anchor is the predicate the cue hangs from ("Chile, through its command, donated boats": the
    "through" phrase modifies the donation), so the anchor is not the cue's content."""
    anchor, cue = _span(doc, a_start, a_end), _span(doc, cue_start)
    if anchor is None or cue is None:
        return False
    return any(t.i in range(anchor.start, anchor.end) for t in cue[0].ancestors) and anchor[0].pos_ in ("VERB", "AUX")


def _future(sentence: str, a_start: int, a_end: int, doc=None, s0: int = 0) -> bool:
    """A future word in the anchor's clause (with ``doc``, not one of a clause coordinated with it)."""
    start = _clause_start(sentence, a_start)
    clause = sentence[start:min(len(sentence), a_end + 40)]
    return any(doc is None or not _in_other_conjunct(doc, s0 + start + m.start(), s0 + a_start, s0 + a_end)
               for m in cues().future.finditer(clause))


def _location(doc, sent) -> str | None:
    """The first place after "in"/"at" that is a place, not a modifier ("in Vietnam-Japan ties", "in Japan's view")."""
    for ent in sent.ents:
        if ent.label_ in ("GPE", "LOC", actors.CAPITAL, actors.COUNTRY, "FAC", actors.NOT_ACTOR):
            prev = doc[ent.start - 1].lower_ if ent.start > sent.start else ""
            nxt = doc[ent.end] if ent.end < len(doc) else None
            if nxt is not None and (nxt.text in ("-", "–", "'s", "’s") or (nxt.is_lower and nxt.pos_ == "NOUN")):
                continue
            if prev in ("in", "at"):
                return ent.text
    return None


def _participants(doc, sent, a_start: int, a_end: int, sent_actors: list[ActorMention], persons: dict[str, str],
                  rule: TypeRule, text: str | None = None, others: list[tuple[int, int, str]] = (),
                  bloc: str | None = None) -> list[str]:
    """States and organisations that are parties to the anchor's event, in order of appearance (``others``: the
    spans of the sentence's anchors, in the doc's characters, with their event types; ``bloc``: the organisation
    whose own drill the anchor is, :func:`_bloc_drill`)."""
    text = doc.text if text is None else text  # the doc's text is built anew at each reading
    s0 = sent.start_char
    anchor = _parsed_span(doc, s0 + a_start, s0 + a_end)
    head = roles.clause_head(anchor.root) if anchor is not None else None
    limit = _clause_end(doc, sent, s0 + a_end, anchor)
    # the sentence up to the anchor, for a clause of contrast that holds it; not when its verb is one of reaction
    # ("..., while B condemned the sale"), of report or comment, or an anchor that points back ("..., while B
    # said it was watching the deal")
    verb = _act_verb(anchor.root) if anchor is not None else None
    commenting = verb is not None and (verb.lemma_.lower() in roles.rivalry_words() or any(
        t.lemma_.lower() in modality.reporting_verbs() for t in [verb, *verb.ancestors]))
    pointing = anchor is not None and _definite(anchor.root)
    to_anchor = None if commenting or pointing else text[s0:s0 + a_start]
    giving = _named_giving(doc, anchor.root, rule, sent_actors) if anchor is not None else None
    # an organisation's peacekeeping mission, the organisation named inside the anchor's phrase by the parse
    # ("the bloc's peacekeeping mission", "peacekeepers serving with the bloc's mission"; not "in line with the
    # bloc's resolutions"): the state it keeps the peace in is where, not a party
    mission = anchor is not None and rule.name == "peacekeeping_hadr" and _lex(
        "peacekeeping", text[s0 + a_start:s0 + a_end]) and any(
        m.kind == actors.ORG and (tok := roles.actor_token(doc, m)) is not None and tok in anchor.root.subtree
        for m in sent_actors)
    codes: list[str] = []
    for m in sent_actors:
        if m.start >= limit or _excluded(text[s0:m.start], to_anchor) or _in_other_clause(doc, m.start, s0 + a_start, s0 + a_end):
            continue
        if _rival(doc, m, head) or (MADE_BY.match(text, m.end) and not rule.maker_anchors):
            continue  # a rival; or the maker of a thing, a party only of that thing's transfer
        if anchor is not None and _observer(doc, m, anchor.root):
            continue  # "observers from X", "X watched the drill": an onlooker, not a party
        if anchor is not None and (_reporter(doc, m, anchor.root) or _objector(doc, m, anchor.root, bloc)
                                   or _target_of_a_coordinated_act(doc, m, anchor.root)):
            continue  # "A said B will send tanks to C", "A condemned B's sale to C": A takes no part
        if anchor is not None and (_giver_of_another_act(doc, m, anchor.root, rule)
                                   or _party_of_another_clause(doc, m, anchor.root, rule, others)):
            continue  # "A sent tanks to C, and B delivered howitzers": A gave nothing in B's act
        if giving is not None and _beside_a_named_giving(doc, m, anchor.root, giving):
            continue  # "A deepened ties with B, supplying drones to C": B neither gives nor takes
        prev_word = re.findall(r"[\w]+", text[max(s0, m.start - 12):m.start])[-1:] or [""]
        if m.kind in actors.PLACE_LABELS and prev_word[0].lower() in _PLACE_PREPOSITIONS \
                and rule.name not in ("port_visit", "peacekeeping_hadr", "training_exchange"):
            continue
        if m.kind in actors.PLACE_LABELS and prev_word[0].lower() in _MISSION_HOST_PREPOSITIONS and mission:
            continue  # "troops from A arrived in B to reinforce the bloc's peacekeeping mission": B hosts, A and
            # the bloc are the parties
        if m.kind == actors.ORG and _modifier(doc, m) and rule.name != "peacekeeping_hadr":
            continue  # "UN peacekeeping operations": the organisation qualifies a noun
        codes.append(m.code)
    # people linked to states, unless the parse puts them in a clause of their own ("Minister X held talks on
    # Monday, while A and B signed a pact")
    def elsewhere(start: int, end: int) -> bool:
        person = SimpleNamespace(start=start, end=end)
        return anchor is not None and (_in_other_clause(doc, start, s0 + a_start, s0 + a_end)
                                       or _party_of_another_clause(doc, person, anchor.root, rule, others))
    for ent in sent.ents:
        if ent.label_ == "PERSON":
            code = persons.get(ent.text) or next((persons[t.text] for t in ent if t.text in persons), None)
            if ent.start_char >= limit or _excluded(text[s0:ent.start_char], to_anchor):
                continue
            if code and not elsewhere(ent.start_char, ent.end_char):
                codes.append(code)
    for tok in sent:
        if tok.ent_type_ not in actors.ACTOR_LABELS and tok.text in persons and tok.text[:1].isupper():
            if tok.idx >= limit or _excluded(text[s0:tok.idx], to_anchor) or elsewhere(tok.idx, tok.idx + len(tok)):
                continue
            codes.append(persons[tok.text])
    seen: list[str] = []
    for code in codes:
        if code not in seen:
            seen.append(code)
    return seen


def _rival(doc, m: ActorMention, head) -> bool:
    """By the parse, the actor reaches the anchor's clause (``head``: its head, None without a parser) through a
    word of rivalry or threat (roles.toml ``rivalry_words``: "drills aimed at deterring X", "tensions with X"):
    no party."""
    tok = roles.actor_token(doc, m) if head is not None else None
    if tok is None:
        return False
    path = roles.path_up(tok, head) if tok.i != head.i else []
    # behind an excluding preposition ("amid tensions between A and B, C and D signed"), the rules' own reading
    # of the clause decides (_excluded), which a misparsed list does not mislead
    return path is not None and roles.excluded(tok, path, roles.rivalry_words()) == "excluding word"


# Looking on: nouns of onlookers ("observers from A") and verbs of looking on whose object is the event ("A
# observed the drill", "the drill, watched by A"); "watch" as a noun ("a coast watch") and "observe" of a
# thing other than the event ("observe a tradition", "observe the terms of the pact") are none.
_ONLOOKER_NOUNS = frozenset({"observer", "onlooker", "spectator"})
_ONLOOKING_VERBS = frozenset({"observe", "watch", "witness"})
# verbs by which a state sends onlookers to an event ("sent observers to the drill"); not "hosted observers"
_SENDING_VERBS = frozenset({"send", "dispatch", "deploy"})
# entity labels of places, where onlookers may stand ("as an observer at <a port>")
_PLACE_ENTITIES = frozenset({"GPE", "LOC", "FAC"}) | actors.PLACE_LABELS
# "observer nations A and B": the words for the states an onlooker noun may qualify
_ONLOOKER_GROUPS = frozenset({"nation", "nations", "state", "states", "country", "countries", "member", "members"})


def _observer(doc, m: ActorMention, anchor) -> bool:
    """By the parse, the actor looks on at the anchor's event, so is no party: it hangs from a noun of
    onlookers ("observers from A attended the drill"), or is the subject or agent of a verb of looking on
    whose object is the event ("A observed the drill", "observing the drill are A", "the drill, watched by
    A"). An actor inside the event's own phrase ("the drill of A and B") is a party, and so are the
    onlookers of their own forces ("observed the exercise of their navies")."""
    tok = roles.actor_token(doc, m)
    if tok is None or tok.sent.start != anchor.sent.start:
        return False
    phrase = tok
    while (phrase.dep_ in ("poss", "compound", "amod") and phrase.head.i > phrase.i) or \
            (phrase.dep_ == "conj" and phrase.head.i < phrase.i and phrase.head.dep_ in ("poss", "compound", "amod")):
        phrase = phrase.head  # "A's navy", "the A navy", "the A and B navies"
    first = phrase
    while first.dep_ == "conj" and first.head.i < first.i:
        first = first.head
    before = [t.lower_ for t in doc[max(first.sent.start, first.i - 2):first.i]]
    if before[-1:] and before[-1] in _ONLOOKER_NOUNS or \
            (len(before) == 2 and before[0].rstrip("s") in _ONLOOKER_NOUNS and before[1] in _ONLOOKER_GROUPS):
        return True  # "observer Ecuador", "observer nations A and B" (which the parse may read as a verb)
    mine = [tok] + list(tok.ancestors)
    if any(v.pos_ == "VERB" and v.lemma_.lower() in _ONLOOKING_VERBS and v.head.i == anchor.i and v.dep_ == "acl"
           for v in mine):
        return True  # "the drill, watched by A"
    if anchor in mine:
        return False
    theirs = [anchor] + list(anchor.ancestors)
    meet = next((t for t in mine if t in theirs), None)
    if meet is None:
        return False
    up_mine = mine[:mine.index(meet) + 1]
    if any(t.lemma_.lower() in _ONLOOKER_NOUNS and t.pos_ == "NOUN" and below.dep_ != "conj"
           for below, t in zip(up_mine, up_mine[1:])):
        return True  # "observers from A"; not "as an observer and A as host", a name beside the noun
    # named as onlookers on the way up: "observer nations A and B", "with A taking part as an observer"
    if any(_as_onlooker(t, anchor) is not None or any(
            c.dep_ in ("compound", "amod") and c.lemma_.lower() in _ONLOOKER_NOUNS for c in t.children)
           for t in up_mine[:-1]):
        return True
    if len(up_mine) > 1 and up_mine[-2].dep_ == "nsubj" and meet.lemma_.lower() in _SENDING_VERBS and any(
            c.dep_ == "dobj" and _names_onlookers(c) and not any(
                k.dep_ == "conj" and not _names_onlookers(k) for k in c.children) for c in meet.children):
        return True  # "A sent observers to the drill", "A sent a team of observers as B and C held a drill"
    role = _as_onlooker(meet, anchor)
    if role is not None:
        if any(t.dep_ == "prep" and t.lower_ == "with" for t in doc[meet.i + 1:role.i]):
            # "A and B held a drill, with C as host and D as an observer": the role is the name's (and its
            # conjuncts') just before it, wherever the parse hangs the "with" phrase
            return first.right_edge.i == role.i - 1 or phrase.right_edge.i == role.i - 1
        # "C attended the drill as an observer": the role is the subject's
        return len(up_mine) > 1 and up_mine[-2].dep_ in ("nsubj", "nsubjpass")
    # the verb whose direct object is the event, on its way up to where the actor's path meets it
    verb = anchor.head if anchor.dep_ == "dobj" else None
    if verb is None or verb.pos_ != "VERB" or verb.lemma_.lower() not in _ONLOOKING_VERBS or verb not in theirs:
        return False
    if any(t.lower_ in ("their", "its", "own") for t in anchor.subtree):
        return False
    return theirs.index(verb) <= theirs.index(meet)


def _names_onlookers(noun) -> bool:
    """A noun phrase of onlookers: "observers", "a team of observers", "military observers"."""
    if noun.lemma_.lower() in _ONLOOKER_NOUNS:
        return True
    return any(c.dep_ == "prep" and c.lower_ == "of" and any(
        p.dep_ == "pobj" and p.lemma_.lower() in _ONLOOKER_NOUNS for p in c.children) for c in noun.children)


def _as_onlooker(tok, anchor):
    """The "as an observer" phrase hanging from ``tok``, if it has one; an onlooker of something other than
    the anchor's event ("as an observer of the region", "as observers at the council") has another role, not
    one looking on from somewhere or at some time ("as an observer at sea", "for the first time")."""
    return next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "as" and any(
        p.dep_ == "pobj" and p.lemma_.lower() in _ONLOOKER_NOUNS and not any(
            _onlooker_of_another_thing(o, anchor) for o in p.children) for p in c.children)), None)


def _onlooker_of_another_thing(prep, anchor) -> bool:
    """``prep``, a phrase on a noun of onlookers, names what else they look on at: "of" something other than
    the anchor's event, or "at"/"to" a named body, not a place ("observers at the Arctic Council", not "at
    <a port>")."""
    if prep.dep_ != "prep" or anchor in prep.subtree:
        return False
    return prep.lower_ == "of" or (prep.lower_ in ("at", "to") and any(
        o.dep_ == "pobj" and o.pos_ == "PROPN" and o.ent_type_ not in _PLACE_ENTITIES for o in prep.children))


def _phrase_head(tok):
    """The head of the phrase an actor token stands in, past lists, appositions and modifiers ("A and D", "A's
    army", "A's troops"): the token that fills the clause's role."""
    while tok.dep_ in ("conj", "appos", "compound", "poss", "amod") and tok.head.i != tok.i:
        tok = tok.head
    return tok


def _reporter(doc, m: ActorMention, anchor) -> bool:
    """By the parse, the actor is the subject of a verb of reporting (modality.toml ``[reporting]``) whose
    reported clause holds the anchor and has actors of its own as its subject ("A said B will send tanks to
    C", "B and C will hold a drill, A said"): the reporter is no party. A pronoun in that subject ("A said it
    will ...", "A said its navy ...") points back at the reporter, which stays; so does one whose reported
    clause is about the event ("A said the drill with B went well") or names it again ("A said B would join
    its drill"). A reporter may be the unnamed taker of what a single state gives ("C said B delivered
    the tanks"), but as often a third state commenting on it ("D said B delivered missiles"), which the parse
    cannot tell apart: it is left out (precision first)."""
    tok = roles.actor_token(doc, m)
    if tok is None:
        return False
    tok = _phrase_head(tok)  # "A and D said", "A's ministry said"
    verb = tok.head
    if tok.dep_ != "nsubj" or verb.lemma_.lower() not in modality.reporting_verbs():
        return False
    clause = next((c for c in verb.children if c.dep_ in ("ccomp", "parataxis") and anchor in c.subtree), None)
    subject = next((c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")), None) if clause else None
    if subject is None or anchor in subject.subtree:
        return False
    words = list(subject.subtree)
    if any(t.pos_ == "PRON" for t in words) or any(
            t.lower_ in _REPORTER_PRONOUNS and t.pos_ == "PRON" for t in clause.subtree):
        return False  # "A said B would join its drill": the reporter is in the clause too
    return any(t.ent_type_ in actors.ACTOR_LABELS for t in words)


def _objector(doc, m: ActorMention, anchor, bloc: str | None = None) -> bool:
    """By the parse, the actor is the subject of a verb of objection (roles.toml ``objecting_verbs``) whose
    object holds the anchor and names both its sides, or the bloc whose own drill it is (``bloc``): "C condemned
    the sale of jets to B by A", "C criticised A's drill with B", "A's drill with B was condemned by C", "C
    condemned the bloc's exercise". Who objects to an event takes no part in it. An
    object that names one side only ("B criticised the slow delivery of tanks from A") or points back at the
    subject ("its drill with D") may be the subject's own event, criticised for how it goes."""
    tok = roles.actor_token(doc, m)
    if tok is None:
        return False
    tok = _phrase_head(tok)
    if tok.dep_ == "nsubj":
        verb, objects = tok.head, ("dobj", "ccomp")  # a headline's "C condemns A-B drill" reads as a clause
    elif tok.dep_ == "pobj" and tok.head.dep_ == "agent":
        verb, objects = tok.head.head, ("nsubjpass",)  # "the drill ... was condemned by C"
    else:
        return False
    if verb.lemma_.lower() not in roles.objecting_verbs():
        return False
    obj = next((c for c in verb.children if c.dep_ in objects and anchor in c.subtree), None)
    if obj is None:
        return False
    inside = {t.i for t in obj.subtree}
    path = {anchor.i} | {t.i for t in anchor.ancestors if t.i in inside}
    if any(t.lower_ in ("its", "their", "our") and t.head.i in path for t in obj.subtree):
        return False  # the subject's own event ("its drill with D"), not "A's drill near its border"
    # with the event's own "to", "by" or "from" phrase, whatever the parse hangs it from ("the sale of jets to B")
    words = [*obj.subtree, *(t for c in verb.children if c.dep_ in ("prep", "dative")
                             and c.lower_ in ("to", "by", "from", "for") for t in c.subtree)]
    named = {t.ent_id_ for t in words if t.ent_type_ in actors.ACTOR_LABELS and t.ent_id_ != m.code}
    return len(named) >= 2 or (bloc is not None and bloc in named)


def _target_of_a_coordinated_act(doc, m: ActorMention, anchor) -> bool:
    """By the parse, the actor is the object of a verb of hostility, objection or cancelling (roles.toml
    ``rivalry_words`` and ``objecting_verbs``, modality.toml's cancelling verbs) coordinated with the anchor's
    verb: "A sanctioned C and held a drill with B", "A criticised C's drill with D and held one with B". What
    the subject did to C makes C no party of its other act."""
    tok = roles.actor_token(doc, m)
    own = _act_verb(anchor)
    if tok is None or own is None:
        return False
    tok = _phrase_head(tok)
    while tok.dep_ == "pobj" and tok.head.dep_ == "prep" and tok.head.head.pos_ != "VERB":
        tok = _phrase_head(tok.head.head)  # "C's drill with D": D hangs from the drill, the drill from the verb
    if tok.dep_ == "pobj" and tok.head.dep_ == "prep":
        tok = tok.head  # "withdrew from the pact with C"
    verb = tok.head
    if tok.dep_ not in ("dobj", "prep") or verb.pos_ != "VERB" or verb.i == own.i or anchor in tok.subtree:
        return False
    if not ((own.dep_ == "conj" and own.head.i == verb.i) or (verb.dep_ == "conj" and verb.head.i == own.i)):
        return False
    # the other act's words: its verb's subtree, less the anchor's clause when the parse hangs that from it
    theirs = {t.i for t in verb.subtree} - ({t.i for t in own.subtree} if own.head.i == verb.i else set())
    if any(t.lower_ in ("it", "them") and t.dep_ in ("dobj", "pobj") and t.i not in theirs for t in anchor.sent):
        return False  # "A warned C and held talks with it": C is a party after all
    lemma = verb.lemma_.lower()
    return lemma in roles.rivalry_words() or lemma in roles.objecting_verbs() or lemma in modality.modality_data()[
        "not_event"]["cancel"]


# pronouns by which a reported clause names its reporter (a state, or the speaker on its behalf: "his country")
_REPORTER_PRONOUNS = frozenset({"it", "its", "itself", "we", "us", "our", "ours", "i", "me", "my", "he", "him",
                                "his", "she", "her"})


def _giver_of_another_act(doc, m: ActorMention, anchor, rule: TypeRule) -> bool:
    """By the parse, the anchor is a verb with a subject of its own ("B delivered howitzers"), and the actor is
    the giver in another clause coordinated with it: the subject of a verb of giving ("A sent tanks to C, and B
    delivered howitzers") or the source of a verb of taking ("C received tanks from A, and B sent howitzers").
    Each clause tells its own act, and A is no party of B's. The taker of the other clause (C) may be a party,
    unless the anchor names a recipient of its own; and where one clause points back at the other's thing
    ("A bought howitzers, and B delivered them") the two tell one act. (A later clause is cut off by
    :func:`_clause_end`; an event told by a noun, "B joined the drill", keeps the subjects of the clauses around
    it.)"""
    if anchor.pos_ != "VERB" or not any(c.dep_ in ("nsubj", "nsubjpass") for c in anchor.children):
        return False
    tok = roles.actor_token(doc, m)
    if tok is None:
        return False
    tok = _phrase_head(tok)  # "A and D sent", "A's army sent", "A's troops"
    if tok.dep_ in ("nsubj", "nsubjpass"):
        verb = tok.head
        taker = verb.lemma_.lower() in roles.receiving_verbs()
    elif tok.dep_ == "pobj" and tok.head.lower_ == "from":
        verb = tok.head.head  # "received tanks from A", or the parse's "tanks from A"
        verb = verb.head if verb.dep_ == "dobj" else verb
        taker = verb.lemma_.lower() not in roles.receiving_verbs()
    else:
        return False
    if verb.pos_ != "VERB":
        return False
    if verb.i == anchor.i or not _coordinated_acts(verb, anchor) or _points_back(anchor) or _points_back(verb):
        return False
    if _sends_forces(verb, anchor, rule):
        return False  # "A sent two frigates, and B and C held a drill": forces sent take part
    if taker:
        # the taker of the other act receives the anchor's thing too, unless the anchor says who does
        return not _gives_to_no_one(anchor, rule)
    return True


def _gives_to_no_one(verb, rule: TypeRule) -> bool:
    """The anchor's verb gives a thing (a transfer verb of triggers.toml that is no verb of taking) and names
    no one who takes it ("B sent howitzers"), so the taker of a clause beside it may take it."""
    return rule.name == "arms_transfer" and verb.lemma_.lower() in _giving_verbs() and not _names_its_taker(verb)


@functools.cache
def _giving_verbs() -> frozenset[str]:
    """Transfer verbs of triggers.toml that are no verbs of taking (roles.toml ``receiving_verbs``)."""
    return frozenset(triggers.specs()["arms_transfer"].verbs) - roles.receiving_verbs()


def _named_giving(doc, verb, rule: TypeRule, sent_actors: list[ActorMention]) -> tuple[set[int], set[int]] | None:
    """By the parse, the anchor is a giving verb of a transfer that names a state that takes, by a "to" phrase
    or a second object ("supplied drones to C", "sent C howitzers"): then the indices of the verbs and nouns
    above it and of the tokens that name the sentence's actors, for :func:`_beside_a_named_giving`; else None
    (no state named as the taker, "sent jets to the front": another state may be it)."""
    if rule.name != "arms_transfer" or verb.pos_ != "VERB" or verb.lemma_.lower() not in _giving_verbs():
        return None
    taken = {t.i for c in _taker_phrases(verb) for t in c.subtree}
    tokens = [(a, roles.actor_token(doc, a)) for a in sent_actors]
    if not any(actors.is_state(a.code) and tok is not None and tok.i in taken for a, tok in tokens):
        return None
    return {t.i for t in verb.ancestors}, {tok.i for _, tok in tokens if tok is not None}


def _beside_a_named_giving(doc, m: ActorMention, verb, giving: tuple[set[int], set[int]]) -> bool:
    """The anchor is a giving that names its taker (``giving``, from :func:`_named_giving`), and the actor
    stands outside the verb's own phrase in no role of a giver: a state named beside the transfer ("A,
    deepening ties with B, supplied drones to C"; "A has grown closer to B, sending shells to C"), which
    neither gives nor takes.
    A giver's roles: the subject of the verb or of a verb above it, with its list, possessor or apposition
    ("A and D sent ...", "A's ministry sent ..."); the object of a verb above it whose complement the anchor is
    ("thanked A for sending", "cleared A to transfer", "joined A in sending"); the possessor or "by" of a noun
    above it ("A's decision to send", "a decision by A to send"); what a relative clause of the verb hangs on
    ("C, which sent ..."); anything inside a subject ("states such as A", "states led by A"); a companion by
    "with" or "alongside" of a verb above it ("worked with A to deliver", "together with A, B sent"), not of
    a noun ("ties with B")."""
    above, named = giving
    tok = roles.actor_token(doc, m)
    if tok is None or tok in verb.subtree:
        return False
    if tok.i in above or any(tok in c.subtree and not _in_a_clause_of_a_name(tok, c, named)
                             for h in (verb, *verb.ancestors) for c in h.children if c.dep_ in ("nsubj", "nsubjpass")):
        return False  # what a relative clause hangs on ("C, which sent ..."), or inside a subject ("states
        # such as A", "states led by A"), unless in a clause that qualifies an actor ("A, rattled by B, sent")
    while tok.dep_ in ("conj", "appos", "compound", "nmod") and tok.head.i != tok.i:
        tok = tok.head
    if tok.dep_ == "pobj" and tok.head.lower_ == "by" and tok.head.head.i in above:
        return False  # "a decision by A to send"
    if tok.dep_ == "poss":
        return tok.head.i not in above and not (
            tok.head.dep_ in ("nsubj", "nsubjpass") and (tok.head.head.i in above or tok.head.head.i == verb.i))
    if tok.dep_ in ("nsubj", "nsubjpass", "dobj", "attr"):  # attr: "it was A that sent ..."
        return not (tok.head.i in above or (tok.dep_ in ("nsubj", "nsubjpass") and tok.head.i == verb.i))
    if tok.dep_ == "pobj" and tok.head.lower_ in ("with", "alongside"):
        host = tok.head.head
        return host.pos_ in ("NOUN", "PROPN") and host.dep_ in ("dobj", "nsubj", "nsubjpass", "attr", "pobj") \
            and not (host.dep_ == "pobj" and host.head.head.i in above and host.head.lower_ == "in")
    return True


def _in_a_clause_of_a_name(tok, subject, named: set[int]) -> bool:
    """By the parse, ``tok`` lies in a clause (relative, participial) that qualifies a word of ``subject``
    which itself names an actor (``named``: token indices): "A, rattled by B, ..." (B), not "states led by
    B" (the states are B and others)."""
    while tok.i != subject.i and tok.head.i != tok.i:
        if tok.dep_ in ("relcl", "acl") and tok.head.i in named:
            return True
        tok = tok.head
    return False


def _names_its_taker(verb) -> bool:
    """The verb says who takes its thing: its subject, for a verb of taking ("B bought"), or a "to" phrase or
    a second object ("sent howitzers to C", "sent C howitzers")."""
    return verb.lemma_.lower() in roles.receiving_verbs() or bool(_taker_phrases(verb))


def _taker_phrases(verb) -> list:
    """The verb's phrases that name who takes its thing: a "to" phrase or a second object ("sent howitzers to
    C", "sent C howitzers")."""
    return [c for c in verb.children if c.dep_ == "dative" or (c.dep_ == "prep" and c.lower_ == "to")]


def _party_of_another_clause(doc, m: ActorMention, anchor, rule: TypeRule, others: list[tuple[int, int, str]]) -> bool:
    """By the parse, the anchor's clause has a subject that names actors of its own ("B and C signed a pact"),
    and the actor sits in another clause told beside it (coordinated, spliced by a comma or a semicolon, or
    set against it by "while") that tells an act of its own, an event (one of the sentence's anchors,
    ``others``) or a reaction ("A held talks with D on Monday, B and C signed a pact"; "..., and A condemned
    it"): A and D are no parties of the pact. A clause that tells no act of its own may add to the event ("B
    hosted the drill, and C took part"; "B signed a deal for jets, and C approved the sale"), and so may one
    that sends forces to an event other than a transfer. The taker of another clause stays a party of a giving
    that names no recipient (:func:`_giver_of_another_act`), and so do both clauses' actors where one points
    back at the other's thing ("A bought howitzers, and B delivered them")."""
    own = _act_verb(anchor)
    subject = next((c for c in own.children if c.dep_ in ("nsubj", "nsubjpass")), None) if own else None
    pronoun = subject is not None and subject.pos_ == "PRON" and subject.lower_ in _CLAUSE_PRONOUNS
    if subject is None or not (pronoun or any(t.ent_type_ in actors.ACTOR_LABELS for t in subject.subtree)):
        return False
    tok = roles.actor_token(doc, m)
    other = _act_verb(tok) if tok is not None else None
    if other is None or other.i == own.i:
        return False
    reported = other  # "A said it would not buy X from D, and it signed a pact with B": the clause A reports
    while reported.dep_ in ("ccomp", "xcomp") and reported.head.pos_ in ("VERB", "AUX") and not _side_by_side(
            reported, own) and reported.head.i != own.i:
        reported = reported.head
    if reported.i != other.i and _side_by_side(reported, own) and own not in other.subtree and (
            other not in own.subtree) and (_negated(other) or (_unreal(other) and not _unreal(own))):
        return True
    if pronoun and _phrase_head(tok).dep_ in ("nsubj", "nsubjpass"):
        return False  # "A said it would not buy X from D, and it signed a pact with B": "it" points back at A
    if other.dep_ == "conj" and other.head.pos_ in ("VERB", "AUX") and _side_by_side(other, own) and (
            _negated(other) or (_unreal(other) and not _unreal(own))):
        return True  # "A held a drill with B and will host (refused to host) D's troops": another act
    if not _side_by_side(other, own) or not any(c.dep_ in ("nsubj", "nsubjpass") for c in other.children):
        return False  # the same clause, one below it, or a verb that shares the anchor's subject
    if any(t.dep_ == "neg" and t.head.pos_ in ("VERB", "AUX") and t not in own.subtree for t in other.subtree) or (
            _unreal(other) and not _unreal(own)):
        return True  # "C did not join, but A and B held a drill", "..., and C may join": what C did not do adds C
        # to nothing
    if pronoun and not (subject.lower_ == "it" and _it_has_a_partner(own, subject)):
        return False  # "A held talks with B, and they signed a pact": a plural pronoun may stand for both; "it"
        # with no earlier subject state, or no partner of its own, may mean the other clause's states
    if _joins(own) or _sends_forces(other, anchor, rule):
        return False  # joining, or sending forces to the event, adds to the parties told around it
    reaction = any(t.lemma_.lower() in roles.rivalry_words() for t in [other, *(
        c for c in other.children if c.dep_ == "dobj")])  # "B condemned it", "B lodged a protest"
    told = _events_told(doc, other, anchor, others)
    if not reaction and not told and not _subordinate(own, other) and not _subordinate(other, own):
        return False  # "C fired missiles as A and B held a drill": a clause of time is another act whatever it tells
    if _joins(other) and told <= {rule.name}:
        return False  # "..., while C joined the exercise": joining the same kind of event adds to it
    if _points_back(own, doc, others) or _points_back(other, doc, others):
        return False
    tok = _phrase_head(tok)
    receiving = other.lemma_.lower() in roles.receiving_verbs()
    taker = (tok.dep_ in ("nsubj", "nsubjpass") and tok.head.i == other.i and receiving) or (
        tok.dep_ == "pobj" and tok.head.i != other.i and tok.head.head.i == other.i and not receiving
        and (tok.head.dep_ == "dative" or tok.head.lower_ == "to")) or (
        tok.dep_ == "dobj" and tok.head.i == other.i and any(
            c.dep_ == "prep" and c.lower_ == "with" for c in other.children))  # "received X", "sent X to A",
    # the taker of another clause may take the anchor's thing too, if the anchor gives it to no one named
    return not taker or not _gives_to_no_one(own, rule)  # "supplied A with X"


# pronouns that stand for the subject of a clause told beside another ("..., and it signed a pact with B")
_CLAUSE_PRONOUNS = frozenset({"it", "they", "we"})


def _it_has_a_partner(own, subject) -> bool:
    """"It" has an earlier subject that names an actor, and its clause names an actor of its own ("A sold jets
    to C, and it sold tanks to B"; not "C was sold tanks by A, and it bought jets from B", where "it" is C, nor
    "A held talks with C, and it will sign a pact in July", whose partner is C)."""
    earlier = any(t.ent_type_ in actors.ACTOR_LABELS and _phrase_head(t).dep_ in ("nsubj", "nsubjpass")
                  for t in subject.doc[subject.sent.start:subject.i])
    return earlier and any(t.ent_type_ in actors.ACTOR_LABELS for t in own.subtree if t.i > subject.i)


def _antecedent_of_it(doc, a_start: int, a_end: int, sent_actors: list[ActorMention]) -> str | None:
    """By the parse, the anchor's clause has "it" as its subject, and an earlier subject of the sentence names
    one state: that state ("A said it would not buy jets, and it signed a pact with B"). None otherwise."""
    anchor = _parsed_span(doc, a_start, a_end)
    verb = _act_verb(anchor.root) if anchor is not None else None
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None) if verb is not None else None
    if subject is None or subject.lower_ != "it" or subject.pos_ != "PRON":
        return None
    named = {}
    for m in sent_actors:
        tok = roles.actor_token(doc, m)
        if tok is not None and tok.i < subject.i and actors.is_state(m.code) and _phrase_head(tok).dep_ in (
                "nsubj", "nsubjpass"):
            named[_phrase_head(tok).i] = named.get(_phrase_head(tok).i, set()) | {m.code}
    if not named:
        return None
    nearest = named[max(named)]
    return next(iter(nearest)) if len(nearest) == 1 else None


def _negated(verb) -> bool:
    """The verb's own clause is negated ("C would not buy", "C never joined")."""
    return any(c.dep_ == "neg" for c in verb.children)


def _unreal(verb) -> bool:
    """The clause of ``verb`` tells what may, will or would be, or was refused or hoped for ("C may join", "C
    will join next year", "C refused to join": modality.toml's modals and its verbs of cancelling and
    speculating)."""
    d = modality.modality_data()
    if verb.lemma_.lower() in d["not_event"]["cancel"] or verb.lemma_.lower() in d["not_event"]["speculate"]:
        return True
    modals = d["not_event"]["modals"] | d["planned"]["modals"] | {"would"}
    return any(c.dep_ == "aux" and c.lower_ in modals for c in verb.children)


def _events_told(doc, verb, anchor, others: list[tuple[int, int, str]]) -> set[str]:
    """The event types of the sentence's anchors, other than ``anchor``, that belong to the clause of ``verb``."""
    told = set()
    for start, end, kind in others:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and span.root.i != anchor.i and (v := _act_verb(span.root)) is not None and v.i == verb.i:
            told.add(kind)
    return told


def _joins(verb) -> bool:
    """A verb of joining or taking part (roles.toml ``roster_words``; "take" only in "take part")."""
    lemma = verb.lemma_.lower()
    if lemma == "take":
        return any(c.dep_ == "dobj" and c.lower_ == "part" for c in verb.children)
    return lemma in roles.role_data()["roster_words"]


def _sends_forces(verb, anchor, rule: TypeRule) -> bool:
    """The verb sends or deploys forces ("sent two frigates", "deployed troops"), which take part in an event
    other than a transfer (arms_transfer's ``deployed_objects``), unless it sends them somewhere other than
    the anchor's event ("sent warships to the area"; not "to the drill": an occasion of the anchor's type)."""
    if rule.name == "arms_transfer":
        return False
    forces = _forces()
    if any(c.dep_ in ("prep", "dative") and c.lower_ in _DESTINATION_PREPS and anchor not in c.subtree
           and not _names_occasion(c, rule) for c in verb.children):
        return False
    return any(c.dep_ == "dobj" and c.lemma_.lower() in forces for c in verb.children)


def _names_occasion(prep, rule: TypeRule) -> bool:
    """The object of ``prep`` is a drill pointed back at ("to the drill", "to the exercise"): a word the joint
    exercise's anchors match whole, with a definite determiner, and no purpose of its own follows ("sent a
    frigate to the drill to watch it" sends an onlooker)."""
    obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
    verb = prep.head
    return rule.name == "joint_exercise" and obj is not None and obj.pos_ == "NOUN" \
        and bool(rule.anchors.fullmatch(obj.text)) \
        and _definite(obj) \
        and not any(c.dep_ in ("advcl", "xcomp") and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)
                    for c in verb.children)


@functools.cache
def _forces() -> frozenset[str]:
    """Lemmas of forces that deploy rather than change hands (arms_transfer's ``deployed_objects``)."""
    return next((r.deployed_objects for r in cues().types if r.name == "arms_transfer"), frozenset())


# prepositions that send forces somewhere
_DESTINATION_PREPS = frozenset({"to", "into", "toward", "towards", "near", "off", "around"})


def _act_verb(tok):
    """The verb of the clause that holds ``tok``: the first verb at or above it, past verbs that share their
    subject with the one above ("agreed to hold drills")."""
    verb = next((t for t in [tok, *tok.ancestors] if t.pos_ in ("VERB", "AUX")), None)
    while verb is not None and verb.dep_ in ("xcomp", "aux", "auxpass") and verb.head.i != verb.i:
        verb = verb.head
    return verb


# conjunctions that tell one clause beside another, in contrast or in time ("A held a drill, while B signed a
# pact"; "A signed a pact as B and C held a drill")
_SIDE_BY_SIDE_MARKS = frozenset({"while", "whereas", "whilst", "as", "when", "before", "after", "until"})


def _side_by_side(verb, other) -> bool:
    """Two clause verbs told side by side: in one chain of coordinated verbs, spliced by a comma or a
    semicolon, or one set against the other by "while"; not one reporting or governing the other."""
    def top(v):
        while True:
            if v.dep_ == "conj" and v.head.pos_ in ("VERB", "AUX"):
                v = v.head
            elif v.dep_ == "ccomp" and v.i < v.head.i and _spliced(v):
                v = v.head
            elif v.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in _SIDE_BY_SIDE_MARKS for c in v.children):
                v = v.head
            else:
                return v
    return top(verb).i == top(other).i


def _subordinate(clause, main) -> bool:
    """``clause`` is a clause of time or contrast of ``main`` ("as A and B held a drill", "while B ...")."""
    return clause.dep_ == "advcl" and clause.head.i == main.i and any(
        c.dep_ == "mark" and c.lower_ in _SIDE_BY_SIDE_MARKS for c in clause.children)


def _spliced(clause) -> bool:
    """A clause before its head verb ends at a comma or a semicolon, and its head is no verb of reporting
    ("A sent X, B sent Y"; not "A will send X, B said")."""
    after = clause.right_edge.i + 1
    return after < len(clause.doc) and clause.doc[after].text in (",", ";") and \
        clause.head.lemma_.lower() not in modality.reporting_verbs() and \
        any(c.dep_ == "dobj" for c in clause.head.children)


def _coordinated_acts(verb, anchor) -> bool:
    """Two verbs that tell two acts side by side: coordinated ("A sent X, and B delivered Y"), or two clauses
    spliced by a comma, which the parse may read as the anchor reporting the earlier clause ("A deployed X, B
    sent Y"); a verb of reporting or promising has no object of its own ("C will get X, B promised")."""
    if verb.dep_ == "ccomp" and verb.head.i == anchor.i and verb.i < anchor.i:
        return verb.right_edge.i + 1 < len(verb.doc) and verb.doc[verb.right_edge.i + 1].text == "," \
            and any(c.dep_ == "dobj" for c in anchor.children)
    return ((verb.dep_ == "conj" and verb.head.i == anchor.i) or (anchor.dep_ == "conj" and anchor.head.i == verb.i)
            or (verb.dep_ == "conj" and anchor.dep_ == "conj" and verb.head.i == anchor.head.i))


def _points_back(verb, doc=None, others: list[tuple[int, int, str]] = ()) -> bool:
    """The verb's object is a pronoun ("delivered them", "held a drill with it"), or an anchor told with "the"
    ("approved the sale", in the doc's ``others``): its thing is the one another clause names."""
    for c in verb.children:
        if c.dep_ == "dobj" and c.pos_ == "PRON":
            return True
        if c.dep_ == "prep" and any(p.dep_ == "pobj" and p.pos_ == "PRON" and p.lower_ in ("it", "them")
                                    for p in c.children):
            return True
        if c.dep_ == "dobj" and doc is not None and _definite(c) and any(
                start <= c.idx < end for start, end, _ in others):
            return True
    return False


# prepositions that open a phrase of time or sequence around the event ("after the drill with A, ...")
_SEQUENCE_PREPS = frozenset({"after", "before", "following", "since", "ahead"})


def _in_other_clause(doc, at: int, a_start: int, a_end: int) -> bool:
    """The actor at ``at`` sits in an adverbial clause or a phrase of time that does not hold the anchor
    ("After a drill in A, the ship arrived in B": A is no party of the arrival), or in a relative clause or an
    apposition that describes another actor ("B, which bought jets from A last year, and C held a drill"; "B,
    a partner of A, ..."); not one that describes a person, who may be visiting the party ("the minister of B,
    who is visiting C, signed a pact")."""
    tok, anchor = _span(doc, at), _span(doc, a_start, a_end)
    if tok is None or anchor is None:
        return False
    for t in tok[0].ancestors:
        if anchor[0].i in range(t.left_edge.i, t.right_edge.i + 1):
            return False  # reached a phrase that holds the anchor too
        if t.dep_ == "advcl" or (t.dep_ == "prep" and t.lower_ in _SEQUENCE_PREPS):
            return True
        if t.dep_ in ("relcl", "appos") and t.head.ent_type_ in actors.ACTOR_LABELS and not (t.dep_ == "appos" and (
                t.pos_ != "NOUN" or any(k.ent_type_ in actors.ACTOR_LABELS
                                        for k in [t, *(c for c in t.children if c.dep_ == "conj")]))):
            return True  # a description ("a partner of A"), not a list or a name the parse reads as an apposition
            # ("A, B, C and D held", "the A-B Commission")
    return False


def _clause_end(doc, sent, a_end: int, anchor=None) -> int:
    """Where the anchor's clause ends: at a ';' or at ', and'/', but' that opens a new predicate ("..., and is
    widening trade with Qatar"), or at a comma before a clause of its own subject (``anchor``: the anchor's
    tokens when parsed): the actors of a later coordinated clause are not the anchor's parties."""
    for tok in sent:
        if tok.idx < a_end:
            continue
        if tok.text == ";":
            return tok.idx
        if tok.text == "," and tok.i + 2 < sent.end and doc[tok.i + 1].lower_ in ("and", "but", "while"):
            # a finite verb within a few words, before any other comma: a new clause ("..., and Algeria protested")
            for j in range(tok.i + 2, min(sent.end, tok.i + 7)):
                if doc[j].text in (",", ";"):
                    break
                if doc[j].tag_ in ("VBD", "VBZ", "VBP", "MD"):
                    return tok.idx
        if tok.text == "," and anchor is not None and _opens_clause(doc, sent, tok.i + 1, anchor.root):
            return tok.idx  # "Germany sent two helicopters, Croatia sent one": a clause of its own subject
    return sent.end_char


_PERIOD_END = re.compile(r"\b(?:till|until|by|through|before)\s+(?:the\s+)?$", re.I)
_PERIOD_START = re.compile(r"\bsince\s+(?:the\s+)?$", re.I)


def _bounds_a_period(d: DateMention, before: str) -> bool:
    """A date that bounds a period (``before``: the words just before it) is not when anything happened: "until
    June", "the first since 2019"; but "since Monday" is when a drill under way began."""
    return bool(_PERIOD_END.search(before) or (d.precision != "day" and _PERIOD_START.search(before)))


def _opens_clause(doc, sent, i: int, anchor) -> bool:
    """By the parse, a subject starts at token ``i`` and its finite verb follows within a few words, before any
    comma, and ``anchor`` is not in that verb's clause ("During the drill with A, B's troops crossed": the
    fronted phrase belongs to the clause after the comma): the words from ``i`` on are a clause of their own."""
    for j in range(i, min(sent.end, i + 6)):
        tok = doc[j]
        if tok.text in (",", ";") or tok.pos_ in ("VERB", "AUX") and tok.tag_ not in ("VBD", "VBZ", "VBP", "MD"):
            return False
        if tok.tag_ in ("VBD", "VBZ", "VBP", "MD"):
            # not "..., the embassy said": who reports a statement is often its party ("we will provide ...")
            speech = modality.modality_data()["reporting"]["verbs"]  # not belief: "..., C thinks, and ..."
            return tok.lemma_.lower() not in speech and not _in_clause_of(anchor, tok) and any(
                c.dep_ in ("nsubj", "nsubjpass") and i <= c.i < j and c.left_edge.i >= i for c in tok.children)
    return False


def _in_clause_of(anchor, verb) -> bool:
    """The anchor hangs from ``verb`` through phrases only, no verb with a subject of its own between."""
    tok = anchor
    while tok.i != verb.i:
        if tok.pos_ in ("VERB", "AUX") and any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children):
            return False
        if tok.head.i == tok.i:
            return False
        tok = tok.head
    return True


def _excluded(before: str, to_anchor: str | None = None) -> bool:
    """Whether an actor right after ``before`` (the sentence up to it) is no party of the sentence's event.

    "Amid a rivalry between Egypt and Ethiopia, ...": a reason or comparison
    clause, up to the next comma, names no party ("between X and Y" inside it
    is one phrase, so its "and" does not end it). "A joint venture between X
    and Y", "tensions between X and Y": the pair describes a thing, not the
    parties of the event. A clause of contrast after a comma that holds the
    anchor (``to_anchor``: the sentence up to it) is the event's own ("...,
    while A and B signed a pact").
    """
    c = cues()
    if c.descriptive_between.search(before):
        return True
    excl = list(c.excluding.finditer(before))
    if not excl:
        return False
    if to_anchor is not None and re.fullmatch(r"\W*(while|whereas)\W*", excl[-1].group(0), re.I) and \
            before[:excl[-1].start()].rstrip().endswith(",") and \
            len(to_anchor) >= excl[-1].end() and not re.search(r"[,;]", to_anchor[excl[-1].end():]):
        return False  # a clause of contrast that holds the anchor; an anchor in a phrase ("amid a deal") stays out
    rest = re.sub(r"\bbetween\b[^,;]*?\band\b", "between", before[excl[-1].end():], flags=re.I)
    return not re.search(r"[,;]|\band\b", rest)


def _modifier(doc, m: ActorMention) -> bool:
    """An organisation name used as a modifier ("UN peacekeeping", "EU standards")."""
    span = _span(doc, m.start, m.end)
    if span is None or span.end >= len(doc):
        return False
    nxt = doc[span.end]
    return nxt.text[:1].islower() and nxt.is_alpha and nxt.pos_ == "NOUN"


_COUNTERPART = re.compile(r"\bcounterparts?\b", re.I)
# A paragraph that opens by pointing back at the occasion just told ("During the same visit, ...") continues it.
_CONTINUES = re.compile(r"(?:on|during|at|in the course of|within|in the framework of)\s+(?:this|that|the same|these|the)\s+"
                        r"(?:occasion|visit|trip|meeting|talks|event|ceremony|sidelines?)\b|(?:also|additionally|in addition)\b",
                        re.I)


def extract_mentions(article: Article, doc, *, all_actors: list[ActorMention] | None = None,
                     persons: dict[str, str] | None = None) -> list[RawMention]:
    """Every sentence-level event mention of one article, before grouping (``all_actors`` and ``persons``:
    :func:`actor_mentions` and :func:`person_map` of ``doc``, when the caller has them already)."""
    c = cues()
    text = doc.text
    all_actors = actor_mentions(doc) if all_actors is None else all_actors
    persons = person_map(doc) if persons is None else persons
    dyad = article_dyad(article, all_actors)
    published = article.published_date
    article_defence = defence_article(article.title, text)
    dates = find_dates(text, published)
    if published is None:
        dates = _with_address_year(dates, text, article.url)
    # reference date for background when the publication date is unknown
    latest = max((d.value for d in dates if not d.relative), default=None)
    reference_day = published or latest

    out: list[RawMention] = []
    prev_parties: tuple[str, ...] = ()
    prev_found = False
    prev_para_end = -1
    section_state, section = None, 0
    prev_sentence = ""
    context = head_context(article.title, text)
    topic = _headline_states(article, all_actors)
    topic = topic if len(topic) <= 2 else []
    filed_from, dateline_end = _dateline_state(text)
    rosters = _rosters(doc, all_actors)
    state_headings = sum(1 for sent in doc.sents if _is_subheading(text, sent) and _heading_state(
        sent.text, [m for m in all_actors if sent.start_char <= m.start < sent.end_char]))
    for index, sent in enumerate(doc.sents):
        sentence = sent.text
        s0 = sent.start_char
        para_break = "\n" in text[prev_para_end:s0] if prev_para_end >= 0 else True
        sent_actors = [m for m in all_actors if s0 <= m.start < sent.end_char]
        if _is_subheading(text, sent):
            # lines of their own naming one state each ("Senegal", "Mali") head the paragraphs below them: that
            # state is their party (two such headings at least, so a lone tag line is not taken for one)
            section_state, section = _heading_state(sentence, sent_actors) if state_headings >= 2 else None, section + 1
            if section_state:
                prev_para_end = s0 + len(sentence.rstrip())
                prev_parties, prev_found = (), False
                continue
        sent_dates = [d for d in dates if s0 <= d.start < sent.end_char
                      and not _bounds_a_period(d, text[max(s0, d.start - 15):d.start])]
        found_here: list[RawMention] = []
        anchors_here = [(s0 + a.start(), s0 + a.end(), rule.name) for rule in c.types
                        for a in rule.anchors.finditer(sentence) if not _wrong_sense(rule, sentence, a.start(), a.end())]
        anchor_spans = [(a0, a1) for a0, a1, _ in anchors_here]
        military_named = any(m.kind in (actors.FORCE, actors.SHIP) for m in sent_actors)  # "USS", "the Pentagon"
        for rule in () if c.caption.search(sentence) or _caption_by_form(sent) else c.types:
            for a, in_context in _anchor_matches(rule, sentence, context, sent_actors, doc, s0):
                a_start, a_end = a.start(), a.end()
                attached = None
                bloc_drill = _bloc_drill(doc, s0 + a_start, s0 + a_end, sent_actors, _lex("defence", sentence)
                                         or military_named) if rule.name == "joint_exercise" else None
                if rule.requires_any and not _requirement_met(
                        rule, sentence, doc, s0, sent_actors, (s0 + a_start, s0 + a_end)):
                    joint = bloc_drill is not None
                    if rule.name == "joint_exercise" and not joint:
                        joint, attached = _two_states_exercise(doc, sent, s0 + a_start, s0 + a_end, sent_actors, persons)
                    if not joint:
                        continue
                military_actor = rule.requires_lexicon == "defence" and military_named
                if rule.requires_lexicon and not (_lex(rule.requires_lexicon, sentence) or military_actor or
                                                  (article_defence and not rule.lexicon_in_sentence)):
                    continue
                if rule.requires_equipment and not _lex("equipment", sentence) and not (
                        _refers_back(sentence, a_start) and any(
                            _lex("equipment", t) and rule.anchors.search(t) for t in (article.title or "", prev_sentence))):
                    continue  # "the deal" may point back at "a frigate deal" in the headline or the sentence before
                if rule.name in ("dialogue_meeting", "agreement", "pledge_statement") and not (
                        _lex("defence", sentence) or article_defence or (prev_found and rule.name != "pledge_statement")):
                    continue
                if _rejected(rule, sentence, a_start, a_end, any(d.precision != "year" for d in sent_dates),
                             eventive_verb(doc, s0 + a_start, s0 + a_end), doc, s0):
                    continue
                mood = _parse_mood(doc, s0 + a_start, s0 + a_end)
                if mood in (modality.NEGATED, modality.SPECULATIVE):
                    continue  # the parse says it did not happen, or may not ("refused to sign", "asked for drills")
                parties = _participants(doc, sent, a_start, a_end, sent_actors, persons, rule, text, anchors_here,
                                        bloc_drill)
                implied = False
                if len(set(parties)) == 1 and (before := _antecedent_of_it(doc, s0 + a_start, s0 + a_end, sent_actors)) \
                        and before != parties[0]:
                    parties = [before, *parties]  # "A said ..., and it signed a pact with B": "it" is A
                if rule.name == "arms_transfer" and len(set(parties)) == 1 and actors.is_state(parties[0]):
                    # "the air force received jets from <a maker>": the maker's state sells
                    seller = _maker_seller(doc, sent, s0 + a_start, s0 + a_end)
                    if seller not in (None, parties[0]):
                        parties = parties + [seller]
                        implied = True
                if rule.name in _HOSTED and len(set(parties)) == 1 and actors.is_state(parties[0]):
                    # "the frigate docked at <a city>": the city's state hosts the visit, relief or drill (a
                    # place the sentence names outranks the headline's state)
                    host = _place_hosts(sent, parties[0])
                    if len(host) == 1:
                        parties = parties + host
                        implied = True
                if rule.name in ("peacekeeping_hadr", "port_visit") and len(set(parties)) == 1 and actors.is_state(parties[0]):
                    # "Chile sent a ship to help the islands" in a story headlined on Vanuatu, "the destroyer arrived
                    # in port" under "US warship visits Ghana": the headline's (other) state receives
                    host = [t for t in topic if t != parties[0]]
                    if len(host) == 1 and (len(topic) == 1 or parties[0] in topic):
                        parties = parties + host
                        implied = True
                if rule.name == "port_visit" and len(set(parties)) == 1 and actors.is_state(parties[0]) \
                        and filed_from not in (None, parties[0]) and s0 < dateline_end \
                        and not _to_elsewhere(doc, s0 + a_start, s0 + a_end):
                    # "SAN EXAMPLO (Agency) -- A Ruritanian frigate made a port visit": the port filed from hosts
                    parties = parties + [filed_from]
                    implied = True
                if rule.name == "joint_exercise" and len(set(parties)) < 2 and _MULTINATIONAL.search(sentence):
                    # "hosted the multinational exercise Sea Breeze" ... "navies from A, B and C took part in Sea Breeze"
                    listed = _roster_for(rosters, index, _event_names(sentence, a_start, a_end))
                    if listed:
                        parties = list(dict.fromkeys(parties + listed))
                        implied = True
                if section_state and len(set(parties)) == 1 and parties[0] != section_state:
                    parties = parties + [section_state]
                    implied = True
                if _COUNTERPART.search(sentence) and len(parties) == 1 and dyad and parties[0] in dyad:
                    parties = list(dyad)
                    implied = True
                if len(parties) < 2 and c.dyad_reference.search(sentence) and dyad:
                    parties = sorted(set(parties) | set(dyad))
                    implied = True
                if not parties and (not para_break or _CONTINUES.match(sentence.lstrip())) and len(prev_parties) >= 2:
                    parties = list(prev_parties)
                    implied = True
                if len(set(parties)) < 2:
                    bloc = _bloc_meeting(rule, doc, parties, sent_actors, s0 + a_start, s0 + a_end) or (
                        bloc_drill if set(parties) == {bloc_drill} else None)
                    if bloc is None:
                        continue
                    parties = [bloc]
                dm = _date_for_anchor([d for d in sent_dates if not _other_predicate(doc, s0 + a_start, s0 + a_end, d.start)
                                       and not _in_later_predicate(doc, d.start, s0 + a_start, s0 + a_end)],
                                      s0 + a_start, s0 + a_end, anchor_spans, doc)
                # "under the 2021 deal": a past date inside the anchor's own noun phrase outweighs the clause's "will"
                in_anchor_phrase = dm is not None and _modifies_anchor(doc, dm, s0 + a_start, s0 + a_end)
                own_past = _before(dm, published) and in_anchor_phrase
                if dm and published and dm.value > published and (
                        in_anchor_phrase
                        or rule.name not in _OCCASIONS
                        and re.fullmatch(r"\s+for\s+(?:the\s+)?(?:years?\s+)?", text[s0 + a_end:dm.start])):
                    # "signed a plan for next year": the period the plan covers, not the signing's date; but
                    # "planning a drill for June 12" dates the drill
                    dm = None
                future = _future(sentence, a_start, a_end, doc, s0) or mood == modality.PLANNED
                if dm and published and dm.value > published and not future and _told_in_past(doc, dm) and (
                        not _sets_a_date(doc, dm)):
                    dm = previous_occurrence(dm, published) or dm  # "signed it on June 30" in May: last June
                status = "planned" if (future and not own_past) or (
                    dm and published and dm.value > published) else "occurred"
                if status == "planned" and dm is not None and published and not _told_in_past(doc, dm):
                    dm = next_occurrence(dm, published) or dm  # "will meet on Monday": the Monday to come
                if status == "planned" and rule.name != "pledge_statement" and not dm:
                    continue  # an intention without a date is not an announced event
                background = _is_background(dm, reference_day, sentence, known_day=published is not None)
                reference, phrase = _reference(sentence, a_start, a_end)
                conf = 0.55 + rule.strength
                conf += 0.1 if not implied else -0.15
                conf += 0.1 if dm else 0.0
                conf += 0.05 if _lex("defence", sentence) else -0.05
                conf -= 0.05 if in_context else 0.0
                found_here.append(RawMention(
                    event_type=rule.name, participants=tuple(sorted(set(parties))), sentence_index=index,
                    start=s0, end=sent.end_char, evidence=sentence.strip(), date=dm, status=status,
                    in_background=background, confidence=round(min(0.99, max(0.05, conf)), 3),
                    location=_location(doc, sent), reference=reference, phrase=phrase, implied=implied,
                    explicit_date=bool(dm), head=sentence[a_start:a_end].lower().split()[-1],
                    order=tuple(dict.fromkeys(parties)), anchor=(s0 + a_start, s0 + a_end),
                    section=section if section_state else 0, mood=mood, attached=attached))
        found_here = _one_per_type(found_here)
        found_here = _one_per_type(_split_hub(found_here, sentence, s0, sent_actors))  # a split may repeat a pair
        found_here = _hosted_where_named(_yielding(found_here, c), sent)
        out.extend(found_here)
        named = {m.code for m in sent_actors if not (m.kind == actors.ORG and _modifier(doc, m))}
        prev_found = bool(found_here)
        if found_here:
            prev_parties = max((m.participants for m in found_here), key=len)
        elif len(named) >= 2:
            prev_parties = tuple(sorted(named))
        elif dyad and c.dyad_reference.search(sentence):
            prev_parties = dyad
        else:
            prev_parties = ()
        prev_para_end = s0 + len(sentence.rstrip())  # a sentence's span may end with the paragraph's line break
        prev_sentence = sentence
    return _date_the_lead(_antecedent_dates(out), article, text)


_ADDRESS_MONTH = re.compile(r"/((?:19|20)\d\d)/(0[1-9]|1[0-2])/")
_MONTH_DAY_TEXT = re.compile(r"^(?=.*\d)(?=.*\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b)"
                             r"(?!.*\b(?:today|yesterday|tomorrow|ago|last|next|this|[MTWFS][a-z]+day)\b)", re.I)


def _with_address_year(dates: list[DateMention], text: str, url: str | None) -> list[DateMention]:
    """With no publication date, a month and day ("on 17 January") take their year from an address like
    /2022/01/...: the page's month fixes the year. Weekdays and "today" stay unresolved."""
    m = _ADDRESS_MONTH.search(url or "")
    if not m:
        return dates
    year, month = int(m.group(1)), int(m.group(2))
    reference = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1))
    extra = [d for d in find_dates(text, reference) if d.relative and _MONTH_DAY_TEXT.search(d.text)
             and not any(_overlaps((d.start, d.end), (k.start, k.end)) for k in dates)]
    return sorted(dates + extra, key=lambda d: d.start)


def _antecedent_dates(mentions: list[RawMention]) -> list[RawMention]:
    """"Spain and Morocco signed a deal on Monday. ... signed the deal for four patrol boats": an undated "the deal"
    takes the date of the same word for the same parties one or two sentences before, whatever type that got."""
    out: list[RawMention] = []
    for m in mentions:
        if m.date is None and m.reference == "anaphoric":
            before = [p for p in out if p.date is not None and p.head == m.head and p.participants == m.participants
                      and p.section == m.section and 1 <= m.sentence_index - p.sentence_index <= 2]
            if before:
                m = replace(m, date=before[-1].date, in_background=before[-1].in_background)
        out.append(m)
    return out


# The lead event: how far into the body its first mention may start, and the earliest publication day of the
# month for which "this month" is a safe reading of an undated lead (a story of the 1st may be about the 31st).
LEAD_CHARS = 700
LEAD_MIN_DAY = 3


def _date_the_lead(mentions: list[RawMention], article: Article, text: str) -> list[RawMention]:
    """A news story's lead event with no date of its own happened just before publication: the publication month.

    Only the article's first event, named in its opening lines, reported as done (not planned, not background,
    its parties named): "Chile has concluded a naval training pact with Peru". The month,
    not the day, is the precision that is really known.
    """
    published = article.published_date
    if not mentions or published is None or published.day < LEAD_MIN_DAY:
        return mentions
    title = (article.title or "").strip()
    body = len(title) if title and text.startswith(title) else 0
    first = min(mentions, key=lambda m: m.start)
    lead = [m for m in mentions if m.sentence_index == first.sentence_index]
    out = []
    for m in mentions:
        if (m in lead and m.date is None and m.status == "occurred" and not m.in_background and not m.implied
                and m.start - body < LEAD_CHARS):
            m = replace(m, date=DateMention(start=m.start, end=m.start, value=published.replace(day=1),
                                            precision="month", text="", relative=True))
        out.append(m)
    return out


_MULTINATIONAL = re.compile(r"\b(?:multinational|multilateral|international|multi-national)\b", re.I)
_TAKING_PART = re.compile(r"\b(?:participat\w*|took part|take part|takes part|taking part|joined|joins|involv(?:ed|es|ing)|"
                          r"attended|contribut\w+|sent (?:ships|vessels|units|troops|contingents))\b", re.I)


# A wire photo's caption ends on the place and full date of the picture, with no "on" ("... at a base near
# Examplestad, Ruritania March 3, 2021."), perhaps with a credit in brackets.
# Case matters here: the place and the month are capitalised, so the month names are the date module's
# tables, capitalised (longest first, so that "Sept" is tried before "Sep").
def _capitalised(words) -> str:
    return "|".join(w.capitalize() for w in sorted(words, key=len, reverse=True))


_CAPTION_TAIL = re.compile(rf"(?!(?:{_capitalised(WEEKDAYS)})\b)[A-Z][\w.]*,? "
                           rf"(?:{_capitalised(MONTHS)}|(?:{_capitalised(MONTH_ABBREVIATIONS)})\.?) \d{{1,2}}, "
                           r"(?:19|20)\d\d\.?\s*(?:\([^)]*\)\s*)?$")


def _caption_by_form(sent) -> bool:
    """A sentence in the form of a photo caption: its main verb in the present ("looks on", "attend") and its
    end the place and full date of the picture (:data:`_CAPTION_TAIL`). It shows a scene and reports
    nothing; a report says "on March 3, 2021" or tells it in the past."""
    root = sent.root
    return (bool(_CAPTION_TAIL.search(sent.text.strip())) and root.tag_ in ("VBZ", "VBP")
            and not any(c.dep_ in ("ccomp", "xcomp") for c in root.children))  # "the ministry says ..." reports


# Event types whose one named party may be a guest: the place of the act names the host.
_HOSTED = frozenset({"port_visit", "peacekeeping_hadr", "joint_exercise"})


# An organisation-labelled name is a place after "in", "at", "into", "off" or "near" that hangs from a word of
# arrival or of a place (lemmas): "docked at <a port city>", "the naval base in <a city>", "the port of <a city>"
# ("lost to <a club>" or "cheered at <a club>" name none).
_PLACE_PREPOSITIONS = frozenset({"in", "at", "into", "near", "off"})
# ... and where an organisation's peacekeeping mission serves ("troops sent to B for the bloc's mission").
_MISSION_HOST_PREPOSITIONS = _PLACE_PREPOSITIONS | {"to"}
_PLACE_HEADS = frozenset({"arrive", "dock", "call", "berth", "anchor", "moor", "reach", "sail", "steam", "stop",
                          "visit", "port", "harbour", "harbor", "base", "station", "city", "town", "anchorage", "pier",
                          "wharf", "terminal", "shipyard", "dockyard", "stay", "stopover"})
# "to" names the place after a word of going there ("a port visit to", "sailed to"; not "lost to")
_PLACE_TO_HEADS = frozenset({"visit", "call", "sail", "steam", "head", "travel", "arrive", "stopover", "voyage",
                             "trip", "deploy"})


def _named_as_place(ent) -> bool:
    """Whether the model's entity ``ent`` stands for a place: labelled one, or a name the small model labels an
    organisation that the parse puts where a ship arrives (:data:`_PLACE_HEADS`)."""
    if ent.label_ in ("GPE", "LOC", "FAC"):
        return True
    head = ent.root
    if ent.label_ != "ORG" or head.dep_ != "pobj":
        return False
    prep = head.head
    word = prep.head.lemma_.lower()
    return ((prep.lower_ in _PLACE_PREPOSITIONS or prep.lower_ == "of") and word in _PLACE_HEADS
            or prep.lower_ == "to" and word in _PLACE_TO_HEADS)


def _place_hosts(sent, guest: str | None = None) -> list[str]:
    """States of the cities the model's NER finds in the sentence (data/places.json), other than the guest's."""
    hosts = []
    for ent in sent.ents:
        if _named_as_place(ent):
            code = actors.place_state(ent.text)
            if code and code != guest and code not in hosts:
                hosts.append(code)
    return hosts


def _rosters(doc, all_actors: list[ActorMention]) -> list[tuple[int, tuple[str, ...], str]]:
    """Sentences that list the states taking part in something: (index, states, text)."""
    out = []
    for index, sent in enumerate(doc.sents):
        states = [m.code for m in all_actors if sent.start_char <= m.start < sent.end_char and actors.is_state(m.code)]
        states = list(dict.fromkeys(states))
        if len(states) >= 3 and _TAKING_PART.search(sent.text):
            out.append((index, tuple(states), sent.text))
    return out


def _event_names(sentence: str, a_start: int, a_end: int) -> set[str]:
    """Proper names right next to the anchor ("exercise Sea Breeze", "the RIMPAC exercise")."""
    names = set()
    after = re.match(r"\s+((?:[A-Z][\w-]*\s*){1,3})", sentence[a_end:])
    if after:
        names.update(w for w in after.group(1).split() if len(w) > 2)
    before = re.search(r"((?:[A-Z][\w-]*\s+){1,3})$", sentence[:a_start])
    if before and before.start() > 0:
        names.update(w for w in before.group(1).split() if len(w) > 2)
    return {n for n in names if n.lower() not in ("the", "joint", "exercise", "exercises", "naval", "navy", "combined")}


def _roster_for(rosters, index: int, names: set[str]) -> list[str]:
    """The states of a roster sentence that names the same event, or of one at most three sentences away."""
    for r_index, states, r_text in rosters:
        if any(re.search(r"(?<!\w)" + re.escape(n) + r"(?!\w)", r_text) for n in names):
            return list(states)
    near = [(abs(r_index - index), states) for r_index, states, _ in rosters if abs(r_index - index) <= 3]
    return list(min(near)[1]) if near else []


# right after a state's name: it made the thing ("Ruritanian-built", "Freedonia-made")
MADE_BY = re.compile(r"[-‑](?:made|built|manufactured|produced)\b", re.I)


def _anchor_matches(rule: TypeRule, sentence: str, context: set[str], sent_actors: list[ActorMention],
                    doc, s0: int):
    """The rule's anchors in the sentence; its subject anchors whose grammatical subject (or the object sent for
    them: "sent a frigate for a visit") meets the rule's ``requires_any`` ("the frigate visited Apia", not "the
    minister visited Apia"); its maker anchors when a state made the thing ("received Ruritanian-built tanks");
    then its context anchors when the article is about their context ("sent two ships to Fiji" is relief work
    in a story about a cyclone) and the sentence names military assets."""
    for a in rule.anchors.finditer(sentence):
        yield a, False
    if rule.subject_anchors and rule.requires_any:
        for a in rule.subject_anchors.finditer(sentence):
            subject = _subject(doc, s0 + a.start(), s0 + a.end()) or _sent_on(doc, s0 + a.start(), s0 + a.end())
            if subject and (rule.requires_any.search(subject[2]) or any(
                    m.kind == actors.SHIP and m.start < subject[1] and m.end > subject[0] for m in sent_actors)):
                yield a, False
    if rule.object_anchors:
        for a in rule.object_anchors.finditer(sentence):
            if _person_object(doc, s0 + a.start(), s0 + a.end(), rule.object_any):
                yield a, False
    if rule.maker_anchors:
        makers = [m for m in sent_actors if actors.is_state(m.code) and MADE_BY.match(sentence, m.end - s0)]
        for a in rule.maker_anchors.finditer(sentence) if makers else ():
            if _receives_made(doc, s0 + a.start(), s0 + a.end(), makers):
                yield a, False
    if rule.context_anchors and rule.context_lexicon in context and (
            _lex("defence", sentence) or _lex("equipment", sentence)
            or any(m.kind in (actors.FORCE, actors.SHIP) for m in sent_actors)):
        for a in rule.context_anchors.finditer(sentence):
            yield a, True


def _subject(doc, a_start: int, a_end: int) -> tuple[int, int, str] | None:
    """The head word of the grammatical subject of the verb an anchor starts with (or hangs from), following a
    coordinated verb back to the subject it shares, as (start, end, text); a named subject keeps its whole name,
    and the span covers the head's compounds ("HMS" in "HMS Example")."""
    span = _span(doc, a_start, a_end)
    if span is None:
        return None
    verb = span[0] if span[0].pos_ in ("VERB", "AUX") else span[0].head
    for _ in range(3):
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subjects:
            sub = subjects[0]
            start = _name_start(sub)  # the text is the named entity's, or the head's
            ent = next((e for e in doc.ents if e.start <= sub.i < e.end), None) if sub.ent_type_ else None
            if ent is not None:
                return min(start, ent.start_char), ent.end_char, ent.text
            return start, sub.idx + len(sub.text), sub.text
        if verb.dep_ not in ("conj", "xcomp", "advcl") or verb.head is verb:
            return None
        verb = verb.head
    return None


def _name_start(tok) -> int:
    """Where the noun ``tok`` begins with its compounds: "HMS" before a ship's name, even one named after a person
    ("HMS Example Person"), climbing nested compounds through proper nouns only ("HMS Example captain Smith"
    stops at "captain")."""
    start, compounds = tok.idx, [c for c in tok.children if c.dep_ == "compound"]
    while compounds:
        start = min(start, min(c.idx for c in compounds))
        compounds = [g for c in compounds if c.pos_ == "PROPN" for g in c.children
                     if g.dep_ == "compound" and g.pos_ == "PROPN"]
    return start


def _receives_made(doc, a_start: int, a_end: int, makers: list[ActorMention]) -> bool:
    """What the verb at ``a_start`` receives was made by one of ``makers`` ("received Ruritanian-built tanks"), by
    the parse: a maker inside its direct object; without a parser, a maker anywhere in the sentence."""
    span = _parsed_span(doc, a_start, a_end)
    if span is None:
        return True
    objects = [c for c in span.root.children if c.dep_ == "dobj"]
    inside = {t.i for o in objects for t in o.subtree}
    return any((tok := roles.actor_token(doc, m)) is not None and tok.i in inside for m in makers)




def _sent_on(doc, a_start: int, a_end: int) -> tuple[int, int, str] | None:
    """For a noun anchor that says what something was sent for or on ("sent a frigate for a visit", "dispatched
    the ship on a goodwill visit"), the verb's direct object as (start, end, text), as :func:`_subject` gives."""
    span = _span(doc, a_start, a_end)
    if span is None or span.root.pos_ != "NOUN" or span.root.dep_ != "pobj":
        return None
    prep = span.root.head
    verb = prep.head
    if prep.lower_ not in ("for", "on") or verb.pos_ != "VERB" or verb.lemma_.lower() not in _SENDING_VERBS:
        return None
    obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
    if obj is None:
        return None
    return _name_start(obj), obj.idx + len(obj.text), obj.text


def _person_object(doc, a_start: int, a_end: int, nouns: re.Pattern | None) -> bool:
    """The verb's direct object is a person: a PERSON entity or a noun of ``nouns`` ("received the general",
    "hosted his counterpart and the delegation"), not a thing ("received two frigates")."""
    span = _span(doc, a_start, a_end)
    if span is None:
        return False
    objects = [c for c in span[0].children if c.dep_ == "dobj"]
    objects += [c for o in objects for c in o.conjuncts]
    def thing(o) -> bool:  # "welcomed the corvette Example", a ship's name read as a person's
        return _lex("equipment", doc.text[o.left_edge.idx:o.right_edge.idx + len(o.right_edge.text)])
    return any((o.ent_type_ == "PERSON" or (nouns is not None and nouns.fullmatch(o.text))) and not thing(o)
               for o in objects)


@functools.cache
def _state_name_pattern() -> tuple[re.Pattern, dict[str, str]]:
    names = {p["pattern"]: p["id"] for p in actors.ruler_patterns()
             if p["label"] in (actors.COUNTRY, actors.DEMONYM) and isinstance(p["pattern"], str)}
    alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(r"(?<![\w-])(?:" + alternation + r")(?![\w])"), names


def _headline_states(article: Article, all_actors: list[ActorMention]) -> list[str]:
    """The states the headline names, in order."""
    title = (article.title or "").strip()
    if not title:
        return []
    if article.text.startswith(title):
        codes = [m.code for m in all_actors if m.start < len(title) and actors.is_state(m.code)]
    else:
        pattern, names = _state_name_pattern()
        codes = [names[m.group(0)] for m in pattern.finditer(title)]
    return list(dict.fromkeys(codes))


# A wire or press-office dateline opening the story: a city in capitals, perhaps its state or region after a
# comma, then the agency or a dash ("PORT EXAMPLE, Ruritania (Agency) --", "SAN EXAMPLO:", "EXAMPLETOWN —").
_DATELINE_CITY = re.compile(r"(?P<city>[A-Z][A-Z'’.-]+(?: [A-Z][A-Z'’.-]+){0,3})\s*(?:,\s*(?P<region>[^\s,(:—–][^,(:—–]*?)\s*)?"
                            r"(?:,|\(|:|—|–|--|-\s)")
_DATELINE_LINES = 6  # past a press office's header lines


def _dateline_state(text: str) -> tuple[str | None, int]:
    """The state of the city the story is filed from, when a dateline in capitals opens one of its first lines,
    and where that line ends (its paragraph is the dateline's lead). A state named after the city's comma
    decides; any other region there ("PORTVILLE, Some Province") leaves the city's state unknown, since city
    names repeat across states."""
    pos = 0
    for line in text.split("\n")[:_DATELINE_LINES * 3]:
        start, pos = pos, pos + len(line) + 1
        m = _DATELINE_CITY.match(line.strip()) if line.strip() else None
        if m is None:
            continue
        region = m.group("region")
        if region and not re.search(r"\d", region):  # a date there ("CITY, Oct 14 (Agency)") is no region
            pattern, names = _state_name_pattern()
            named = pattern.fullmatch(region.strip())
            return (names[named.group(0)] if named else None), start + len(line)
        return actors.city_state(m.group("city")), start + len(line)
    return None, -1


def _to_elsewhere(doc, a_start: int, a_end: int) -> bool:
    """By the parse, the anchor or its verb takes a "to" phrase: the visit was made elsewhere ("a port visit to
    a small island state"), not where the story is filed."""
    span = _parsed_span(doc, a_start, a_end)
    if span is None:
        return False
    return any(c.dep_ == "prep" and c.lower_ == "to" for t in (span.root, span.root.head) for c in t.children)


def _refers_back(sentence: str, a_start: int) -> bool:
    """The anchor has a definite determiner ("the deal", "this historic contract")."""
    return bool(re.search(r"\b(?:the|this|that)\s+(?:[\w-]+\s+){0,2}$", sentence[:a_start], re.I))


def _is_subheading(text: str, sent) -> bool:
    """A short line of its own without closing punctuation: a subheading (or page furniture)."""
    line = sent.text.strip()
    if not (0 < len(line.split()) <= 5) or re.search(r"[.!?\"”’)]$", line):
        return False
    starts_line = not text[:sent.start_char].split("\n")[-1].strip()
    ends_line = "\n" in sent.text or not text[sent.end_char:].split("\n")[0].strip()
    return starts_line and ends_line


def _heading_state(line: str, sent_actors: list[ActorMention]) -> str | None:
    """The state a subheading line consists of ("Senegal", "Senegal:"), else None."""
    states = [m for m in sent_actors if actors.is_state(m.code) and m.kind in (actors.COUNTRY, actors.DEMONYM)]
    if len(states) == 1 and line.strip().rstrip(":").strip() == states[0].text:
        return states[0].code
    return None


def _distance(d: DateMention, a_start: int, a_end: int) -> float:
    return (d.start - a_end) if d.start >= a_end else (a_start - d.end) * 1.5


def _other_predicate(doc, a_start: int, a_end: int, d_start: int) -> bool:
    """A date that belongs to a verb modifying another noun: "will send vehicles, along with support announced
    on Thursday" (but not "the exercise, carried out on 3 May", nor "the deal, which was signed on Monday")."""
    date_tok, anchor = _span(doc, d_start), _span(doc, a_start, a_end)
    if date_tok is None or anchor is None:
        return False
    inside = range(anchor.start, anchor.end)
    for tok in date_tok[0].ancestors:
        if tok.i in inside:
            return False
        if tok.pos_ in ("VERB", "AUX"):
            return tok.dep_ in ("acl", "relcl") and tok.head.i not in inside
    return False


def _date_for_anchor(sent_dates: list[DateMention], a_start: int, a_end: int,
                     anchors_here: list[tuple[int, int]], doc=None) -> DateMention | None:
    """This anchor's date: dates and anchors of the sentence paired nearest first, each at most once.

    A date goes to the anchor closest to it, unless that anchor already has a closer date ("will deliver the
    jets next month under the 2021 deal": 2021 is the deal's, next month the delivery's). Anchors that overlap
    this one share its date. With the parse (``doc``), a date of the anchor's own clause (both under the same
    verb) goes before any other: "A delivered tanks to C on Monday, and B sent howitzers" dates A's delivery.
    """
    me = (a_start, a_end)
    others: list[tuple[int, int]] = []
    for a in sorted(set(anchors_here)):
        if not _overlaps(a, me) and not any(_overlaps(a, o) for o in others):
            others.append(a)  # one anchor word found by two types is one anchor
    anchors = [me] + others
    own = _own_clause_dates(doc, sent_dates, anchors)
    pairs = sorted(((i, j) not in own, _distance(d, *a), i, j)
                   for j, d in enumerate(sent_dates) for i, a in enumerate(anchors))
    taken_anchor: set[int] = set()
    taken_date: set[int] = set()
    for _, _, i, j in pairs:
        if i in taken_anchor or j in taken_date:
            continue
        if i == 0:
            return sent_dates[j]
        taken_anchor.add(i)
        taken_date.add(j)
    return None


def _clause_verb(span):
    """The verb whose clause holds the span (the first verb at or above its head), if any."""
    return next((t for t in [span.root, *span.root.ancestors] if t.pos_ in ("VERB", "AUX")), None)


def _told_in_past(doc, dm: DateMention) -> bool:
    """By the parse, the date's own verb is in the past ("which began on Monday", "was agreed in June")."""
    span = _parsed_span(doc, dm.start, dm.end)
    verb = _clause_verb(span) if span is not None else None
    return verb is not None and (verb.tag_ == "VBD" or (verb.tag_ == "VBN" and any(
        c.dep_ in ("aux", "auxpass") and c.tag_ == "VBD" for c in verb.children)))


# prepositions that give a date as a target ("planned for June 30", "moved to June 30", "due by June 30")
_TARGET_DATE_PREPS = frozenset({"for", "to", "until", "till", "by"})


def _sets_a_date(doc, dm: DateMention) -> bool:
    """By the parse, the date is one set for something to come: the object of a verb of planning or
    cancelling (modality.toml's ``planned`` and ``cancel`` verbs: "set June 30", "invited C to a drill on June
    30", "postponed it to June 30") or of a target preposition ("was rescheduled for June 30")."""
    span = _parsed_span(doc, dm.start, dm.end)
    verb = _clause_verb(span) if span is not None else None
    if span is None or verb is None:
        return False
    d = modality.modality_data()
    if verb.lemma_.lower() in d["planned"]["verbs"] | d["not_event"]["cancel"]:
        return True
    head = span.root.head
    return span.root.dep_ == "pobj" and head.lower_ in _TARGET_DATE_PREPS


def _own_clause_dates(doc, dates: list[DateMention], anchors: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """By the parse, the (anchor, date) index pairs where the date is told in the anchor's own clause: under
    the same verb ("delivered tanks on Monday"), or in a clause that describes the anchor ("the drill, which
    began on Monday"). Each clause verb is found once."""
    if doc is None:
        return set()
    date_verbs = []
    for d in dates:
        span = _parsed_span(doc, d.start, d.end)
        date_verbs.append(_clause_verb(span) if span is not None else None)
    own = set()
    for i, a in enumerate(anchors):
        span = _parsed_span(doc, *a)
        if span is None:
            continue
        verb = _clause_verb(span)
        own.update((i, j) for j, v in enumerate(date_verbs) if v is not None and (
            v == verb or (v.dep_ in ("relcl", "acl") and span.start <= v.head.i < span.end)))
    return own


def _modifies_anchor(doc, dm: DateMention, a_start: int, a_end: int) -> bool:
    """The date is a modifier inside the anchor's noun phrase ("the 2021 deal", "the deal of March 2020")."""
    date_tok, anchor = _span(doc, dm.start), _span(doc, a_start, a_end)
    if date_tok is None or anchor is None:
        return False
    for tok in date_tok[0].ancestors:
        if anchor.start <= tok.i < anchor.end:
            return tok.pos_ in ("NOUN", "PROPN")
        if tok.pos_ in ("VERB", "AUX"):
            return False
    return False


def _before(dm: DateMention | None, published: date | None) -> bool:
    """The date's whole period lies before publication ("under the 2021 deal" in a 2023 story): done, not planned."""
    if dm is None or published is None:
        return False
    if dm.end_value:
        end = dm.end_value
    elif dm.precision == "year":
        end = date(dm.value.year, 12, 31)
    elif dm.precision == "month":
        end = date(dm.value.year + (dm.value.month == 12), dm.value.month % 12 + 1, 1) - timedelta(days=1)
    else:
        end = dm.value
    return end < published


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def dated_before(dm: DateMention, reference_day: date) -> bool:
    """Is the mention's date background for an article of ``reference_day``: an earlier year, or a day (or
    an earlier month) more than BACKGROUND_AFTER before it? (Both extractors.)"""
    if dm.precision == "year":
        return dm.value.year < reference_day.year
    if dm.precision == "month":
        return (reference_day.year, reference_day.month) > (dm.value.year, dm.value.month) and \
            reference_day - dm.value > BACKGROUND_AFTER
    return reference_day - dm.value > BACKGROUND_AFTER


def _is_background(dm: DateMention | None, reference_day: date | None, sentence: str, *, known_day: bool = True) -> bool:
    if dm and reference_day and not known_day:
        return dm.value.year < reference_day.year  # only a rough reference: the article's latest date
    if dm and reference_day:
        return dated_before(dm, reference_day)
    return bool(cues().background.search(sentence)) and not dm


def _one_per_type(found: list[RawMention]) -> list[RawMention]:
    """One mention per (type, participants) per sentence: the most confident, dated first."""
    best: dict[tuple, RawMention] = {}
    for m in found:
        # "will deliver the jets next month under the 2021 deal": differently dated, two events
        key = (m.event_type, m.participants, (m.date.value, m.date.precision) if m.date else None)
        cur = best.get(key)
        if cur is None or (m.date is not None, m.confidence) > (cur.date is not None, cur.confidence):
            best[key] = m
    dated = {k[:2] for k in best if k[2] is not None}
    kept = [m for k, m in best.items() if k[2] is not None or k[:2] not in dated]
    # "a deal for three frigates": one word that is both an agreement and an arms transfer is the transfer's contract
    transfers = {m.anchor for m in found if m.event_type == "arms_transfer"}
    kept = [m for m in kept if not (m.event_type == "agreement" and m.anchor in transfers)]
    # "air defence systems would be sent to Norway": a promise, not yet a transfer
    pledges = [m.anchor for m in kept if m.event_type == "pledge_statement"]
    kept = [m for m in kept if not (m.event_type == "arms_transfer" and m.status == "planned"
                                    and any(_overlaps(m.anchor, p) for p in pledges))]
    # one act, two readings in the same sentence: equipment handed over under an aid programme is the transfer;
    # assets sent for disaster relief are the relief, not a transfer; drills the same sentence also calls training
    # ("a joint training exercise", "field training drills") are the exercise
    kept = _one_reading(kept, keep="arms_transfer", drop="capacity_building")
    kept = _one_reading(kept, keep="peacekeeping_hadr", drop="arms_transfer")
    kept = _one_reading(kept, keep="joint_exercise", drop="training_exchange")
    # a pledge made at the sentence's own meeting belongs to that meeting
    meetings = {m.participants for m in kept if m.event_type == "dialogue_meeting"}
    return [m for m in kept if not (m.event_type == "pledge_statement" and m.participants in meetings)]


def _one_reading(mentions: list[RawMention], *, keep: str, drop: str) -> list[RawMention]:
    """Drop ``drop`` where ``keep`` has the same parties in the sentence; the kept one takes its date if it has none."""
    out = []
    for m in mentions:
        if m.event_type == drop and any(k.event_type == keep and k.participants == m.participants for k in mentions):
            continue
        if m.event_type == keep and m.date is None:
            other = next((d for d in mentions if d.event_type == drop and d.participants == m.participants and d.date),
                         None)
            if other is not None:
                m = replace(m, date=other.date, explicit_date=True)
        out.append(m)
    return out


# Types where one party may act towards several (a giver, a host, a trainer): split into pairs around it (hub).
HUB_TYPES = frozenset({"arms_transfer", "capacity_building", "peacekeeping_hadr", "port_visit", "training_exchange"})
# What may stand between two names of one list: "A, B and C", "A and the B", "A as well as B", "A & B".
_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and\s+|&\s+)?|(?:and|&|as well as)\s+)(?:the\s+)?", re.I)


def hub(m: RawMention, sentence: str, s0: int, sent_actors: list[ActorMention]) -> str | None:
    """The one party of ``m`` the others stand apart from: "A trained troops from B, C and D" (A), "B, C and D
    received aid from A" (A). None when its parties are all one list ("A, B, C and D trained together"): one
    event of them all, not one per pair. The party named first when the names are no such list."""
    first: dict[str, ActorMention] = {}
    for a in sent_actors:
        if a.code in m.participants:
            first.setdefault(a.code, a)
    named_first = m.order[0] if m.order else m.participants[0]
    if set(first) != set(m.participants):  # a party implied, not named here
        return named_first
    named = sorted(first.values(), key=lambda a: a.start)
    runs = [[named[0]]]
    for prev, cur in zip(named, named[1:]):
        if _LIST_GAP.fullmatch(sentence[prev.end - s0:cur.start - s0]):
            runs[-1].append(cur)
        else:
            runs.append([cur])
    if len(runs) == 1:
        return None
    if len(runs) == 2 and min(len(r) for r in runs) == 1:
        return min(runs, key=len)[0].code
    return named_first


def _yielding(found: list[RawMention], c: Cues) -> list[RawMention]:
    """One sentence, one act: a mention of a type that ``yields_to`` another type found in the same sentence
    for the same parties is that act's content ("drills focused on training", "arrived for training") and goes."""
    yields = {rule.name: rule.yields_to for rule in c.types if rule.yields_to}
    if not yields:
        return found
    return [m for m in found if not any(
        o.event_type in yields.get(m.event_type, ()) and set(m.participants) <= set(o.participants) for o in found)]


def _hosted_where_named(found: list[RawMention], sent) -> list[RawMention]:
    """A port call is hosted where the ship arrives: of the pairs that a split made of one visit ("the ship of A
    arrived in <a city of B> for drills with B and C"), only those with the state of the named city stay. A
    state whose city the sentence names but which is in every pair (the guest's home port) decides nothing."""
    visits = [m for m in found if m.event_type == "port_visit"]
    if len(visits) < 2:
        return found
    hosts = set(_place_hosts(sent))
    out = []
    for m in found:
        pairs = [v.participants for v in visits if v.anchor == m.anchor]
        telling = hosts - set.intersection(*(set(p) for p in pairs)) if m in visits else set()
        if telling and any(set(p) & telling for p in pairs) and not set(m.participants) & telling:
            continue
        out.append(m)
    return out


def _split_hub(found: list[RawMention], sentence: str, s0: int, sent_actors: list[ActorMention]) -> list[RawMention]:
    """"met his counterparts from A, B and C", "sent aid to A, B and C": one event per pair with the hub
    (:func:`hub`); the parties of one list stay one event."""
    out = []
    for m in found:
        hub_and_spokes = (m.event_type == "dialogue_meeting" and re.search(
            r"\bcounterparts\b|\bseparately\b|\bbilateral meetings\b", sentence, re.I)) or m.event_type in HUB_TYPES
        centre = hub(m, sentence, s0, sent_actors) if hub_and_spokes and len(m.participants) >= 3 else None
        if centre is not None:
            for other in m.participants:
                if other != centre:
                    out.append(replace(m, participants=tuple(sorted((centre, other)))))
        else:
            out.append(m)
    return out


# --------------------------------------------------------------------- grouping


def _dates_compatible(a: DateMention | None, b: DateMention | None) -> bool:
    if a is None or b is None:
        return True
    return periods_compatible(a.value, a.precision, b.value, b.precision)


_PRECISION_ORDER = {"day": 0, "month": 1, "year": 2}


@dataclass
class _Group:
    """Mentions of one event in one article (of either extractor); its date is the most precise of theirs."""
    event_type: str
    participants: tuple[str, ...]
    mentions: list[RawMention] = field(default_factory=list)

    def _date_key(self, d: DateMention):
        return _PRECISION_ORDER[d.precision]  # ties: the first mention's

    @property
    def date(self) -> DateMention | None:
        dated = [m.date for m in self.mentions if m.date]
        return min(dated, key=self._date_key) if dated else None

    def phrases(self) -> set[str]:
        return {m.phrase for m in self.mentions if m.reference == "named"}

    def background(self) -> bool:
        """Every mention tells an earlier occasion (dated well before the article, or said to be past)."""
        return all(m.in_background for m in self.mentions)


# Day dates of one type and parties this close in one article are one occasion (a start and a report day).
_SAME_OCCASION_DAYS = 3

# Types news uses for one occasion interchangeably: a back-reference of one joins a group of the other.
_AKIN = frozenset({("training_exchange", "joint_exercise"), ("joint_exercise", "training_exchange")})


def group_mentions(mentions: list[RawMention]) -> list[_Group]:
    """Mentions of one event in one article, grouped.

    A dated mention joins the nearest earlier group with a compatible date; an
    undated one joins the nearest earlier group when it refers back ("the
    deal", "the talks") or is a verb ("met"); a named event ("the Joint Vision
    Statement") joins the group that names it. Otherwise a mention opens a
    new group: "a summit" is a new event.
    """
    groups: list[_Group] = []
    for m in mentions:
        same = [g for g in groups if g.event_type == m.event_type and g.participants == m.participants
                and g.mentions[0].section == m.section]
        # the same sentence twice (a standfirst repeated in the body, a caption under its paragraph): one event
        target = next((g for g in same if any(x.evidence == m.evidence and x.sentence_index != m.sentence_index
                                              for x in g.mentions)), None)
        if target is None and m.reference == "named":
            target = next((g for g in reversed(same) if m.phrase in g.phrases() and _dates_compatible(g.date, m.date)), None)
        if target is None and m.date is not None:
            target = next((g for g in reversed(same) if g.date is not None and _dates_compatible(g.date, m.date)), None)
            if target is None:  # "began on the 11th" and "are under way" read as the 13th: one occasion told twice
                target = next((g for g in reversed(same) if g.date is not None and periods_compatible(
                    g.date.value, g.date.precision, m.date.value, m.date.precision, slack_days=_SAME_OCCASION_DAYS)), None)
            if target is None and m.reference in ("anaphoric", "verbal"):
                target = next((g for g in reversed(same) if g.date is None), None)
        if target is None and m.date is None and m.reference in ("anaphoric", "verbal", "named", "bare"):
            alike = [g for g in same if any(x.head == m.head for x in g.mentions)]
            target = (alike or same or [None])[-1]
        if target is None and m.date is None and m.reference == "anaphoric" and not same:
            # "the joint exercise" after "a joint training": the same occasion, told with a kindred word
            akin = [g for g in groups if g.participants == m.participants and (g.event_type, m.event_type) in _AKIN
                    and g.mentions[0].section == m.section]
            target = akin[-1] if akin else None
        if target is None and m.date is None and same and all(g.date is None for g in same):
            target = same[-1]
        if target is None:
            target = _Group(m.event_type, m.participants)
            groups.append(target)
        target.mentions.append(m)
    return _fold_undated(groups)


def _fold_undated(groups: list[_Group]) -> list[_Group]:
    """An undated group that names or refers back to an event ("the drills", "the accord") joins the only dated
    group of its type in the article whose parties include its own: a story retells its event without the date,
    and perhaps with two of its three navies. With no such dated group, or two, it stays apart; so does "a
    summit", which introduces an event of its own, and so does the article's own occasion told before an
    earlier, background one ("the drills are under way" ... "the first such drills were held in 2019"); told
    after it, the undated group retells it. "A summit" or "a pact" in the lead after the dated event (the
    opening lines of a story, LEAD_CHARS) retells that event too, when it is the story's own occasion (not
    background) and has the same parties: a story opens with its own occasion. Not "another", "a second",
    "a new" or "a separate" pact, nor one told "also" or "separately": those are other occasions."""
    out = []
    for g in groups:
        first = g.mentions[0]
        indefinite = first.reference == "indefinite"
        if g.date is None and (not indefinite or first.start < LEAD_CHARS and not _another(first)):
            dated = [h for h in groups if h is not g and h.date is not None and h.event_type == g.event_type
                     and set(g.participants) <= set(h.participants)
                     and h.mentions[0].section == first.section
                     and (not indefinite or h.mentions[0].start < first.start and not h.background()
                          and set(g.participants) == set(h.participants))
                     and (g.background() or not h.background() or first.start > h.mentions[0].start)]
            if not dated:
                dated = [h for h in groups if _bloc_only(h) and h.date is not None and h.event_type == g.event_type
                         and h.mentions[0].section == first.section and h.mentions[0].start < first.start
                         and _refers_back(first.evidence, first.anchor[0] - first.start) and not h.background()]
                if len(dated) == 1:  # "the bloc began its exercise on Monday ... troops of A and B joined the
                    # drills": its members, the bloc's event
                    dated[0].participants = tuple(sorted({*dated[0].participants, *g.participants}))
            if len(dated) == 1:
                dated[0].mentions.extend(g.mentions)
                continue
        out.append(g)
    return out


def _bloc_only(g: _Group) -> bool:
    """A group whose only party is an organisation: a bloc's own drill or meeting."""
    return len(g.participants) == 1 and g.participants[0] in actors.organisation_codes()


# words that make the anchor's phrase one more occasion ("a new pact", "a second deal"), and adverbs that make
# its verb one ("also signed", "separately"); lower case, so "New Zealand" is none
_ANOTHER_IN_PHRASE = re.compile(r"\b(?:another|second|third|fourth|fifth|new|fresh|separate|additional|further|"
                                r"one more|other)\s+(?:[\w-]+\s+){0,3}$")
_ANOTHER_ADVERB = re.compile(r"(?:^\W*(?:Separately|Also)\b|\b(?:also|separately)\s+(?:[\w-]+\s+){0,4}$)")


def _another(m: RawMention) -> bool:
    """The mention tells one more occasion: a word of it just before its anchor, in its phrase ("signed a new
    defence pact"), or "also" or "separately" on the verb before it ("also signed a pact", "Separately, ...")."""
    before = m.evidence[:max(0, m.anchor[0] - m.start)]
    return bool(_ANOTHER_IN_PHRASE.search(before) or _ANOTHER_ADVERB.search(before))


def to_candidates(groups: list[_Group], *, repeat_bonus: float = 0.05) -> list[EventCandidate]:
    """Groups as events; ``repeat_bonus`` raises the confidence of an event told more than once (0 when the
    confidence comes from a model that already weighs that)."""
    out = []
    occasions = {g.participants for g in groups if g.event_type in ("dialogue_meeting", "agreement", "capacity_building")}
    for g in groups:
        if g.event_type == "pledge_statement" and g.participants in occasions:
            continue  # a meeting's (signing's, aid measure's) own outcome or content, not a standalone pledge
        d = g.date
        background = all(m.in_background for m in g.mentions)
        if background and d is None:
            continue  # undated context: nothing an analyst can place
        confidence = max(m.confidence for m in g.mentions)
        if len(g.mentions) > 1:
            confidence = min(0.99, confidence + repeat_bonus)
        out.append(event_candidate(g, d, confidence))
    return out


_AID = re.compile(r"\b(?:donat|gift|aid|relief|assist)", re.I)


def event_candidate(group, date, confidence: float) -> EventCandidate:
    """A group of mentions of one event (of either extractor) as the event: its status (planned only when
    every mention is), CAMEO/PLOVER codes (the aid variant when a mention speaks of a gift or aid), place,
    ``date`` (a DateMention or None), ``confidence`` and its mentions."""
    mentions = group.mentions
    status = "planned" if all(m.status == "planned" for m in mentions) else "occurred"
    aid = group.event_type in ("arms_transfer", "peacekeeping_hadr") and any(_AID.search(m.evidence) for m in mentions)
    cameo, plover = codes_for(group.event_type, aid=aid)
    return EventCandidate(
        event_type=group.event_type, participants=group.participants,
        event_date=date.value if date else None, date_precision=date.precision if date else None,
        location=next((m.location for m in mentions if m.location), None), status=status,
        confidence=round(confidence, 3), cameo_code=cameo, plover_type=plover,
        mentions=[Mention(evidence=m.evidence, char_start=m.start, char_end=m.end, in_background=m.in_background,
                          confidence=m.confidence, date=m.date.value if m.date else None,
                          date_precision=m.date.precision if m.date else None, status=m.status)
                  for m in mentions])


def extract_events(article: Article, nlp) -> list[EventCandidate]:
    """The events an article reports (the whole stage, for tests and the DoFn)."""
    if not article.text.strip():
        return []
    doc = nlp(article.text)
    return to_candidates(group_mentions(extract_mentions(article, doc)))
