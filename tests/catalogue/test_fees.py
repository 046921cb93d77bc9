"""Issue 10, facts: fees are named where a démarche has one, with an official source; "free" is
said only of booking."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.catalogue import CatalogueError, get_catalogue, load_catalogue
from bot.catalogue.loader import CATALOGUE_DIR
from bot.catalogue.messages import NEXT_STEPS
from bot.i18n import SUPPORTED_LANGUAGES, translate
from bot.responses import RESPONSES
from bot.routing import route

FREE = re.compile(r"gratuit|\bfree\b|مجان", re.IGNORECASE)


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize(
    ("facts", "amount"), [({"topic": "nationality"}, "55"), ({"topic": "vehicle"}, None)]
)
def test_online_doors_name_the_fee_and_never_say_free(facts, amount, lang):
    text = route(facts).render(lang)
    assert not FREE.search(text), text
    demarche = route(facts).demarche
    assert demarche.fee is not None
    assert demarche.fee.pays(lang) in text
    if amount:
        assert amount in text


def test_every_fee_has_an_official_source_and_a_check_date():
    catalogue = get_catalogue()
    fees = {code: d.fee for code, d in catalogue.demarches.items() if d.fee}
    assert {"naturalisation", "carte_grise", "carte_resident_renouvellement"} <= set(fees)
    for fee in fees.values():
        assert fee.checked
        assert all(s not in catalogue.sources.seeds for s in fee.provenance.sources)


def test_free_is_said_only_of_booking_and_help():
    """Every sentence that says free speaks of the appointment or of free help (PAN, Défenseur)."""
    sentences = [r.text for r in RESPONSES.values()] + list(NEXT_STEPS.values())
    for sentence in sentences:
        for lang in SUPPORTED_LANGUAGES:
            text = translate(sentence, lang) if "{" not in sentence else sentence
            if FREE.search(text):
                assert re.search(r"rendez-vous|médiateur|mediator|appointment|موعد|وسيط", text), (
                    text
                )


def test_the_validator_refuses_a_fee_from_a_seed_alone(tmp_path: Path):
    for path in CATALOGUE_DIR.glob("*.yml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    demarches = tmp_path / "demarches.yml"
    text = demarches.read_text(encoding="utf-8")
    demarches.write_text(
        text.replace(
            "source: [ants.gouv.fr, service-public.fr]", "source: 002_15568d8a3b154eb0.txt"
        ),
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError, match="official site"):
        load_catalogue(tmp_path)
