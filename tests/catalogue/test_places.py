"""Resolving what people type to a département and the demo préfecture there."""

from __future__ import annotations

import pytest

from bot.catalogue import resolve_departement, resolve_site
from bot.catalogue.places import departement_of_postal_code, place_key, resolve_departements

SITES = [
    ("38", ["pref-38"]),
    ("isere", ["pref-38"]),
    ("ISÈRE", ["pref-38"]),
    ("Grenoble", ["pref-38"]),
    ("38000", ["pref-38"]),
    ("38 100", ["pref-38"]),
    ("38320", ["pref-38"]),  # any postal code of the département
    ("département 38", ["pref-38"]),
    ("j'habite à Grenoble", ["pref-38"]),
    ("غرونوبل", ["pref-38"]),
    ("24", ["pref-24"]),
    ("Perigueux", ["pref-24"]),
    ("dordogne", ["pref-24"]),
    ("93", ["pref-93"]),
    ("Seine-Saint-Denis", ["pref-93"]),
    ("seine st denis", ["pref-93"]),
    ("93000", ["pref-93"]),
    ("9-3", ["pref-93"]),
    ("Bobigny", ["pref-93"]),
    # No demo préfecture there.
    ("69", []),
    ("lyon", []),
    ("75011", []),
    ("", []),
    ("hello", []),
    ("99", []),
]


@pytest.mark.parametrize(("text", "expected"), SITES)
def test_resolve_site(text: str, expected: list[str]) -> None:
    assert [site.code for site in resolve_site(text)] == expected


DEPARTEMENTS = [
    ("1", "01"),
    ("01000", "01"),
    ("2a", "2A"),
    ("20000", "2A"),
    ("20200", "2B"),
    ("Haute-Corse", "2B"),
    ("974", "974"),
    ("97400", "974"),
    ("Cote d'Or", "21"),
    ("côtes-d'armor", "22"),
    ("Val-d'Oise", "95"),
    ("Lyon", "69"),
    ("saint etienne", "42"),
    # Towns in the scripts of the languages added in issue 12 (departements.yml `aliases`),
    # Cyrillic ones in their case forms too.
    ("Париж", "75"),
    ("Парижі", "75"),  # uk locative: "у Парижі"
    ("Ліон", "69"),
    ("Лионе", "69"),  # ru prepositional: "в Лионе"
    ("Ніцці", "06"),
    ("Ниццы", "06"),  # ru genitive: "из Ниццы"
    ("Тулузі", "31"),
    ("Марселе", "13"),
    ("Страсбурзі", "67"),  # uk г → з: listed as an alias
    ("Бордо", "33"),  # does not decline
    ("Гренобле", "38"),
    ("Монпельє", "34"),
    ("Сен-Сен-Дені", "93"),
    ("پاریس", "75"),
    ("پاريس", "75"),  # Arabic ي typed for Persian ی
    ("مارسی", "13"),
    ("巴黎", "75"),
    ("马赛", "13"),
    ("图卢兹", "31"),
]


@pytest.mark.parametrize(("text", "code"), DEPARTEMENTS)
def test_resolve_departement(text: str, code: str) -> None:
    found = resolve_departement(text)
    assert found is not None and found.code == code


def test_long_sentences_are_not_searched_for_place_names() -> None:
    # "lot", "var" and "cher" are départements; a long sentence must not match them by accident.
    sentence = "I have a lot of papers and my cher ami says the var is not fine at all today"
    assert resolve_departements(sentence) == []


@pytest.mark.parametrize(
    ("key", "forms"),
    [
        ("париж", {"парижа", "парижі", "париже", "парижем"}),
        ("марсель", {"марселя", "марселі", "марселе"}),
        ("тулуза", {"тулузи", "тулузы", "тулузі", "тулузе", "тулузу"}),
    ],
)
def test_cyrillic_case_forms(key: str, forms: set[str]) -> None:
    from bot.catalogue.places import cyrillic_case_forms

    assert forms <= set(cyrillic_case_forms(key))


@pytest.mark.parametrize("key", ["бордо", "монпельє", "paris", "巴 黎", "сен сен дені"])
def test_names_that_do_not_decline(key: str) -> None:
    from bot.catalogue.places import cyrillic_case_forms

    assert cyrillic_case_forms(key) == ()


def test_postal_code_outside_any_departement() -> None:
    assert departement_of_postal_code("97500") is None
    assert departement_of_postal_code("3800") is None


def test_fold() -> None:
    assert place_key("Côte-d'Or") == "cote d or"
    assert place_key("  St-Étienne ") == "saint etienne"
