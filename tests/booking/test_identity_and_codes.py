"""Phones, numéros étranger and convocation codes (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.booking.codes import (
    ALPHABET,
    CODE_LENGTH,
    display_code,
    is_well_formed,
    new_code,
    normalise_code,
)
from bot.booking.identity import (
    InvalidNumeroEtranger,
    InvalidPhone,
    mask_numero_etranger,
    mask_phone,
    normalise_phone,
    protect_numero_etranger,
)


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("+44 7911 123456", "+447911123456"),
        ("+213 551 23 45 67", "+213551234567"),
        ("0692 12 34 56", "+262692123456"),  # La Réunion, typed the French way
        ("0590 12 34 56", "+590590123456"),  # Guadeloupe
        # International (a channel's E.164 From): its length checked, not phonenumbers' list of
        # ranges, which lags behind new ones (07700 900xxx is not "valid" there).
        ("+44 7700 900123", "+447700900123"),
    ],
)
def test_phone_numbers_are_normalised_to_e164(raw, e164):
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize(
    "raw",
    ["", "123", "06 12", "hello", "+33 6 12 34 56 78 90 12", "x" * 1000, "+1 555 0100", "+33 1"],
)
def test_invalid_phone_numbers_are_refused(raw):
    with pytest.raises(InvalidPhone):
        normalise_phone(raw)


def test_masks_keep_only_the_ends():
    assert mask_phone("+33612345678") == "+336******78"
    assert mask_phone(None) == "-"
    assert mask_numero_etranger("890") == "*******890"


def test_numero_etranger_is_a_keyed_hash_with_the_last_digits():
    one = protect_numero_etranger("12 3456 7890", "key-1")
    assert one.last_digits == "890" and len(one.hash) == 64 and "1234567890" not in one.hash
    assert protect_numero_etranger("1234567890", "key-1") == one
    assert protect_numero_etranger("1234567890", "key-2").hash != one.hash
    # The same numéro in Arabic-Indic or Persian digits is the same person (decision 0024).
    assert protect_numero_etranger("١٢٣٤٥٦٧٨٩٠", "key-1") == one
    assert protect_numero_etranger("۱۲۳ ۴۵۶ ۷۸۹۰", "key-1") == one


@pytest.mark.parametrize(
    "raw", ["123456789", "12345678901", "12345abcde", "0000000000", "", "123456789²", "٠٠٠٠٠٠٠٠٠٠"]
)
def test_invalid_numeros_etranger_are_refused(raw):
    with pytest.raises(InvalidNumeroEtranger):
        protect_numero_etranger(raw, "key")


def test_codes_use_an_unambiguous_alphabet():
    assert not set("0O1IL") & set(ALPHABET)
    for _ in range(200):
        code = new_code()
        assert len(code) == CODE_LENGTH and set(code) <= set(ALPHABET) and is_well_formed(code)


def test_codes_are_typed_the_way_people_type_them():
    code = new_code()
    assert normalise_code(f" {code[:4].lower()}-{code[4:]} ") == code
    assert display_code(code) == f"{code[:4]}-{code[4:]}"


@given(st.data())
def test_every_single_typo_and_neighbour_swap_is_caught(data):
    code = new_code()
    position = data.draw(st.integers(0, CODE_LENGTH - 1))
    other = data.draw(st.sampled_from([c for c in ALPHABET if c != code[position]]))
    assert not is_well_formed(code[:position] + other + code[position + 1 :])
    swap = data.draw(st.integers(0, CODE_LENGTH - 2))
    if code[swap] != code[swap + 1]:
        assert not is_well_formed(code[:swap] + code[swap + 1] + code[swap] + code[swap + 2 :])
