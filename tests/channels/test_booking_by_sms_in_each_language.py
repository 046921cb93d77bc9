"""Issue 12: a full booking in each added language through the signed /sms/twilio webhook, from a
fresh number with no language hint, reaches a convocation, answers in the person's language all
along and costs at most twice the SMS segments of the French booking (tests/support/stack.py's
BOOKING_SCRIPT, played on the same stack)."""

from __future__ import annotations

import re
import unicodedata

import pytest

from bot.channels import gsm7
from tests.support.stack import Phone, book_by_sms, stack_with_fakes

pytestmark = pytest.mark.rasa

# What a person texts, one message per step: the démarche in their own words, "I have
# everything" (2), a postcode, a day, the first slot (1), the numéro étranger, yes (1).
SCRIPTS: dict[str, tuple[str, ...]] = {
    "uk": (
        "Добрий день, мені треба продовжити карту резидента",
        "2",
        "38000",
        "понеділок",
        "1",
        "{numero}",
        "1",
    ),
    "ru": (
        "Здравствуйте, мне нужно продлить карту резидента",
        "2",
        "38000",
        "понедельник",
        "1",
        "{numero}",
        "1",
    ),
}
SCRIPT_OF = {"uk": "CYRILLIC", "ru": "CYRILLIC"}
RATIO = 2.0  # issue 12
# The convocation's code, whatever the words around it ("Код: K7PQ-4QXZ").
CODE = re.compile(r"\b([0-9A-Z]{4}-[0-9A-Z]{4})\b")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with stack_with_fakes(tmp_path_factory.mktemp("stack")) as running:
        yield running


def _phone(stack, number: str) -> Phone:
    settings, rasa, gateway, _twilio, _telegram = stack
    rasa.start()
    return Phone(gateway, settings.public_url, number)


def _segments(replies: list[str]) -> int:
    return sum(gsm7.sms_info(reply).segments for reply in replies)


def _in_script(text: str, script: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return any(unicodedata.name(c, "").startswith(script) for c in letters)


@pytest.mark.parametrize("lang", sorted(SCRIPTS))
def test_a_booking_in_the_language_reaches_a_convocation_within_twice_the_french_segments(
    stack, lang: str
) -> None:
    index = sorted(SCRIPTS).index(lang)
    number, french_number = f"+3361112{index:02d}01", f"+3361112{index:02d}00"
    # The French booking on the same stack, from its own fresh number (a number keeps its
    # conversation).
    _code, french = book_by_sms(_phone(stack, french_number), numero_etranger=f"75012399{index}0")
    french_segments = _segments([line for line in french if not line.startswith("> ")])
    phone = _phone(stack, number)
    transcript: list[str] = []
    replies_all: list[str] = []
    numero = f"75012399{index}1"
    for text in SCRIPTS[lang]:
        text = text.format(numero=numero)
        replies = phone.send(text)
        transcript += [f"> {text}", *replies]
        replies_all += replies
        assert replies, "\n".join(transcript)
        for reply in replies:
            assert _in_script(reply, SCRIPT_OF[lang]), "\n".join(transcript)
            assert "{" not in reply and "None" not in reply, reply
    assert CODE.search(replies_all[-1] if replies_all else ""), "\n".join(transcript)
    segments = _segments(replies_all)
    print(f"{lang}: {segments} segments, French {french_segments}")
    assert segments <= RATIO * french_segments, (segments, french_segments, "\n".join(transcript))
