"""The bench's reading of replies (benchmarks/understanding/replies.py): a "not understood"
the assistant can say is counted as one, or a loop on it is never seen as a dead end."""

from __future__ import annotations

import pytest

from actions.common import STUCK_RESPONSES
from benchmarks.understanding.play import Player, _menu_for_no_language, numero_for
from benchmarks.understanding.replies import NOT_UNDERSTOOD, Reply
from bot.i18n import gettext
from bot.responses import RESPONSES

# Stuck replies that are not a "not understood": the help text, the escape offered instead of a
# second "not understood" in a row (utter_stuck), what a département is. They are the way out
# of a loop, not a turn of it.
WAYS_OUT = frozenset({"utter_help", "utter_stuck", "utter_site_explain"})


def test_every_not_understood_the_actions_count_is_one_for_the_bench() -> None:
    assert STUCK_RESPONSES - WAYS_OUT <= NOT_UNDERSTOOD, STUCK_RESPONSES - WAYS_OUT - NOT_UNDERSTOOD


@pytest.mark.parametrize("lang", ["fr", "en", "ar", "fa"])
def test_a_choice_not_understood_is_read_as_not_understood(lang: str) -> None:
    # "ما فهمتش" at a numbered question: "Je n'ai pas compris. Répondez par un numéro…"
    said = gettext(RESPONSES["utter_choice_not_understood"].text, lang)
    reply = Reply.read([said])
    assert "utter_choice_not_understood" in reply.names and reply.not_understood, reply.names


def test_the_player_says_a_kept_turn_when_its_question_comes_after_one_never_asked() -> None:
    # Session 25: the place said in the first message was never asked, so the turn kept for the
    # day waited behind the place's and the profile's plain "monday" was said instead.
    conversation = {
        "id": "c",
        "variety": "en",
        "lang": "en",
        "goal": "waitlist",
        "turns": [
            {"say": "hello, I live in Saint-Denis"},
            {"when": "place", "say": "saint denis"},
            {"when": "day", "say": "monday only, my day off"},
            {"say": "put me on the waiting list"},
            {"when": "confirm", "say": "yes ok"},
        ],
    }
    player = Player(conversation, phone=None, world_code=None)  # type: ignore[arg-type]
    player.turns.pop(0)
    day = Reply.read([gettext(RESPONSES["utter_ask_date_text"].text, "en")])
    assert day.asks == "day"
    assert player._next(day) == "monday only, my day off"
    # A turn said unasked is never passed over for a later question.
    assert player.turns[0]["say"] == "put me on the waiting list"
    confirm = Reply.read([gettext(RESPONSES["utter_ask_booking_confirmed"].text, "en")])
    player._skip_questions_passed(confirm.asks or "")
    assert player.turns[0]["say"] == "put me on the waiting list"


def test_the_player_gives_each_phone_its_own_numero_in_the_digits_the_script_writes() -> None:
    # Session 25: since a numéro in Arabic-Indic or Persian digits is the same numéro (session
    # 24), two conversations sharing the corpus's example in those digits were refused as one
    # person ("already an appointment under this numéro").
    conversation = {
        "id": "c",
        "variety": "ar_msa",
        "lang": "ar",
        "profile": {"numero_etranger": "7501234568"},
    }
    phone = type("Phone", (), {"number": "+33611223344"})()
    player = Player(conversation, phone=phone, world_code=None)  # type: ignore[arg-type]
    own = numero_for(phone.number)
    assert (
        player._fill("رقمي ٧٥٠١ ٢٣٤ ٥٦٨ شكرا")
        == f"رقمي {_arabic(own[:4])} {_arabic(own[4:7])} {_arabic(own[7:])} شكرا"
    )
    assert player._fill("۷۵۰۱۲۳۴۵۶۸") == own.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert player._fill("7501234568") == own
    assert player._fill("le 12 mars à 9h30") == "le 12 mars à 9h30"  # other numbers stay


def _arabic(digits: str) -> str:
    return digits.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


def test_a_short_piece_of_a_sentence_is_found_as_a_word_only() -> None:
    """Persian « به » (the « نوبت … به … » confirmation) was found inside « سه شنبه »: a Pashto
    « moved » reply counted as Persian, a reply in the wrong language (session 27)."""
    moved = (
        "نوبت بدل شو. کوډ: \u200e7CW2-HT5D\u200e (هماغه). سه شنبه 8 دسمبر 15:20، "
        "\u200ePréfecture de la Dordogne\u200e."
    )
    assert Reply.read([moved]).language() == "ps"


def test_the_language_menu_answering_an_emoji_is_no_reply_in_another_language() -> None:
    # « 🙏🙏 » carries no language: the menu offering the person's is the answer the issue asks
    # for, not a French reply to an Arabic speaker (the one counted so, session 30). A French
    # reply to an Arabic sentence is still one.
    menu = Reply.read(["Bonjour ! RDV en préfecture.\n1. Francais\n2. عربي\n3. Autres / Others"])
    assert menu.language() == "fr"
    assert _menu_for_no_language("🙏🙏", menu, "ar")
    assert not _menu_for_no_language("بغيت نجدد الكارط", menu, "ar")
    assert not _menu_for_no_language("🙏🙏", Reply.read(["Je n'ai pas compris."]), "ar")
