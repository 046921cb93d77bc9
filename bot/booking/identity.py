"""Who the applicant is: phone numbers (E.164) and numéros étranger (keyed hash only).

Pure: no database. Anything here that reaches a log must go through `mask_phone` /
`mask_numero_etranger`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

import phonenumbers

from bot.text import ascii_digits

DEFAULT_REGION = "FR"
NUMERO_ETRANGER_DIGITS = 10
NUMERO_ETRANGER_KEPT_DIGITS = 3
_SEPARATORS = re.compile(r"[\s.\-/]")


class InvalidPhone(ValueError):
    pass


class InvalidNumeroEtranger(ValueError):
    pass


# Overseas départements share France's national format (0692…, 0590…) but not its country code:
# a national number that is not valid in metropolitan France is tried there.
OVERSEAS_REGIONS = ("RE", "GP", "MQ", "GF", "YT", "PM")


def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """'06 12 34 56 78', '+33 6…', '0033…', '+44 7…', '0692…' (La Réunion) → E.164;
    raises InvalidPhone otherwise."""
    text = (raw or "").strip()
    if not text or len(text) > 32:
        raise InvalidPhone(raw)
    if text.startswith("00"):
        text = "+" + text[2:]
    # A number in international form is how a channel proves its sender (Twilio's From is E.164):
    # one of a range newer than phonenumbers' metadata was refused at every message, the person
    # told "ce numéro n'est pas valide" about their own phone and never booked (session 30). Its
    # length is checked; a typed national number must still be valid, where typos are caught.
    international = text.startswith("+")
    regions = (
        (region,) if international or region != DEFAULT_REGION else (region, *OVERSEAS_REGIONS)
    )
    for candidate in regions:
        try:
            number = phonenumbers.parse(text, candidate)
        except phonenumbers.NumberParseException as exc:
            raise InvalidPhone(raw) from exc
        if phonenumbers.is_valid_number(number) or (
            international
            and phonenumbers.is_possible_number_with_reason(number)
            == phonenumbers.ValidationResult.IS_POSSIBLE
        ):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise InvalidPhone(raw)


def mask_phone(phone: str | None) -> str:
    """'+33612345678' → '+336******78': enough to tell two people apart in a log, no more."""
    if not phone:
        return "-"
    if len(phone) <= 6:
        return "*" * len(phone)
    return phone[:4] + "*" * (len(phone) - 6) + phone[-2:]


@dataclass(frozen=True)
class NumeroEtranger:
    """What we keep of a numéro étranger: its keyed hash and its last digits."""

    hash: str
    last_digits: str


def normalise_numero_etranger(raw: str) -> str:
    # Arabic-Indic and Persian digits are the same numéro: hashed as typed, "١٢٣…" escaped the
    # one-booking-per-numéro rule and could not be found by a release typed from the card.
    # Other "digits" str.isdigit() takes ("²") are no numéro at all.
    digits = ascii_digits(_SEPARATORS.sub("", (raw or "").strip()))
    if len(digits) != NUMERO_ETRANGER_DIGITS or not (digits.isascii() and digits.isdigit()):
        raise InvalidNumeroEtranger("a numéro étranger has exactly 10 digits")
    if len(set(digits)) == 1:
        # '0000000000' is what people type to get past a form; it identifies nobody.
        raise InvalidNumeroEtranger("a numéro étranger cannot repeat one digit")
    return digits


def protect_numero_etranger(raw: str, secret_key: str) -> NumeroEtranger:
    digits = normalise_numero_etranger(raw)
    digest = hmac.new(secret_key.encode(), digits.encode(), hashlib.sha256).hexdigest()
    return NumeroEtranger(hash=digest, last_digits=digits[-NUMERO_ETRANGER_KEPT_DIGITS:])


def mask_numero_etranger(last_digits: str | None) -> str:
    if not last_digits:
        return "-"
    return "*" * (NUMERO_ETRANGER_DIGITS - len(last_digits)) + last_digits
