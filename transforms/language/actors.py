"""Who can take part in an event: states and organisations, normalised to codes.

Country names come from pycountry (ISO 3166-1); ``data/actors.toml`` adds
what pycountry lacks: the short names news uses, demonyms, capitals, armed
forces and ministries with names of their own, warship prefixes, and the
multilateral organisations. :func:`ruler_patterns` turns it all into
EntityRuler patterns whose label says what kind of mention it is and whose
id is the participant code.
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
from importlib import resources

import pycountry

# Entity labels the ruler assigns (the kind of mention).
COUNTRY, DEMONYM, CAPITAL, FORCE, SHIP, ORG = "NW_COUNTRY", "NW_DEMONYM", "NW_CAPITAL", "NW_FORCE", "NW_SHIP", "NW_ORG"
# A place or phrase named after a state that is not an actor ("South China Sea"): data/actors.toml's
# [ambiguous] not_actors, matched so that the state's name inside it is not.
NOT_ACTOR = "NW_NOT_ACTOR"
ACTOR_LABELS = frozenset({COUNTRY, DEMONYM, CAPITAL, FORCE, SHIP, ORG})
# Kinds that name a place: such a mention after "in"/"at" is a location, not a party.
PLACE_LABELS = frozenset({COUNTRY, CAPITAL})


@functools.cache
def actor_data() -> dict:
    text = resources.files("newswatch.transforms.language").joinpath("data/actors.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _pycountry_names(country) -> set[str]:
    names = set()
    for attr in ("name", "common_name", "official_name"):
        value = getattr(country, attr, None)
        if not value:
            continue
        names.add(value)
        # "Korea, Republic of" -> also "Republic of Korea"
        if ", " in value:
            head, tail = value.split(", ", 1)
            names.add(f"{tail} {head}")
    return {n for n in names if "," not in n and "(" not in n}


def _state_entries() -> dict[str, dict]:
    """The gazetteer's entry of each state, by code (ISO codes, plus Kosovo's XKX)."""
    data = actor_data()
    return {**data.get("countries", {}), **data.get("non_iso_countries", {})}


@functools.cache
def country_codes() -> frozenset[str]:
    """States that can be parties: those the gazetteer lists."""
    return frozenset(_state_entries())


@functools.cache
def organisation_codes() -> frozenset[str]:
    return frozenset(actor_data().get("organisations", {}))


@functools.cache
def makers() -> dict[str, str]:
    """Defence manufacturers and arms exporters by name, with the state each is based in (actors.toml
    ``makers``)."""
    return {name: code for code, entry in _state_entries().items() for name in entry.get("makers", [])}


@functools.cache
def military_blocs() -> frozenset[str]:
    """Organisations whose members drill together as the organisation (actors.toml ``military``)."""
    return frozenset(code for code, entry in actor_data().get("organisations", {}).items() if entry.get("military"))


def is_state(code: str) -> bool:
    return code in country_codes()


def token_state(token) -> str | None:
    """The state a spaCy token's actor entity names (its code), or None."""
    if token.ent_type_ in ACTOR_LABELS and token.ent_id_ and is_state(token.ent_id_):
        return token.ent_id_
    return None


@functools.cache
def combining_forms() -> dict[str, str]:
    """First parts of compound adjectives that name a state ("Sino" -> CHN, as in "Sino-Indian talks"): actors only
    right before a hyphen and another state's name, which the pipeline checks (``nlp.py``)."""
    return {form: code for code, entry in _state_entries().items() for form in entry.get("combining_forms", [])}


@functools.cache
def not_pairs() -> frozenset[str]:
    """Compounds whose combining form names no state ("Indo-China", the region; "Indo-Fijian", a people):
    [ambiguous] not_pairs, hyphenated."""
    return frozenset(actor_data().get("ambiguous", {}).get("not_pairs", []))


def ruler_patterns() -> list[dict]:
    """EntityRuler patterns: {"label": kind, "pattern": text, "id": code}."""
    data = actor_data()
    # Matching is case-sensitive (ORTH), so "Turkey" never matches "turkey";
    # the [ambiguous] lists in the data document the risks that remain.
    patterns: dict[tuple[str, str], str] = {}

    def add(label: str, text: str, code: str) -> None:
        text = text.strip()
        if text and (label, text) not in patterns:
            patterns[(label, text)] = code
            if text.startswith("the ") and label in (COUNTRY, ORG):
                patterns.setdefault((label, text[4:]), code)

    extra = _state_entries()
    for country in pycountry.countries:
        if country.alpha_3 not in extra:
            continue  # territories are places, not parties
        for name in _pycountry_names(country):
            add(COUNTRY, name, country.alpha_3)
    for code, entry in extra.items():
        for name in entry.get("aliases", []):
            add(COUNTRY, name, code)
        for name in entry.get("demonyms", []):
            add(DEMONYM, name, code)
        for name in entry.get("capitals", []):
            add(CAPITAL, name, code)
        for name in entry.get("forces", []):
            add(FORCE, name, code)
        for name in entry.get("ship_prefixes", []):
            add(SHIP, name, code)
    for code, entry in data.get("organisations", {}).items():
        for key in ("names", "instruments", "forums", "bodies", "adjectives"):
            for name in entry.get(key, []):
                add(ORG, name, code)
    for (label, text) in patterns:  # a string listed under several codes takes the first ([shared])
        if text in data.get("shared", {}):
            patterns[(label, text)] = data["shared"][text][0]
    for text in data.get("ambiguous", {}).get("not_actors", []):
        patterns[(NOT_ACTOR, text)] = ""
    out = []
    for (label, text), code in patterns.items():
        out.append({"label": label, "pattern": text, "id": code} if code else {"label": label, "pattern": text})
        if "'" in text:  # news writes both apostrophes
            out.append({"label": label, "pattern": text.replace("'", "\u2019"), "id": code})
    return out


