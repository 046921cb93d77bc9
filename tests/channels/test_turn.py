"""The turn's decisions, without database or network."""

from __future__ import annotations

from bot.channels import messages
from bot.channels.turn import Converse, Drop, Incoming, Plan, Say, ShowPage, Turn, plan, route
from bot.words import Question, Word


def turn(**state: object) -> Turn:
    values: dict[str, object] = {
        "inbound_id": 1,
        "contact_id": 1,
        "channel": "sms",
        "address": "+33612345678",
        "language": "fr",
        "opted_out": False,
    }
    return Turn(**(values | state))  # type: ignore[arg-type]


def sms(text: str, **more: object) -> Incoming:
    return Incoming("sms", "+33612345678", "SM1", text, **more)  # type: ignore[arg-type]


def test_stop_start_and_an_opted_out_sender():
    assert plan(sms("Stop."), turn()) == Plan(Say(messages.OPTED_OUT, force=True), opted_out=True)
    assert plan(sms("start"), turn(opted_out=True)) == Plan(Say(messages.OPTED_IN), opted_out=False)
    assert plan(sms("bonjour"), turn(opted_out=True)) == Plan(Drop())
    # Telegram's /start opts in and goes on to the conversation.
    assert plan(sms("/start", payload="/start", opt_in=True), turn(opted_out=True)) == Plan(
        Converse("/start"), opted_out=False
    )


def test_help_pages_and_empty_messages():
    assert plan(sms("aide"), turn()).action == Say(messages.HELP)
    assert plan(sms("SUITE"), turn(pages_left=["p2", "p3"])).action == ShowPage("p2")
    assert plan(sms("SUITE"), turn()).action == Converse("SUITE")  # Rasa's next part
    assert plan(sms("  "), turn()).action == Say(messages.TEXT_ONLY)


def test_menu_numbers_and_buttons():
    menu = ["/book", "/cancel"]
    assert plan(sms("2."), turn(last_menu=menu)).action == Converse("/cancel")
    assert plan(sms("3"), turn(last_menu=menu)).action == Say(messages.NOT_IN_MENU, count=2)
    assert plan(sms("0"), turn(last_menu=menu)).action == Converse("/menu")
    assert plan(sms("", payload="menu:1"), turn(last_menu=menu)).action == Converse("/book")
    assert plan(sms("2"), turn()).action == Converse("2")  # no menu: Rasa reads the number


def test_a_reply_word_answers_the_question_last_asked():
    assert route("OUI", Question.OFFER.value) == Converse("OUI", reply=Word.YES)
    assert route("annuler", Question.REMINDER.value) == Converse("annuler", reply=Word.CANCEL)
    assert route("oui", None) == Converse("oui", reply=Word.YES)  # nothing asked here yet
    assert route("OUI", Question.ASSISTANT.value) == Converse("OUI")
    assert route("non", Question.ASSISTANT.value) == Converse("non")
    # PREUVE at any time; other words are the conversation's.
    assert route("preuve", Question.ASSISTANT.value) == Converse("preuve", reply=Word.PROOF)
    assert route("oui merci", Question.OFFER.value) == Converse("oui merci")
    pending = turn(pending=Question.ASSISTANT.value)
    assert plan(sms("Oui!"), pending).action == Converse("Oui!")
