"""A small bundled fact table the mock answers from: countries (capital, currency, continent), each continent's
largest, smallest and most populous country, the planets and the chemical elements' symbols. Pure data and
lookups; `answers.py` words the sentences."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple


class Country(NamedTuple):
    name: str
    capital: str
    currency: str
    continent: str


_COUNTRIES = """\
Afghanistan|Kabul|Afghan afghani|Asia
Argentina|Buenos Aires|Argentine peso|South America
Australia|Canberra|Australian dollar|Oceania
Austria|Vienna|euro|Europe
Bangladesh|Dhaka|Bangladeshi taka|Asia
Belgium|Brussels|euro|Europe
Brazil|Brasília|Brazilian real|South America
Bulgaria|Sofia|Bulgarian lev|Europe
Canada|Ottawa|Canadian dollar|North America
Chile|Santiago|Chilean peso|South America
China|Beijing|renminbi (yuan)|Asia
Colombia|Bogotá|Colombian peso|South America
Croatia|Zagreb|euro|Europe
Cuba|Havana|Cuban peso|North America
Czech Republic|Prague|Czech koruna|Europe
Denmark|Copenhagen|Danish krone|Europe
Egypt|Cairo|Egyptian pound|Africa
Ethiopia|Addis Ababa|Ethiopian birr|Africa
Finland|Helsinki|euro|Europe
France|Paris|euro|Europe
Germany|Berlin|euro|Europe
Ghana|Accra|Ghanaian cedi|Africa
Greece|Athens|euro|Europe
Hungary|Budapest|Hungarian forint|Europe
Iceland|Reykjavík|Icelandic króna|Europe
India|New Delhi|Indian rupee|Asia
Indonesia|Jakarta|Indonesian rupiah|Asia
Iran|Tehran|Iranian rial|Asia
Iraq|Baghdad|Iraqi dinar|Asia
Ireland|Dublin|euro|Europe
Israel|Jerusalem|Israeli new shekel|Asia
Italy|Rome|euro|Europe
Japan|Tokyo|Japanese yen|Asia
Kenya|Nairobi|Kenyan shilling|Africa
Malaysia|Kuala Lumpur|Malaysian ringgit|Asia
Mexico|Mexico City|Mexican peso|North America
Morocco|Rabat|Moroccan dirham|Africa
Netherlands|Amsterdam|euro|Europe
New Zealand|Wellington|New Zealand dollar|Oceania
Nigeria|Abuja|Nigerian naira|Africa
Norway|Oslo|Norwegian krone|Europe
Pakistan|Islamabad|Pakistani rupee|Asia
Peru|Lima|Peruvian sol|South America
Philippines|Manila|Philippine peso|Asia
Poland|Warsaw|Polish złoty|Europe
Portugal|Lisbon|euro|Europe
Romania|Bucharest|Romanian leu|Europe
Russia|Moscow|Russian ruble|Europe
Saudi Arabia|Riyadh|Saudi riyal|Asia
Singapore|Singapore|Singapore dollar|Asia
South Africa|Pretoria|South African rand|Africa
South Korea|Seoul|South Korean won|Asia
Spain|Madrid|euro|Europe
Sweden|Stockholm|Swedish krona|Europe
Switzerland|Bern|Swiss franc|Europe
Thailand|Bangkok|Thai baht|Asia
Turkey|Ankara|Turkish lira|Asia
Ukraine|Kyiv|Ukrainian hryvnia|Europe
United Arab Emirates|Abu Dhabi|UAE dirham|Asia
United Kingdom|London|pound sterling|Europe
United States|Washington, D.C.|US dollar|North America
Vietnam|Hanoi|Vietnamese dong|Asia
"""
_ALIASES = {
    "usa": "United States",
    "us": "United States",
    "america": "United States",
    "united states of america": "United States",
    "the united states": "United States",
    "uk": "United Kingdom",
    "britain": "United Kingdom",
    "great britain": "United Kingdom",
    "england": "United Kingdom",
    "the uk": "United Kingdom",
    "korea": "South Korea",
    "holland": "Netherlands",
    "the netherlands": "Netherlands",
    "czechia": "Czech Republic",
    "uae": "United Arab Emirates",
    "the philippines": "Philippines",
}
# Cities that are not capitals above, and their countries, so places are recognised as places (and a city's country
# is known).
_CITY_COUNTRIES = """\
New York|Los Angeles|San Francisco|Chicago|Boston|Seattle|Miami|Austin|Denver|Atlanta|Dallas|Houston|Phoenix\
|Portland|Las Vegas|Honolulu=United States
Toronto|Vancouver|Montreal=Canada
Sydney|Melbourne=Australia
Barcelona|Valencia|Seville=Spain
Munich|Hamburg|Frankfurt|Cologne=Germany
Milan|Venice|Florence|Naples=Italy
Lyon|Marseille|Nice=France
Osaka|Kyoto=Japan
Shanghai|Hong Kong=China
Mumbai|Bangalore=India
Istanbul=Turkey
Dubai=United Arab Emirates
Cape Town|Johannesburg=South Africa
Rio de Janeiro|São Paulo=Brazil
Manchester|Edinburgh|Glasgow=United Kingdom
Zurich|Geneva=Switzerland
Porto=Portugal
Krakow|Kraków=Poland
Rotterdam=Netherlands
Auckland=New Zealand
Lagos=Nigeria
Marrakesh|Casablanca=Morocco
"""
CITY_COUNTRIES = {
    city: country_name
    for line in _CITY_COUNTRIES.splitlines()
    for cities, country_name in [line.split("=")]
    for city in cities.split("|")
}
CITIES = frozenset(CITY_COUNTRIES)
# Short names people write for cities ("weather in SF and NYC"), as capitals: never a word written in lower case.
CITY_ABBREVIATIONS = {"SF": "San Francisco", "NYC": "New York", "LA": "Los Angeles", "HK": "Hong Kong"}
_ABBREVIATION = re.compile(r"\b(" + "|".join(CITY_ABBREVIATIONS) + r")\b")


def expand_city_abbreviations(text: str) -> str:
    """The text with the cities' short names written out: "SF and NYC" → "San Francisco and New York"."""
    return _ABBREVIATION.sub(lambda match: CITY_ABBREVIATIONS[match[1]], text) if _ABBREVIATION.search(text) else text