_CODE_RE = re.compile(r"^[A-Z0-9]{2,6}$")


@functools.cache
def person_name_risk() -> frozenset[str]:
    """Names of states or capitals that are also people's names ([ambiguous] person_name_risk)."""
    return frozenset(actor_data().get("ambiguous", {}).get("person_name_risk", []))


@functools.cache
def _place_word_patterns() -> tuple[re.Pattern, re.Pattern]:
    ambiguous = actor_data().get("ambiguous", {})
    before = "|".join(re.escape(w) for w in ambiguous.get("place_words_before", [])) or r"(?!)"
    after = "|".join(re.escape(w) for w in ambiguous.get("place_words_after", [])) or r"(?!)"
    return (re.compile(rf"\b(?:{before})\s+of\s+(?:the\s+)?$"),
            re.compile(rf"\s+(?:{after})\b", re.IGNORECASE))


def inside_place_name(text: str, start: int, end: int) -> bool:
    """Is the state's name at ``text[start:end]`` part of a place's name ("Gulf of X", "X Sea")?

    The words come from data/actors.toml ([ambiguous] place_words_before, place_words_after)."""
    before, after = _place_word_patterns()
    return bool(before.search(text[max(0, start - 30):start]) or after.match(text[end:end + 14]))


def valid_code(code: str) -> bool:
    return bool(_CODE_RE.match(code)) and (is_state(code) or code in organisation_codes())


@functools.cache
def _places() -> dict[str, str]:
    path = resources.files("newswatch.transforms.language").joinpath("data/places.json")
    return json.loads(path.read_text(encoding="utf-8"))["places"] if path.is_file() else {}


_HARBOUR_WORDS = ("Bay", "Harbour", "Harbor", "Port", "port", "harbour", "harbor", "Naval Base", "naval base")


def place_state(name: str) -> str | None:
    """The state a city (not a capital: those are actors) lies in, from data/places.json (GeoNames): "Port X
    Bay" and "X Harbour" are looked up as "X" too. None when unknown or shared by cities of several states.
    Names are looked up as GeoNames writes them, accents included: folded, short names collide ("Bali" with
    a town of another state)."""
    name = " ".join(name.split())
    places = _places()
    if name in places:
        return places[name]
    for word in _HARBOUR_WORDS:
        if name.endswith(" " + word) and name[:-len(word) - 1] in places:
            return places[name[:-len(word) - 1]]
    return None



@functools.cache
def _cities_any_case() -> dict[str, str]:
    """Capitals (data/actors.toml) and cities (data/places.json), lower-cased: name -> state."""
    cities = {name.lower(): code for name, code in _places().items()}
    for pattern in ruler_patterns():
        if pattern.get("label") == CAPITAL:
            cities[pattern["pattern"].lower()] = pattern["id"]
    return cities


def city_state(name: str) -> str | None:
    """The state of a capital or city written in any case ("SAN EXAMPLO" in a wire dateline), or None."""
    return _cities_any_case().get(" ".join(name.split()).lower())


@functools.cache
def names_by_code() -> dict[str, frozenset[str]]:
    """Every string the gazetteer knows for each participant code (names, demonyms, capitals, forces...)."""
    names: dict[str, set[str]] = {}
    for pattern in ruler_patterns():
        if "id" in pattern:  # not the places that are not actors
            names.setdefault(pattern["id"], set()).add(pattern["pattern"])
    return {code: frozenset(found) for code, found in names.items()}


@functools.cache
def display_name(code: str) -> str:
    """A participant's name for people: for a state, pycountry's common or short name, or a shorter alias
    of the gazetteer that begins like it ("Russia" rather than "Russian Federation"); an organisation's
    first listed name ("NATO"); the code itself when neither knows it."""
    country = pycountry.countries.get(alpha_3=code)
    entry = actor_data().get("countries", {}).get(code) or actor_data().get("non_iso_countries", {}).get(code)
    if country is not None:
        name = getattr(country, "common_name", None) or country.name
        if ", " in name:  # "Congo, The Democratic Republic of the" -> "Democratic Republic of the Congo"
            head, tail = name.split(", ", 1)
            name = f"{tail} {head}"
        name = name.removeprefix("The ")
        shorter = [a for a in (entry or {}).get("aliases", []) if len(a) < len(name) and a[:4] == name[:4]
                   and any(ch.islower() for ch in a) and "." not in a]
        return min(shorter, key=len) if shorter else name
    entry = entry or actor_data().get("organisations", {}).get(code)
    if entry:
        listed = entry.get("names") or entry.get("aliases")
        if listed:
            return listed[0]
    return code
