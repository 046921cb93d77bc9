"""Issue 10, PREUVE in plain words: the count agrees with its noun, each search says what was
asked, the référé « mesures utiles » is explained, and whether the searches span weeks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.booking.proof import ProofEntry, ProofJournal
from bot.scheduler.replies import proof_text


def journal(*moments: datetime, part: str | None = None) -> ProofJournal:
    entries = [
        ProofEntry(
            m,
            "Renouvellement carte de résident",
            "Préfecture de la Dordogne",
            date(2026, 1, 21),
            date(2026, 2, 28),
            part,
        )
        for m in moments
    ]
    return ProofJournal("+336******78", "-", entries)


def test_one_search_is_singular_and_says_what_was_asked():
    text = proof_text(journal(datetime(2026, 1, 12, 8, tzinfo=UTC), part="morning"), "fr")
    assert text.startswith("1 recherche sans créneau enregistrée, du lundi 12 janvier 2026")
    assert "1 recherches" not in text
    assert "du mercredi 21 janvier 2026 au samedi 28 février 2026, le matin" in text
    assert "référé « mesures utiles »" in text and "L521-3" in text
    assert "même semaine" in text and "435594" in text


def test_searches_over_different_weeks_are_said_to_be_spread():
    text = proof_text(
        journal(datetime(2026, 1, 12, 8, tzinfo=UTC), datetime(2026, 1, 20, 8, tzinfo=UTC)), "fr"
    )
    assert "2 semaines différentes" in text


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_proof_is_translated(lang):
    text = proof_text(journal(datetime(2026, 1, 12, 8, tzinfo=UTC)), lang)
    assert "recherche" not in text and "L521-3" in text and "435594" in text