def country_of_city(name: str) -> str | None:
    """The country a known city (a capital of the table, or one of `CITY_COUNTRIES`) is in."""
    capital = capitals().get(name.lower())
    if capital is not None:
        return capital.name
    return next((country for city, country in CITY_COUNTRIES.items() if city.lower() == name.lower()), None)


class Superlative(NamedTuple):
    country: str
    note: str  # what the plain answer would leave out, or ""


# (region, measure) -> the country: area for largest and smallest, people (2024) for most populous. Russia counts
# for Europe; Asia's largest is then the largest country wholly in it.
_SUPERLATIVES = """\
the world|largest|Russia|
the world|smallest|Vatican City|
the world|most populous|India|
Africa|largest|Algeria|
Africa|smallest|Seychelles|
Africa|most populous|Nigeria|
Asia|largest|China|counting only countries wholly in Asia; Russia, across Europe and Asia, is larger
Asia|smallest|Maldives|
Asia|most populous|India|
Europe|largest|Russia|
Europe|smallest|Vatican City|
Europe|most populous|Russia|
North America|largest|Canada|
North America|smallest|Saint Kitts and Nevis|
North America|most populous|United States|
South America|largest|Brazil|
South America|smallest|Suriname|
South America|most populous|Brazil|
Oceania|largest|Australia|
Oceania|smallest|Nauru|
Oceania|most populous|Australia|
"""
_REGION_ALIASES = {"world": "the world", "earth": "the world", "australia": "Oceania"}


