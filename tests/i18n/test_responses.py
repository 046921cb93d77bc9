"""The response registry renders every response, in every language, short enough for SMS."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re

import pytest

from bot.channels.gsm7 import fold_to_gsm7, sms_info
from bot.channels.shaping import FOLDED_LANGUAGES
from bot.formatting import FSI, LRM, PDI, RLM
from bot.i18n import LANGUAGE_NAMES, SUPPORTED_LANGUAGES, placeholders
from bot.language_menu import OTHER_LANGUAGE, SHORT_MENU
from bot.responses import (
    COMMON_PARAMS,
    MISSING_RESPONSE,
    RESPONSES,
    Button,
    Response,
    render,
    render_text,
)
from bot.words import Word, word_of
from tests.nlu.training_files import INTENTS

# Button payloads must name an intent of the domain (one list: tests/nlu/training_files.py).
WHEN = dt.datetime(2025, 1, 14, 13, 20, tzinfo=dt.UTC)
# Realistic values (long ones, to keep the SMS length check honest); anything else gets TEXT.
SAMPLES: dict[str, object] = {
    "date": WHEN,
    "when": WHEN,
    "slot_time": WHEN,
    "expiry_date": WHEN.date(),
    "code": "K7P2QX4M",
    "booking_code": "K7P2QX4M",
    "count": 12,
    "horizon_days": 60,
    "site_name": "Préfecture de la Seine-Saint-Denis",
    "phone": "06 12 34 56 78",
    "opening_days": "mardi 14 h 00–16 h 00",
    "window_start": WHEN.date(),
    "window_end": (WHEN + dt.timedelta(days=60)).date(),
}
TEXT = "Préfecture de l'Isère"
# Answers stating an appointment's démarche, date, place and address (what the person asked
# for): in a UCS-2 language (Arabic, Cyrillic…: 67 characters a segment) those facts alone fill two segments, so
# they may take a third. Everything else, and every French and English answer, takes two.
APPOINTMENT_FACTS = {
    "utter_convocation",
    "utter_my_appointment",
    "utter_rescheduled",
    "utter_no_slot",
    # The same three dates as utter_no_slot (search, window start and end), said after the
    # nearest slots were refused.
    "utter_slots_refused",
}


def _params(response: Response) -> dict[str, object]:
    names = placeholders(response.text)
    for button in response.buttons:
        names |= placeholders(button.title)
    return {name: SAMPLES.get(name, TEXT) for name in names - COMMON_PARAMS.keys()}


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_every_response_renders_fully_in_every_language(
    name: str, lang: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        message = render(name, lang, _params(RESPONSES[name]))
    assert message["text"].strip()
    assert not re.search(r"\{\w+\}|\[\w+\]", message["text"]), message["text"]
    problems = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and "i18n-compile" not in r.getMessage()
    ]
    assert not problems, problems
    for button in message["buttons"]:
        assert button["title"].strip() and button["payload"].startswith("/")


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_every_response_fits_two_sms_segments(name: str, lang: str) -> None:
    message = render(name, lang, _params(RESPONSES[name]), channel="sms")
    lines = [message["text"]] + [
        f"{i}. {b['title']}" for i, b in enumerate(message["buttons"], start=1)
    ]
    body = "\n".join(lines)
    if lang in FOLDED_LANGUAGES:
        body = fold_to_gsm7(body)  # what the SMS channel does to Latin-script languages
    info = sms_info(body)
    # UCS-2 holds 67 characters a segment: an appointment's facts may take a third.
    limit = 3 if lang not in FOLDED_LANGUAGES and name in APPOINTMENT_FACTS else 2
    assert info.segments <= limit, f"{name} [{lang}] takes {info.segments} SMS ({info.units} units)"


def test_payloads_name_agreed_intents() -> None:
    for name, response in RESPONSES.items():
        for button in response.buttons:
            intent = button.payload[1:].split("{")[0]
            assert intent in INTENTS, f"{name}: {button.payload}"
            entities = button.payload[len(intent) + 1 :]
            if entities:
                json.loads(entities)


def test_language_choice_shows_each_language_in_its_own_script() -> None:
    for lang in SUPPORTED_LANGUAGES:
        titles = [b["title"] for b in render("utter_greet", lang)["buttons"]]
        names = list(LANGUAGE_NAMES.values())  # each language.yml's own name, in its script
        if len(names) <= SHORT_MENU:
            assert titles == names
        else:
            assert titles[-1] == OTHER_LANGUAGE and set(titles[:-1]) <= set(names)
    payloads = [b["payload"] for b in render("utter_greet", "fr")["buttons"]]
    if len(SUPPORTED_LANGUAGES) <= SHORT_MENU:
        assert '/choose_language{"language":"ar"}' in payloads


def test_menu_buttons_are_translated() -> None:
    assert [b["title"] for b in render("utter_menu", "en")["buttons"]][0] == "Book an appointment"
    assert [b["title"] for b in render("utter_menu", "ar")["buttons"]][-1] == "مساعدة"
    assert render("utter_menu", "fr")["buttons"][0]["payload"] == "/book_appointment"


def test_help_gives_the_defenseur_des_droits_number_and_says_booking_is_free() -> None:
    # Source: seeds/002_15568d8a3b154eb0.txt
    assert "09 69 39 00 00" in render("utter_help", "fr")["text"]
    assert "gratuit" in render("utter_help", "fr")["text"]
    assert "never pay" in render("utter_help", "en")["text"]
    assert f"{FSI}09 69 39 00 00{PDI}" in render("utter_help", "ar")["text"]
    assert f"{LRM}09 69 39 00 00{LRM}" in render("utter_help", "ar", channel="sms")["text"]
    assert FSI not in render("utter_help", "en")["text"]


def test_language_changed_is_said_in_the_new_language() -> None:
    assert "français" in render("utter_language_changed", "fr")["text"]
    assert "English" in render("utter_language_changed", "en")["text"]
    assert "بالعربية" in render("utter_language_changed", "ar")["text"]


def test_unknown_response_is_logged_and_answered_politely(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.responses"):
        message = render("utter_that_nobody_wrote", "en")
    assert message == render(MISSING_RESPONSE, "en")
    assert any("utter_that_nobody_wrote" in r.getMessage() for r in caplog.records)


def test_parameters_are_formatted_for_the_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(
        RESPONSES, "utter_test_booked", Response("Rendez-vous le {date}, code {code}, {n} places.")
    )
    params = {"date": WHEN, "code": "K7P2QX4M", "n": 12000}
    assert render("utter_test_booked", "fr", params)["text"] == (
        "Rendez-vous le mardi 14 janvier à 14 h 20, code K7P2QX4M, 12 000 places."
    )
    # No Arabic translation for this test sentence: French words, Arabic formatting & isolation.
    arabic = render("utter_test_booked", "ar", params)["text"]
    assert "الثلاثاء 14 يناير الساعة 14:20" in arabic
    assert f"{FSI}K7P2QX4M{PDI}" in arabic


def test_missing_or_unset_parameters_render_a_clear_placeholder(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(RESPONSES, "utter_test_site", Response("Lieu : {site_name}."))
    with caplog.at_level(logging.WARNING, logger="bot.i18n"):
        assert render("utter_test_site", "fr", {"site_name": None})["text"] == "Lieu : [site_name]."
    assert caplog.records


def test_buttons_accept_pairs_or_button_objects() -> None:
    response = Response("Texte", [("Oui", "/affirm"), Button("Non", "/deny")])
    assert response.buttons == (Button("Oui", "/affirm"), Button("Non", "/deny"))


def test_an_arabic_sentence_opening_on_a_code_stays_right_to_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # (An Arabic source stands in for a translated sentence that opens on the code.)
    monkeypatch.setitem(RESPONSES, "utter_test_code_first", Response("{code} هو رمز موعدك."))
    text = render("utter_test_code_first", "ar", {"code": "K7P2QX4M"}, channel="sms")["text"]
    assert text.startswith(f"{RLM}{LRM}K7P2QX4M{LRM}")
    assert render("utter_test_code_first", "fr", {"code": "K7P2QX4M"})["text"][0] == "K"


def test_render_text_serves_sentences_sent_without_rasa() -> None:
    reminder = "Rappel : rendez-vous {when} à {site}, {address}. Code {code}. Documents : répondez DOCS. Pour libérer votre place : répondez ANNULER."
    params = {
        "when": WHEN,
        "site": "Préfecture de l'Isère",
        "address": "12 place de Verdun",
        "code": "K7P2QX4M",
    }
    assert render_text(reminder, "en", params).startswith(
        "Reminder: appointment on Tuesday 14 January at 2:20 PM at Préfecture de l'Isère"
    )
    arabic = render_text(reminder, "ar", params, channel="sms")
    assert f"{LRM}K7P2QX4M{LRM}" in arabic and "الثلاثاء 14 يناير" in arabic


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_no_appointment_found_names_a_way_forward_the_gateway_reads(lang: str) -> None:
    """It asked for « un code de convocation », which finds only the phone's own bookings:
    sent from another phone, or for a booking made elsewhere, it found nothing again and the
    person was left with « not understood » (session 30, as a phone)."""
    text = render("utter_no_booking_found", lang, channel="sms")["text"]
    keywords = re.findall(r"[«\"“]([^»\"”]+)[»\"”]", text) + re.findall(
        r"\b[A-ZА-ЯЁІЄЇҐ]{3,}\b", text
    )
    assert Word.HELP in {word_of(keyword) for keyword in keywords}, text
    assert "code" not in render("utter_no_booking_found", "fr")["text"]
