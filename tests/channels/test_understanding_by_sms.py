"""Issue 10, played as the world does: signed SMS to /sms/twilio from fresh numbers, no language
hint, the real Rasa model, action server and booking API. What a person writes in one message
is used at once: the démarche, a cancellation, the day of a move, "which days?"."""

from __future__ import annotations

import datetime

import pytest
from babel.dates import format_date

from tests.support.booking import booking_call
from tests.support.stack import Phone, book_by_sms, stack_with_fakes

pytestmark = pytest.mark.rasa


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with stack_with_fakes(tmp_path_factory.mktemp("stack")) as running:
        yield running


def _no_placeholder(transcript: list[str]) -> None:
    for reply in transcript:
        assert "[" not in reply and "{" not in reply and "None" not in reply, reply


def test_a_lost_permit_said_in_the_first_message_gets_its_demarche_at_the_first_reply(stack):
    phone = Phone.on(stack, "+33611120001")
    first = phone.send("J'ai perdu mon titre de séjour")
    assert any("duplicata" in r for r in first), first
    assert not any("Quelle est votre démarche" in r for r in first), first


def test_an_expiry_said_with_the_request_is_assessed_before_any_booking(stack):
    phone = Phone.on(stack, "+33611120002")
    expiry = datetime.date.today() + datetime.timedelta(days=270)
    text = f"je dois renouveler ma carte de résident, elle expire le {format_date(expiry, 'd MMMM y', locale='fr')}"
    first = phone.send(text)
    assert any("RAPPEL" in r for r in first), first  # too early: the SMS alert is offered
    assert not any("Avez-vous tous ces documents" in r for r in first), first  # no booking yet
    _no_placeholder(first)


def test_cancel_said_in_darija_cancels_after_confirmation(stack):
    settings = stack[0]
    phone = Phone.on(stack, "+33611120003")
    code, transcript = book_by_sms(phone, numero_etranger="7501230003")
    transcript += phone.send("salam عندي موعد f prefecture بغيت نلغيه")
    assert any(code in r for r in transcript[-2:]), "\n".join(transcript)
    assert booking_call(settings.api_url, lambda api: api.verify(code)).valid is True
    transcript += phone.send("1")  # Oui, annuler
    assert booking_call(settings.api_url, lambda api: api.verify(code)).valid is False


def test_a_move_to_thursday_searches_thursday_and_never_confirms_a_placeholder(stack):
    settings = stack[0]
    phone = Phone.on(stack, "+33611120004")
    code, transcript = book_by_sms(phone, numero_etranger="7501230004")
    moved = phone.send("changer mon rdv pour jeudi")
    while moved and "SUITE" in moved[-1]:  # the reply is paged for SMS
        moved += phone.send("SUITE")
    transcript += moved
    # Pref-38 receives this démarche on Mondays: no day question, the nearest slots instead.
    assert not any("Quel jour vous arrange" in r for r in moved), "\n".join(transcript)
    assert any("Jours de réception" in r and "lundi" in r for r in moved), "\n".join(transcript)
    refused = phone.send("non")
    transcript += refused
    assert any("reste inchangé" in r for r in refused), "\n".join(transcript)
    assert not any("C'est d'accord" in r for r in transcript), "\n".join(transcript)
    _no_placeholder(transcript)
    assert booking_call(settings.api_url, lambda api: api.verify(code)).valid is True


def test_which_days_in_the_middle_of_the_form_gives_the_opening_days(stack):
    phone = Phone.on(stack, "+33611120005")
    transcript = phone.send("Je veux renouveler ma carte de résident")
    transcript += phone.send("2")  # J'ai déjà tout
    transcript += phone.send("38000")
    days = phone.send("c koi les jours dispo")
    transcript += days
    assert any("Jours de réception" in r and "lundi" in r for r in days), "\n".join(transcript)
    _no_placeholder(transcript)


def test_a_yes_to_the_rappel_offer_takes_the_alerts_once(stack):
    # As a phone (session 21): "d'accord, vous me prévenez ?" got "not understood"; once
    # answered, "yes" got its "Noted" twice (a follow-up action left Rasa to run it again).
    phone = Phone.on(stack, "+33611120006")
    expiry = datetime.date.today() + datetime.timedelta(days=270)
    text = f"ma carte de résident expire le {format_date(expiry, 'd MMMM y', locale='fr')}"
    assert any("RAPPEL" in r for r in phone.send(text))
    agreed = phone.send("d'accord, vous me prévenez ?")
    assert len([r for r in agreed if "C'est noté" in r]) == 1, agreed
    again = Phone.on(stack, "+33611120007")
    again.send(text)
    agreed = again.send("oui")
    assert len([r for r in agreed if "C'est noté" in r]) == 1, agreed