@lru_cache(maxsize=1)
def _superlatives() -> dict[tuple[str, str], Superlative]:
    table = {}
    for line in _SUPERLATIVES.splitlines():
        region, measure, name, note = line.split("|")
        table[region.lower(), measure] = Superlative(name, note)
    return table


def superlative(region: str, measure: str) -> tuple[str, Superlative] | None:
    """(the region as written in an answer, its country) for `measure` one of largest, smallest, most populous."""
    key = region.lower().strip()
    key = _REGION_ALIASES.get(key.removeprefix("the "), key)
    found = _superlatives().get((key.lower(), measure))
    if found is None:
        return None
    return ("the world" if key == "the world" else key.title()), found


class Planet(NamedTuple):
    name: str
    order: int
    moons: int
    note: str


PLANETS = (
    Planet("Mercury", 1, 0, "the smallest planet and the closest to the Sun"),
    Planet("Venus", 2, 0, "the hottest planet"),
    Planet("Earth", 3, 1, "the only planet known to host life"),
    Planet("Mars", 4, 2, "the red planet"),
    Planet("Jupiter", 5, 95, "the largest planet"),
    Planet("Saturn", 6, 146, "famous for its rings"),
    Planet("Uranus", 7, 28, "an ice giant tilted on its side"),
    Planet("Neptune", 8, 16, "the farthest planet from the Sun"),
)

ELEMENTS = {
    "hydrogen": "H",
    "helium": "He",
    "lithium": "Li",
    "carbon": "C",
    "nitrogen": "N",
    "oxygen": "O",
    "fluorine": "F",
    "neon": "Ne",
    "sodium": "Na",
    "magnesium": "Mg",
    "aluminium": "Al",
    "aluminum": "Al",
    "silicon": "Si",
    "phosphorus": "P",
    "sulfur": "S",
    "sulphur": "S",
    "chlorine": "Cl",
    "argon": "Ar",
    "potassium": "K",
    "calcium": "Ca",
    "iron": "Fe",
    "nickel": "Ni",
    "copper": "Cu",
    "zinc": "Zn",
    "silver": "Ag",
    "tin": "Sn",
    "iodine": "I",
    "platinum": "Pt",
    "gold": "Au",
    "mercury": "Hg",
    "lead": "Pb",
    "uranium": "U",
    "titanium": "Ti",
    "tungsten": "W",
    "cobalt": "Co",
    "chromium": "Cr",
    "manganese": "Mn",
}


@lru_cache(maxsize=1)
def countries() -> dict[str, Country]:
    """Countries by lower-case name (and common aliases)."""
    table: dict[str, Country] = {}
    for line in _COUNTRIES.splitlines():
        name, capital, currency, continent = line.split("|")
        table[name.lower()] = Country(name, capital, currency, continent)
    for alias, name in _ALIASES.items():
        table[alias] = table[name.lower()]
    return table


@lru_cache(maxsize=1)
def capitals() -> dict[str, Country]:
    return {country.capital.lower(): country for country in countries().values()}


def country(name: str) -> Country | None:
    return countries().get(name.lower().strip().removeprefix("the ").strip()) or countries().get(name.lower().strip())


@lru_cache(maxsize=1)
def country_names() -> re.Pattern[str]:
    """Finds the table's country names (and aliases) in running text, as written."""
    names = sorted({country.name for country in countries().values()}, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(name) for name in names) + r")\b")


@lru_cache(maxsize=1)
def places() -> frozenset[str]:
    """Every place name the table knows, lower case."""
    names = {c.name.lower() for c in countries().values()} | set(capitals()) | {city.lower() for city in CITIES}
    return frozenset(names)


def is_place(name: str) -> bool:
    return name.lower() in places()


def planet(name: str) -> Planet | None:
    return next((p for p in PLANETS if p.name.lower() == name.lower()), None)
