"""Issue 10, played as a phone: signed SMS to /sms/twilio from fresh numbers, no language hint,
the real Rasa model. The language of each answer, and a greeting that never resets anything."""

from __future__ import annotations

import itertools
import re

import pytest

from bot.language import identify
from tests.support.stack import Phone, stack_with_fakes

pytestmark = pytest.mark.rasa

_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with stack_with_fakes(tmp_path_factory.mktemp("stack")) as running:
        running[1].start()
        yield running


def phone(stack) -> Phone:
    settings, _rasa, gateway, _twilio, _telegram = stack
    return Phone(gateway, settings.public_url, f"+336221{next(_numbers):05d}")


def language_of(replies: list[str]) -> str | None:
    """The language a person reads in these SMS (the language menu's «عربي» aside)."""
    text = "\n".join(replies).replace("عربي", "")
    arabic = sum("\u0600" <= c <= "\u06ff" for c in text)
    latin = sum(c.isascii() and c.isalpha() for c in text)
    return "ar" if arabic > latin / 3 else identify(text).lang


@pytest.mark.parametrize(
    ("first", "lang"),
    [
        ("Hello, I need to renew my residence permit", "en"),
        ("sorry i dont speak french", "en"),
        ("ma fhemtch, bl3arbiya 3afak", "ar"),
        ("مرحبا، أريد تجديد بطاقة الإقامة", "ar"),
        ("السلام عليكم بغيت نجدد لاكارط ديالي", "ar"),
        ("salam bghit njadad la carte de sejour", "ar"),
        ("Bonjour, je veux renouveler ma carte de résident", "fr"),
    ],
)
def test_the_first_reply_is_in_the_persons_language(stack, first: str, lang: str) -> None:
    replies = phone(stack).send(first)
    assert replies and language_of(replies) == lang, replies


def test_a_greeting_of_several_languages_gets_the_menu_with_arabic(stack) -> None:
    """« salam » alone: an Arab, a Dari or a Pashto speaker. It was answered in Pashto with a
    menu that had no Arabic; now the menu offers Arabic and the choice is followed."""
    person = phone(stack)
    greeting = person.send("salam")
    [number] = re.findall(r"(\d+)\. عربي", "\n".join(greeting)) or [None]
    assert number is not None, greeting
    assert language_of(person.send(number)) == "ar"


def test_a_switch_is_followed_and_numbers_never_change_the_language(stack) -> None:
    person = phone(stack)
    assert language_of(person.send("Bonjour, je veux renouveler ma carte de résident")) == "fr"
    replies = person.send("I want to renew my residence card please")
    assert language_of(replies) == "en", replies
    replies = person.send("38000")
    assert language_of(replies) == "en", replies


def test_an_explicit_choice_wins_and_sticks(stack) -> None:
    person = phone(stack)
    greeting = person.send("Bonjour")
    # The menu's number for «عربي», wherever the menu puts it (bot.language_menu).
    [number] = re.findall(r"(\d+)\. عربي", "\n".join(greeting)) or [None]
    assert number is not None, greeting
    chosen = person.send(number)
    assert language_of(chosen) == "ar", chosen
    replies = person.send("Je veux renouveler ma carte de résident")
    assert language_of(replies) == "ar", replies


def test_choosing_a_language_is_acknowledged_and_the_next_question_comes(stack) -> None:
    person = phone(stack)
    person.send("Bonjour")
    replies = person.send("Francais")
    assert any("francais" in r for r in replies), replies  # GSM-7 folds the ç
    assert "?" in "\n".join(replies), replies


def test_allo_in_the_middle_keeps_the_question_in_progress(stack) -> None:
    person = phone(stack)
    person.send("Bonjour, je veux renouveler ma carte de résident")
    asked = person.send("2")  # J'ai déjà tout: which département?
    assert any("département" in r for r in asked), asked
    replies = person.send("allo")
    text = "\n".join(replies)
    assert "je suis là" in text and "département" in text, replies
    assert "عربي" not in text, replies  # no language menu again
    after = person.send("38000")
    assert any("jour" in r for r in after), after


def test_an_emoji_first_gets_the_greeting_and_then_everything_works(stack) -> None:
    person = phone(stack)
    replies = person.send("👍")
    text = "\n".join(replies)
    assert "عربي" in text and "compris" not in text, replies
    replies = person.send("I need to renew my residence permit")
    assert language_of(replies) == "en", replies
