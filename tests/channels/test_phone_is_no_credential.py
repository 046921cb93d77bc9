"""A phone number is never a credential (session 22, found by an attacker's test): typing
someone else's number, by SMS or on Telegram, must not read, cancel or book their appointment.
Played as the world does: signed SMS, Telegram updates with the secret, the real Rasa model,
action server and booking API; only Twilio's and Telegram's servers are played locally."""

from __future__ import annotations

import pytest

from tests.support.booking import booking_call
from tests.support.stack import (
    CODE,
    Phone,
    TelegramUser,
    book_by_sms,
    stack_with_fakes,
    telegram_until_the_phone,
)

pytestmark = pytest.mark.rasa

VICTIM = "+33611120071"
VICTIM_TYPED = "06 11 12 00 71"
ATTACKER = "+33611120072"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with stack_with_fakes(tmp_path_factory.mktemp("stack")) as running:
        yield running


def test_a_number_typed_by_sms_neither_shows_nor_cancels_its_appointment(stack):
    settings = stack[0]
    code, _ = book_by_sms(Phone.on(stack, VICTIM), numero_etranger="7501230071")
    attacker = Phone.on(stack, ATTACKER)
    transcript = attacker.send("Bonjour")
    transcript += attacker.send("1")  # Français
    transcript += attacker.send(f"Je veux annuler mon rendez-vous, mon numéro est {VICTIM_TYPED}")
    transcript += attacker.send("1")  # "oui", had anything been asked
    assert not any(code in reply for reply in transcript), "\n".join(transcript)
    assert booking_call(settings.api_url, lambda api: api.verify(code)).valid is True


def test_a_number_typed_in_the_booking_form_books_for_the_sender(stack):
    settings = stack[0]
    sender = "+33611120073"
    someone = "06 11 12 00 74"
    phone = Phone.on(stack, sender)
    for text in (
        "Bonjour",
        "1",
        f"Je veux renouveler ma carte de résident. Mon téléphone : {someone}",
        "2",
        "38000",
        "lundi",
        "1",
        "7501230073",
    ):
        transcript = phone.send(text)
    transcript += phone.send("1")  # Oui, je réserve
    match = CODE.search("\n".join(transcript))
    assert match, transcript
    mine = booking_call(settings.api_url, lambda api: api.my_bookings(sender))
    theirs = booking_call(settings.api_url, lambda api: api.my_bookings("+33611120074"))
    assert [b.display_code for b in mine] == [match.group(1)]
    assert theirs == []


def test_on_telegram_a_typed_number_is_refused_and_the_shared_contact_taken(stack):
    _settings, _rasa, gateway, _twilio, telegram_api = stack
    user = TelegramUser(gateway, telegram_api, 7171)
    sent = telegram_until_the_phone(user, language=1)  # Français
    asked = sent[-1]
    assert "Partager mon numéro" in asked["text"], sent
    typed = user.say(VICTIM_TYPED)
    assert any("je ne prends pas un numéro écrit" in m["text"] for m in typed), typed
    sent = user.share_contact(typed, "+33611120075")
    assert any("numéro étranger" in m["text"] for m in sent), sent
