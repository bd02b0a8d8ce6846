"""Validation of the actor gazetteer data file transforms/language/data/actors.toml.

The file adds to pycountry what news needs (aliases, demonyms, capitals,
forces, ship prefixes) keyed by ISO 3166-1 alpha-3 code, plus organisations
keyed by upper-case acronym. These tests check its shape and its content
rules; they do not test the extraction code that reads it.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections import defaultdict
from pathlib import Path

import pycountry
import pytest

DATA = Path(__file__).resolve().parents[1] / "transforms" / "language" / "data" / "actors.toml"

TOP_LEVEL_KEYS = {"countries", "non_iso_countries", "organisations", "shared", "ambiguous"}
COUNTRY_FIELDS = {"aliases", "demonyms", "capitals", "forces", "ship_prefixes", "combining_forms", "makers"}
ORG_FIELDS = {"names", "adjectives", "forums", "bodies", "instruments", "military"}
AMBIGUOUS_LISTS = {"person_name_risk", "common_words", "multi_referent", "not_actors", "not_pairs", "omitted_acronyms",
                   "place_words_before", "place_words_after"}

# The 193 member states of the United Nations, by ISO 3166-1 alpha-3 code.
UN_MEMBERS = frozenset(
    """
    AFG ALB DZA AND AGO ATG ARG ARM AUS AUT AZE BHS BHR BGD BRB BLR BEL BLZ BEN
    BTN BOL BIH BWA BRA BRN BGR BFA BDI CPV KHM CMR CAN CAF TCD CHL CHN COL COM
    COG CRI CIV HRV CUB CYP CZE PRK COD DNK DJI DMA DOM ECU EGY SLV GNQ ERI EST
    SWZ ETH FJI FIN FRA GAB GMB GEO DEU GHA GRC GRD GTM GIN GNB GUY HTI HND HUN
    ISL IND IDN IRN IRQ IRL ISR ITA JAM JPN JOR KAZ KEN KIR KWT KGZ LAO LVA LBN
    LSO LBR LBY LIE LTU LUX MDG MWI MYS MDV MLI MLT MHL MRT MUS MEX FSM MCO MNG
    MNE MAR MOZ MMR NAM NRU NPL NLD NZL NIC NER NGA MKD NOR OMN PAK PLW PAN PNG
    PRY PER PHL POL PRT QAT KOR MDA ROU RUS RWA KNA LCA VCT WSM SMR STP SAU SEN
    SRB SYC SLE SGP SVK SVN SLB SOM ZAF SSD ESP LKA SDN SUR SWE CHE SYR TJK THA
    TLS TGO TON TTO TUN TUR TKM TUV UGA UKR ARE GBR TZA USA URY UZB VUT VEN VNM
    YEM ZMB ZWE
    """.split()
)
# Beyond the UN members: the two observer states, Taiwan and Kosovo.
REQUIRED_OTHERS = frozenset({"VAT", "PSE", "TWN", "XKX"})
# Organisations the brief and shared/SPEC.md name.
REQUIRED_ORGS = frozenset(
    """
    ASEAN NATO UN EU AU QUAD AUKUS SCO CSTO GCC ECOWAS SADC OAS OSCE PIF IGAD
    EAC ECCAS CARICOM BRICS G7 G20 IORA FVEY FPDA
    """.split()
)


@pytest.fixture(scope="module")
def data() -> dict:
    with DATA.open("rb") as fh:
        return tomllib.load(fh)


def _states(data: dict) -> dict[str, dict]:
    """All state entries, ISO and non-ISO, by code."""
    return {**data.get("countries", {}), **data.get("non_iso_countries", {})}


def _pycountry_names(country) -> list[str]:
    return [
        v
        for v in (
            country.name,
            getattr(country, "official_name", None),
            getattr(country, "common_name", None),
        )
        if v
    ]


def _iter_strings(data: dict):
    """Yield (code, section/field, string) for every actor string in the file."""
    for code, entry in _states(data).items():
        for field, values in entry.items():
            for s in values:
                yield code, f"countries.{code}.{field}", s
    for code, entry in data.get("organisations", {}).items():
        for field, values in entry.items():
            for s in values if isinstance(values, list) else ():  # "military" is a flag
                yield code, f"organisations.{code}.{field}", s


def _all_listed_strings(data: dict):
    """Every string anywhere in the file, with where it is."""
    yield from ((where, s) for _, where, s in _iter_strings(data))
    for name, lst in data.get("ambiguous", {}).items():
        for s in lst:
            yield f"ambiguous.{name}", s
    for s, codes in data.get("shared", {}).items():
        yield "shared (key)", s
        for c in codes:
            yield f"shared.{s}", c


# --------------------------------------------------------------------------
# Shape
# --------------------------------------------------------------------------


def test_top_level_tables(data):
    assert set(data) <= TOP_LEVEL_KEYS, f"unknown top-level keys: {sorted(set(data) - TOP_LEVEL_KEYS)}"
    assert {"countries", "organisations", "shared", "ambiguous"} <= set(data)


def test_country_keys_are_pycountry_alpha3(data):
    bad = [code for code in data["countries"] if pycountry.countries.get(alpha_3=code) is None]
    assert not bad, f"not ISO 3166-1 alpha-3 codes known to pycountry: {bad}"


def test_non_iso_country_keys(data):
    for code in data.get("non_iso_countries", {}):
        assert re.fullmatch(r"X[A-Z]{2}", code), f"{code}: non-ISO codes use the user-assigned X.. range"
        assert pycountry.countries.get(alpha_3=code) is None, (
            f"{code} is now in pycountry: move it to [countries]"
        )
        assert code not in data["countries"]


def test_country_fields(data):
    for code, entry in _states(data).items():
        unknown = set(entry) - COUNTRY_FIELDS
        assert not unknown, f"countries.{code}: unknown fields {sorted(unknown)}"
        for field, values in entry.items():
            assert isinstance(values, list), f"countries.{code}.{field} must be a list"
            assert all(isinstance(v, str) for v in values), f"countries.{code}.{field}: non-string"


def test_organisation_codes_upper_case(data):
    for code, entry in data["organisations"].items():
        assert code == code.upper() and re.fullmatch(r"[A-Z][A-Z0-9]*", code), (
            f"organisation code {code!r} must be an upper-case acronym"
        )
        assert code not in _states(data), f"{code} is both an organisation and a state code"
        unknown = set(entry) - ORG_FIELDS
        assert not unknown, f"organisations.{code}: unknown fields {sorted(unknown)}"
        assert entry.get("names"), f"organisations.{code} has no names"
        for field, values in entry.items():
            if field == "military":
                assert values is True, f"organisations.{code}.military: true, or left out"
                continue
            assert isinstance(values, list), f"organisations.{code}.{field} must be a list"
            assert all(isinstance(v, str) for v in values), f"organisations.{code}.{field}: non-string"


def test_required_organisations_present(data):
    missing = REQUIRED_ORGS - set(data["organisations"])
    assert not missing, f"organisations missing: {sorted(missing)}"


def test_ambiguous_table(data):
    amb = data["ambiguous"]
    assert set(amb) <= AMBIGUOUS_LISTS, f"unknown [ambiguous] lists: {sorted(set(amb) - AMBIGUOUS_LISTS)}"
    for name, lst in amb.items():
        assert isinstance(lst, list) and all(isinstance(s, str) for s in lst), name
        dups = sorted({s for s in lst if lst.count(s) > 1})
        assert not dups, f"ambiguous.{name}: duplicates {dups}"


# --------------------------------------------------------------------------
# Strings
# --------------------------------------------------------------------------


def test_no_empty_or_padded_strings(data):
    problems = []
    for where, s in _all_listed_strings(data):
        if not s.strip():
            problems.append(f"{where}: empty string")
        elif s != s.strip():
            problems.append(f"{where}: leading/trailing whitespace in {s!r}")
        elif "  " in s or any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in s):
            problems.append(f"{where}: double space or control character in {s!r}")
        elif unicodedata.normalize("NFC", s) != s:
            problems.append(f"{where}: not NFC-normalised: {s!r}")
        elif "\u2019" in s:
            problems.append(f"{where}: use ASCII apostrophe, not U+2019, in {s!r}")
    assert not problems, "\n".join(problems)


def test_no_duplicates_within_an_entry(data):
    problems = []
    for code, entry in list(_states(data).items()) + list(data["organisations"].items()):
        seen: dict[str, str] = {}
        for field, values in entry.items():
            for s in values if isinstance(values, list) else ():  # "military" is a flag
                if s in seen:
                    problems.append(f"{code}: {s!r} in both {seen[s]} and {field}")
                seen[s] = field
    assert not problems, "\n".join(problems)


def test_no_string_under_two_codes(data):
    """A string may map to one code only, unless [shared] allows it.

    pycountry's names (name, official_name, common_name) of every country
    take part too, since the code that reads this file adds them at run time.
    The comparison is case-insensitive ("Nato" and "NATO" count as one).
    """
    owners: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for country in pycountry.countries:
        for name in _pycountry_names(country):
            owners[name.casefold()][country.alpha_3].add(f"pycountry:{name}")
    for code, where, s in _iter_strings(data):
        owners[s.casefold()][code].add(f"{where}:{s}")

    shared = {s.casefold(): set(codes) for s, codes in data["shared"].items()}
    problems = []
    for key, by_code in sorted(owners.items()):
        if len(by_code) < 2:
            continue
        if shared.get(key) == set(by_code):
            continue
        detail = "; ".join(f"{c} <- {sorted(w)}" for c, w in sorted(by_code.items()))
        problems.append(f"{key!r} is under {len(by_code)} codes: {detail}")
    assert not problems, "strings under two codes (add to [shared] if intended):\n" + "\n".join(problems)


def test_shared_entries_are_real(data):
    states = _states(data)
    orgs = data["organisations"]
    for s, codes in data["shared"].items():
        assert isinstance(codes, list) and len(set(codes)) >= 2, f"shared {s!r}: needs two or more codes"
        for code in codes:
            entry = states.get(code) or orgs.get(code)
            assert entry is not None, f"shared {s!r}: unknown code {code}"
            assert any(isinstance(values, list) and s in values for values in entry.values()), (
                f"shared {s!r}: not actually listed under {code}"
            )


def test_aliases_do_not_retype_pycountry_names(data):
    problems = []
    for code, entry in data["countries"].items():
        names = set(_pycountry_names(pycountry.countries.get(alpha_3=code)))
        for alias in entry.get("aliases", []):
            if alias in names:
                problems.append(f"countries.{code}.aliases: {alias!r} is already a pycountry name")
    assert not problems, "\n".join(problems)


def test_capitals_are_not_country_names(data):
    """Capitals that equal a country name ("Singapore") belong to the country."""
    country_names = set()
    for country in pycountry.countries:
        country_names.update(n.casefold() for n in _pycountry_names(country))
    for entry in _states(data).values():
        country_names.update(a.casefold() for a in entry.get("aliases", []))
    bad = [
        (code, cap)
        for code, entry in _states(data).items()
        for cap in entry.get("capitals", [])
        if cap.casefold() in country_names
    ]
    assert not bad, f"capitals identical to a country name: {bad}"


def test_ship_prefixes_look_like_prefixes(data):
    for code, entry in _states(data).items():
        for p in entry.get("ship_prefixes", []):
            assert re.fullmatch(r"[A-Z][A-Za-zÉ]{1,6}", p), f"countries.{code}.ship_prefixes: odd prefix {p!r}"


# --------------------------------------------------------------------------
# Coverage
# --------------------------------------------------------------------------


def test_every_un_member_is_present_with_a_demonym(data):
    assert len(UN_MEMBERS) == 193
    states = _states(data)
    missing = sorted((UN_MEMBERS | REQUIRED_OTHERS) - set(states))
    assert not missing, f"states missing from the file: {missing}"
    no_demonym = sorted(code for code, entry in states.items() if not entry.get("demonyms"))
    assert not no_demonym, f"states without a demonym: {no_demonym}"


def test_only_expected_states(data):
    """The file covers UN members, observers, Taiwan and Kosovo, not territories."""
    extra = sorted(set(_states(data)) - UN_MEMBERS - REQUIRED_OTHERS)
    assert not extra, f"entries that are not UN members / observers / TWN / XKX: {extra}"


def _resolver(data: dict) -> dict[str, set[str]]:
    """Every string that names an actor (pycountry names + file) -> codes.

    Only states of the file are actors: pycountry's territories ("American
    Samoa", "French Guiana") are places, not participants.
    """
    states = _states(data)
    index: dict[str, set[str]] = defaultdict(set)
    for country in pycountry.countries:
        if country.alpha_3 not in states:
            continue
        for name in _pycountry_names(country):
            index[name].add(country.alpha_3)
    for code, _, s in _iter_strings(data):
        index[s].add(code)
    return index


# Forms the news uses that must resolve, through pycountry or this file.
MUST_RESOLVE = {
    "VNM": ["Vietnam", "Viet Nam", "Vietnamese", "Hanoi", "VPA", "VPNS"],
    "KOR": ["South Korea", "South Korean", "Seoul", "ROK", "ROKS"],
    "PRK": ["North Korea", "DPRK", "Pyongyang"],
    "RUS": ["Russia", "Russian", "Moscow", "Kremlin"],
    "IRN": ["Iran", "Iranian", "Tehran", "IRGC"],
    "SYR": ["Syria"],
    "TWN": ["Taiwan", "Taiwanese", "Taipei", "ROC"],
    "TUR": ["Turkey", "Türkiye", "Turkish", "Ankara", "TCG"],
    "LAO": ["Laos", "Lao", "Laotian"],
    "MDA": ["Moldova", "Moldovan", "Chisinau", "Chișinău"],
    "BOL": ["Bolivia"],
    "VEN": ["Venezuela"],
    "TZA": ["Tanzania"],
    "BRN": ["Brunei"],
    "CZE": ["Czech Republic", "Czechia"],
    "CIV": ["Ivory Coast"],
    "CPV": ["Cape Verde"],
    "FSM": ["Micronesia"],
    "PSE": ["Palestine", "Palestinian"],
    "VAT": ["Vatican"],
    "MKD": ["Macedonia", "North Macedonia"],
    "MMR": ["Burma", "Myanmar", "Burmese", "Naypyidaw", "Tatmadaw"],
    "TLS": ["East Timor", "Timor-Leste"],
    "PHL": ["the Philippines", "Filipino", "Philippine", "Manila", "BRP"],
    "NLD": ["the Netherlands", "Holland", "Dutch"],
    "USA": ["the United States", "United States", "US", "U.S.", "USA", "U.S.A.", "America",
            "American", "Washington", "Pentagon", "USAF", "USMC", "INDOPACOM", "AFRICOM",
            "USS", "USNS"],
    "GBR": ["UK", "U.K.", "Britain", "Great Britain", "United Kingdom", "British", "HMS"],
    "PNG": ["PNG", "Papua New Guinean", "Port Moresby"],
    "ARE": ["UAE", "the Emirates", "Emirati"],
    "COD": ["DRC", "DR Congo", "Democratic Republic of Congo", "FARDC"],
    "COG": ["Republic of Congo", "Congo-Brazzaville"],
    "CAF": ["CAR", "Central African Republic", "Centrafrican", "Central African", "Bangui", "FACA"],
    "SAU": ["Saudi Arabia", "KSA", "Saudi", "Riyadh"],
    "ZAF": ["South Africa"],
    "NZL": ["New Zealand", "Kiwi", "Wellington", "RNZAF", "RNZN", "NZDF", "HMNZS"],
    "JPN": ["Japanese", "Tokyo", "JSDF", "JMSDF", "JGSDF", "JASDF", "JS"],
    "CHN": ["Chinese", "Beijing", "PLA", "PLA Navy", "PLAN", "People's Liberation Army", "PRC"],
    "AUS": ["Australian", "Canberra", "RAAF", "RAN", "ADF", "HMAS"],
    "ISR": ["IDF"],
    "RWA": ["Rwandan", "Kigali", "RDF"],
    "DEU": ["Bundeswehr", "FGS"],
    "IDN": ["TNI", "Jakarta", "KRI"],
    "IND": ["New Delhi", "Delhi", "INS"],
    "LKA": ["Sri Lankan", "Colombo", "SLNS"],
    "TON": ["Tongan", "Nuku'alofa"],
    "GHA": ["Ghanaian", "Accra"],
    "GRC": ["Athens", "Hellenic", "HS"],
    "FRA": ["Paris", "FS"],
    "CHL": ["Chilean", "Santiago"],
    "MOZ": ["Mozambican", "Maputo"],
    "BRA": ["Brazilian", "Brasilia", "Brasília"],
    "COL": ["Colombian", "Bogota", "Bogotá", "ARC"],
    "ARG": ["Argentine", "Argentinian", "Buenos Aires", "ARA"],
    "MEX": ["Mexican"],
    "UKR": ["Kyiv", "Kiev"],
    "AZE": ["Azerbaijani", "Azeri"],
    "BGD": ["Bangladeshi", "BNS"],
    "CHE": ["Swiss"],
    "THA": ["Thai", "HTMS"],
    "KHM": ["Cambodian", "Khmer"],
    "PAK": ["Islamabad", "PNS"],
    "MYS": ["KD"],
    "SGP": ["RSS"],
    "CAN": ["HMCS"],
    "ITA": ["ITS"],
    "DNK": ["HDMS"],
    "NOR": ["HNoMS"],
    "SWE": ["HSwMS"],
    "PER": ["BAP"],
    "PRT": ["NRP"],
    "ESP": ["SPS", "ESPS"],
    "XKX": ["Kosovo", "Kosovar"],
    "ASEAN": ["ASEAN", "Association of Southeast Asian Nations", "ADMM", "ADMM-Plus"],
    "NATO": ["NATO", "North Atlantic Treaty Organization", "North Atlantic Treaty Organisation"],
    "UN": ["United Nations", "UN", "U.N."],
    "EU": ["European Union", "EU", "E.U.", "European Peace Facility"],
    "AU": ["African Union"],
    "QUAD": ["Quad", "Quadrilateral Security Dialogue"],
    "AUKUS": ["AUKUS"],
    "SCO": ["Shanghai Cooperation Organisation", "Shanghai Cooperation Organization"],
    "GCC": ["Gulf Cooperation Council"],
    "OAS": ["Organization of American States"],
    "PIF": ["Pacific Islands Forum"],
    "FVEY": ["Five Eyes"],
    "FPDA": ["Five Power Defence Arrangements"],
    "G7": ["G7"],
    "G20": ["G20"],
}


@pytest.mark.parametrize(("code", "form"), [(c, f) for c, forms in MUST_RESOLVE.items() for f in forms])
def test_news_forms_resolve(data, code, form):
    codes = _resolver(data).get(form, set())
    assert code in codes, f"{form!r} should resolve to {code}, resolves to {sorted(codes) or 'nothing'}"


def test_omitted_acronyms_are_not_actors(data):
    index = _resolver(data)
    leaked = {s: sorted(index[s]) for s in data["ambiguous"].get("omitted_acronyms", []) if s in index}
    assert not leaked, f"[ambiguous].omitted_acronyms listed under codes: {leaked}"


def test_not_actors_are_not_actor_strings(data):
    index = _resolver(data)
    leaked = {s: sorted(index[s]) for s in data["ambiguous"].get("not_actors", []) if s in index}
    assert not leaked, f"[ambiguous].not_actors listed as actor strings: {leaked}"


@pytest.mark.parametrize("sentence, name, inside", [
    ("Two navies sailed through the Gulf of Oman on Friday.", "Oman", True),
    ("Patrols in the Straits of the Philippines resumed.", "Philippines", True),
    ("Ships crossed the Arabian sea and the Japan Sea.", "Japan", True),
    ("Oman and Japan held talks.", "Oman", False),
    ("Talks bridged the gulf of Oman and its neighbour's views.", "Oman", False),  # a common noun: lower case
])
def test_a_state_inside_a_place_name_is_found_from_the_data(sentence, name, inside):
    from newswatch.transforms.language import actors
    start = sentence.index(name)
    assert actors.inside_place_name(sentence, start, start + len(name)) is inside
