"""Deadlines: filing windows, status, rights kept — month ends and leap years included."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.catalogue import get_catalogue
from bot.deadlines import DeadlineStatus, NoDeadline, add_months, assess

EARLY, ON_TIME, LATE, EXPIRED = (
    DeadlineStatus.EARLY,
    DeadlineStatus.ON_TIME,
    DeadlineStatus.LATE,
    DeadlineStatus.EXPIRED,
)

ADD_MONTHS = [
    (date(2025, 5, 31), -2, date(2025, 3, 31)),
    (date(2024, 4, 30), -2, date(2024, 2, 29)),  # leap year
    (date(2025, 4, 30), -2, date(2025, 2, 28)),
    (date(2100, 4, 30), -2, date(2100, 2, 28)),  # divisible by 100: not leap
    (date(2000, 4, 30), -2, date(2000, 2, 29)),  # divisible by 400: leap
    (date(2024, 3, 31), -1, date(2024, 2, 29)),
    (date(2025, 1, 31), -1, date(2024, 12, 31)),  # across the year
    (date(2025, 2, 15), -14, date(2023, 12, 15)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2024, 11, 30), 3, date(2025, 2, 28)),
    (date(2023, 11, 30), 3, date(2024, 2, 29)),
    (date(2025, 7, 31), 2, date(2025, 9, 30)),
    (date(2025, 6, 15), 0, date(2025, 6, 15)),
]


@pytest.mark.parametrize(
    ("day", "months", "expected"), ADD_MONTHS, ids=[f"{d}{m:+d}" for d, m, _ in ADD_MONTHS]
)
def test_add_months_clamps_to_the_month_end(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


D = date
# (démarche, expiry, today) → (window opens, window closes, status, rights end)
# fmt: off
ASSESSMENTS = [
    # Carte de résident: file in the 2 months before expiry; rights kept 3 months after.
    ("carte_resident_renouvellement", D(2025, 5, 31), D(2025, 3, 30), D(2025, 3, 31), D(2025, 5, 31), EARLY, D(2025, 8, 31)),
    ("carte_resident_renouvellement", D(2025, 5, 31), D(2025, 3, 31), D(2025, 3, 31), D(2025, 5, 31), ON_TIME, D(2025, 8, 31)),
    ("carte_resident_renouvellement", D(2025, 5, 31), D(2025, 5, 31), D(2025, 3, 31), D(2025, 5, 31), ON_TIME, D(2025, 8, 31)),
    ("carte_resident_renouvellement", D(2025, 5, 31), D(2025, 6, 1), D(2025, 3, 31), D(2025, 5, 31), EXPIRED, D(2025, 8, 31)),
    ("carte_resident_renouvellement", D(2023, 11, 30), D(2023, 12, 1), D(2023, 9, 30), D(2023, 11, 30), EXPIRED, D(2024, 2, 29)),
    ("carte_resident_renouvellement", D(2024, 11, 30), D(2024, 10, 1), D(2024, 9, 30), D(2024, 11, 30), ON_TIME, D(2025, 2, 28)),
    # Carte "conjoint de Français": same window, no extra time after expiry.
    ("conjoint_francais_renouvellement", D(2024, 4, 30), D(2024, 2, 28), D(2024, 2, 29), D(2024, 4, 30), EARLY, D(2024, 4, 30)),
    ("conjoint_francais_renouvellement", D(2024, 4, 30), D(2024, 2, 29), D(2024, 2, 29), D(2024, 4, 30), ON_TIME, D(2024, 4, 30)),
    ("conjoint_francais_renouvellement", D(2025, 4, 30), D(2025, 2, 28), D(2025, 2, 28), D(2025, 4, 30), ON_TIME, D(2025, 4, 30)),
    ("conjoint_francais_renouvellement", D(2025, 1, 15), D(2025, 1, 16), D(2024, 11, 15), D(2025, 1, 15), EXPIRED, D(2025, 1, 15)),
    # Récépissé: 1 month before.
    ("recepisse_renouvellement", D(2024, 3, 31), D(2024, 2, 28), D(2024, 2, 29), D(2024, 3, 31), EARLY, D(2024, 3, 31)),
    ("recepisse_renouvellement", D(2024, 3, 31), D(2024, 3, 10), D(2024, 2, 29), D(2024, 3, 31), ON_TIME, D(2024, 3, 31)),
    # ANEF: between day 120 and day 60 before expiry; after day 60 the person is late.
    ("etudiant_renouvellement", D(2024, 6, 29), D(2024, 2, 29), D(2024, 3, 1), D(2024, 4, 30), EARLY, D(2024, 6, 29)),
    ("etudiant_renouvellement", D(2024, 6, 29), D(2024, 3, 1), D(2024, 3, 1), D(2024, 4, 30), ON_TIME, D(2024, 6, 29)),
    ("etudiant_renouvellement", D(2024, 6, 29), D(2024, 4, 30), D(2024, 3, 1), D(2024, 4, 30), ON_TIME, D(2024, 6, 29)),
    ("etudiant_renouvellement", D(2024, 6, 29), D(2024, 5, 1), D(2024, 3, 1), D(2024, 4, 30), LATE, D(2024, 6, 29)),
    ("etudiant_renouvellement", D(2024, 6, 29), D(2024, 6, 29), D(2024, 3, 1), D(2024, 4, 30), LATE, D(2024, 6, 29)),
    ("etudiant_renouvellement", D(2024, 6, 29), D(2024, 6, 30), D(2024, 3, 1), D(2024, 4, 30), EXPIRED, D(2024, 6, 29)),
    ("etudiant_renouvellement", D(2025, 6, 29), D(2025, 3, 1), D(2025, 3, 1), D(2025, 4, 30), ON_TIME, D(2025, 6, 29)),
    ("passeport_talent", D(2025, 1, 1), D(2024, 12, 1), D(2024, 9, 3), D(2024, 11, 2), LATE, D(2025, 1, 1)),
]
# fmt: on


@pytest.mark.parametrize(
    ("code", "expiry", "today", "opens", "closes", "status", "rights_end"),
    ASSESSMENTS,
    ids=[f"{a[0]}-{a[1]}-{a[2]}" for a in ASSESSMENTS],
)
def test_assess(
    code: str,
    expiry: date,
    today: date,
    opens: date,
    closes: date,
    status: DeadlineStatus,
    rights_end: date,
) -> None:
    result = assess(expiry, code, today)
    assert (result.window_opens, result.window_closes, result.status, result.rights_end) == (
        opens,
        closes,
        status,
        rights_end,
    )
    assert result.sources


def test_carte_de_resident_keeps_rights_three_months_then_loses_them() -> None:
    expiry = date(2025, 5, 31)
    assert assess(expiry, "carte_resident_renouvellement", date(2025, 8, 31)).rights_kept
    later = assess(expiry, "carte_resident_renouvellement", date(2025, 9, 1))
    assert not later.rights_kept and later.days_until_rights_end == -1
    assert later.kept_rights == "three_months_with_proof"
    assert (
        assess(expiry, "conjoint_francais_renouvellement", date(2025, 6, 1)).kept_rights
        == "no_extra_time"
    )


@pytest.mark.parametrize(
    "code", ["naturalisation", "carte_grise", "remise_titre", "vpf_premiere_demande"]
)
def test_demarches_without_window(code: str) -> None:
    with pytest.raises(NoDeadline):
        assess(date(2025, 1, 1), code, date(2024, 12, 1))


def test_unknown_demarche() -> None:
    with pytest.raises(KeyError):
        assess(date(2025, 1, 1), "visa_touriste", date(2024, 12, 1))


def test_render_writes_dates_in_the_language() -> None:
    result = assess(date(2025, 5, 31), "carte_resident_renouvellement", date(2025, 3, 1))
    french = result.render("fr")
    assert "31 mars 2025" in french and "31 août 2025" in french
    assert "2025" in result.render("en") and "2025" in result.render("ar")


WINDOWED = sorted(code for code, d in get_catalogue().demarches.items() if d.deadline is not None)


@given(
    code=st.sampled_from(WINDOWED),
    expiry=st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
    offset=st.integers(min_value=-400, max_value=400),
)
def test_window_is_ordered_and_status_consistent(code: str, expiry: date, offset: int) -> None:
    today = expiry + timedelta(days=offset)
    result = assess(expiry, code, today)
    assert result.window_opens <= result.window_closes <= result.expiry <= result.rights_end
    expected = (
        EARLY
        if today < result.window_opens
        else ON_TIME
        if today <= result.window_closes
        else LATE
        if today <= expiry
        else EXPIRED
    )
    assert result.status is expected
