"""Routing: every démarche reachable, every ambiguity resolved by one question of ≤ 3 options."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping

import pytest

from bot.catalogue import get_catalogue
from bot.i18n import SUPPORTED_LANGUAGES
from bot.routing import MAX_OPTIONS, RouteStatus, route

TOPICS = (None, "nationality", "vehicle", "driving_licence", "work", "admission_exceptionnelle")
KINDS = (None, "renewal", "first", "pickup", "lost")
TITLES = (
    None,
    "carte_resident",
    "conjoint_francais",
    "etudiant",
    "vpf",
    "talent",
    "recepisse",
    "titre",
)

# What people say (Rasa entities) → the one démarche it means.
RESOLVED: list[tuple[dict[str, str], str]] = [
    (
        {"procedure_kind": "renewal", "title_type": "carte_resident"},
        "carte_resident_renouvellement",
    ),
    (
        {"procedure_kind": "renewal", "title_type": "conjoint_francais"},
        "conjoint_francais_renouvellement",
    ),
    ({"procedure_kind": "renewal", "title_type": "vpf"}, "vpf_renouvellement"),
    ({"procedure_kind": "first", "title_type": "vpf"}, "vpf_premiere_demande"),
    ({"procedure_kind": "first", "title_type": "conjoint_francais"}, "vpf_premiere_demande"),
    ({"topic": "admission_exceptionnelle"}, "admission_exceptionnelle"),
    ({"procedure_kind": "renewal", "title_type": "etudiant"}, "etudiant_renouvellement"),
    ({"title_type": "talent", "procedure_kind": "renewal"}, "passeport_talent"),
    ({"procedure_kind": "first", "title_type": "talent"}, "passeport_talent"),
    ({"topic": "work", "procedure_kind": "renewal"}, "passeport_talent"),
    ({"topic": "nationality"}, "naturalisation"),
    ({"topic": "vehicle"}, "carte_grise"),
    ({"topic": "driving_licence"}, "commission_medicale_permis"),
    ({"procedure_kind": "pickup"}, "remise_titre"),
    ({"procedure_kind": "pickup", "title_type": "carte_resident"}, "remise_titre"),
    ({"procedure_kind": "lost"}, "duplicata_titre"),
    ({"procedure_kind": "lost", "title_type": "titre"}, "duplicata_titre"),
    ({"procedure_kind": "renewal", "title_type": "recepisse"}, "recepisse_renouvellement"),
    # Values Rasa may send in another case or with spaces; unknown keys are ignored.
    ({"topic": " Vehicle ", "mood": "tired"}, "carte_grise"),
]

# Ambiguous facts → the question asked and the options offered.
QUESTIONS: list[tuple[dict[str, str], str, list[str]]] = [
    ({}, "subject", ["residence", "nationality", "road"]),
    ({"topic": "road"}, "road", ["vehicle", "driving_licence"]),
    ({"title_type": "titre"}, "procedure", ["renewal", "first", "pickup_or_lost"]),
    (
        {"procedure_kind": "renewal"},
        "title",
        ["carte_resident", "conjoint_francais", "other_title"],
    ),
    (
        {"procedure_kind": "renewal", "title_type": "other_title"},
        "other_title",
        ["etudiant", "talent", "recepisse", "vpf"],
    ),
    ({"procedure_kind": "first"}, "title", ["conjoint_francais", "other_title", "none"]),
    ({"procedure_kind": "first", "title_type": "other_title"}, "other_title", ["talent", "vpf"]),
    ({"procedure_kind": "pickup_or_lost"}, "pickup_or_lost", ["pickup", "lost"]),
    ({"title_type": "carte_resident"}, "procedure", ["renewal", "pickup_or_lost"]),
    # A student may also have lost the title or be collecting it.
    ({"title_type": "etudiant"}, "procedure", ["renewal", "pickup_or_lost"]),
    ({"topic": "work"}, "procedure", ["renewal", "first", "pickup_or_lost"]),
    # An unknown value is no information: the first question is asked again.
    ({"topic": "spaceship"}, "subject", ["residence", "nationality", "road"]),
]

NOT_COVERED: list[dict[str, str]] = [
    {"procedure_kind": "first", "title_type": "etudiant"},
    {"procedure_kind": "first", "title_type": "carte_resident"},
]


@pytest.mark.parametrize(("facts", "expected"), RESOLVED, ids=[e for _, e in RESOLVED])
def test_facts_resolve_to_one_demarche(facts: dict[str, str], expected: str) -> None:
    result = route(facts)
    assert result.status is RouteStatus.RESOLVED, result.candidates
    assert result.demarche is not None and result.demarche.code == expected
    assert result.next_steps


def test_every_demarche_is_reachable_from_entities() -> None:
    assert {code for _, code in RESOLVED} == set(get_catalogue().demarches)


@pytest.mark.parametrize(
    ("facts", "question", "options"), QUESTIONS, ids=[q[1] + str(q[0]) for q in QUESTIONS]
)
def test_ambiguity_asks_one_question(
    facts: dict[str, str], question: str, options: list[str]
) -> None:
    result = route(facts)
    assert result.status is RouteStatus.QUESTION
    assert result.question is not None and result.question.id == question
    assert [o.value for o in result.question.options] == options


@pytest.mark.parametrize("facts", NOT_COVERED, ids=str)
def test_uncovered_situations_say_so(facts: dict[str, str]) -> None:
    result = route(facts)
    assert result.status is RouteStatus.NOT_COVERED and result.demarche is None
    assert "Point d'Accueil Numérique" in result.render("fr")


def _answer(facts: Mapping[str, str], payload: str) -> dict[str, str]:
    """What the dialogue does with a button: parse the `/inform{...}` payload into facts."""
    assert payload.startswith("/inform{")
    return {**facts, **json.loads(payload[len("/inform") :])}


def _walk(facts: dict[str, str], depth: int = 0) -> set[str]:
    """Follows every option; checks each question on the way. Returns the démarches reached."""
    assert depth <= 4, f"more than 4 questions for {facts}"
    result = route(facts)
    if result.status is RouteStatus.RESOLVED:
        assert result.demarche is not None
        return {result.demarche.code}
    if result.status is RouteStatus.NOT_COVERED:
        return set()
    question = result.question
    assert question is not None
    assert 2 <= len(question.options) <= MAX_OPTIONS, (facts, question.id)
    reached: set[str] = set()
    outcomes = set()
    for option in question.options:
        after = route(_answer(facts, option.payload))
        # Each answer narrows: strictly fewer candidates, all among the current ones.
        assert set(after.candidates) < set(result.candidates) or len(result.candidates) == 1
        assert set(after.candidates) <= set(result.candidates)
        outcomes.add(tuple(after.candidates))
        reached |= _walk(_answer(facts, option.payload), depth + 1)
    # Two answers may lead to the same démarche (first request or renewal of a passeport
    # talent are both ANEF), but the question must split the candidates.
    assert len(outcomes) >= 2, f"{question.id} does not split {result.candidates}"
    return reached


def test_every_demarche_is_reachable_by_answering_questions() -> None:
    assert _walk({}) == set(get_catalogue().demarches)


def test_every_entity_combination_ends_resolved_or_not_covered() -> None:
    for topic, kind, title in itertools.product(TOPICS, KINDS, TITLES):
        facts = {
            k: v
            for k, v in (("topic", topic), ("procedure_kind", kind), ("title_type", title))
            if v
        }
        _walk(facts)


def test_questions_render_in_every_language() -> None:
    question = route({}).question
    assert question is not None
    for lang in SUPPORTED_LANGUAGES:
        assert question.render(lang)
        assert all(option.render(lang) for option in question.options)


# -- next steps -----------------------------------------------------------------------------


def _kinds(facts: dict[str, str], site: str | None) -> list[str]:
    return [step.kind for step in route(facts, site=site).next_steps]


NEXT_STEPS: list[tuple[dict[str, str], str | None, list[str]]] = [
    ({"procedure_kind": "renewal", "title_type": "carte_resident"}, None, ["book_ask_site"]),
    ({"procedure_kind": "renewal", "title_type": "carte_resident"}, "pref-24", ["book"]),
    ({"procedure_kind": "renewal", "title_type": "carte_resident"}, "pref-38", ["book_request"]),
    ({"procedure_kind": "renewal", "title_type": "etudiant"}, None, ["online"]),
    (
        {"procedure_kind": "renewal", "title_type": "etudiant"},
        "pref-38",
        ["online", "campus_desk", "pan"],
    ),
    ({"procedure_kind": "renewal", "title_type": "etudiant"}, "pref-93", ["online", "pan"]),
    ({"topic": "work", "procedure_kind": "renewal"}, "pref-38", ["online", "email", "pan"]),
    ({"topic": "nationality"}, None, ["online"]),
    ({"topic": "vehicle"}, "pref-24", ["online", "pan"]),
    ({"procedure_kind": "pickup"}, "pref-38", ["walk_in"]),
    ({"procedure_kind": "pickup"}, None, ["walk_in_generic"]),
    ({"topic": "driving_licence"}, "pref-93", ["book"]),
]


@pytest.mark.parametrize(
    ("facts", "site", "kinds"), NEXT_STEPS, ids=[f"{n[0]}@{n[1]}" for n in NEXT_STEPS]
)
def test_next_steps(facts: dict[str, str], site: str | None, kinds: list[str]) -> None:
    assert _kinds(facts, site) == kinds


def test_online_steps_name_the_official_site() -> None:
    urls = {
        "naturalisation": ({"topic": "nationality"}, "natali.interieur.gouv.fr"),
        "carte_grise": ({"topic": "vehicle"}, "ants.gouv.fr"),
        "etudiant": (
            {"title_type": "etudiant", "procedure_kind": "renewal"},
            "administration-etrangers-en-france.interieur.gouv.fr",
        ),
    }
    for facts, domain in urls.values():
        assert domain in route(facts).render("fr")


def test_isere_walk_in_hours_are_rendered_in_each_language() -> None:
    result = route({"procedure_kind": "pickup"}, site="pref-38")
    assert "lundi, mardi, mercredi, vendredi 9 h 00–11 h 00" in result.render("fr")
    step = result.next_steps[0]
    from bot.routing import render_params

    assert (
        render_params(step.params, "en")["hours"]
        == "Monday, Tuesday, Wednesday, Friday 9:00 AM–11:00 AM"
    )
    assert "الاثنين" in str(render_params(step.params, "ar")["hours"])
    assert "إيزير" in str(render_params(step.params, "ar")["place"])


def test_site_not_offering_a_demarche_points_to_its_website() -> None:
    catalogue = get_catalogue()
    site = catalogue.sites["pref-24"]
    trimmed = type(site)(
        **{**site.__dict__, "demarches": [d for d in site.demarches if d != "duplicata_titre"]}
    )
    result = route({"procedure_kind": "lost"}, site=trimmed)
    assert [s.kind for s in result.next_steps] == ["book_elsewhere"]
    assert "dordogne.gouv.fr" in result.render("fr")
