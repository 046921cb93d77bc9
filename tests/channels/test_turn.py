"""The turn's decisions, without database or network."""

from __future__ import annotations

from bot.channels import messages
from bot.channels.turn import Converse, Drop, Incoming, Plan, Say, ShowPage, Turn, plan, route
from bot.words import Question, Word, rank_of, word_of


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


def test_typed_text_is_never_a_rasa_command():
    # Session 25, as an attacker: "/restart" typed in an SMS reset the conversation, and
    # "/inform{...}" set the form's slots. Payloads (buttons, menus) still are commands.
    assert plan(sms("/restart"), turn()).action == Converse("restart")
    assert plan(sms('/inform{"slot_ref":"1"}'), turn()).action == Converse('inform{"slot_ref":"1"}')
    assert plan(sms("/"), turn()).action == Converse("?")
    assert plan(sms("", payload="/affirm"), turn()).action == Converse("/affirm")
    assert plan(sms("1"), turn(last_menu=["/affirm", "/deny"])).action == Converse("/affirm")


def test_a_reply_word_answers_the_question_last_asked():
    assert route("OUI", Question.OFFER.value) == Converse("OUI", reply=Word.YES)
    assert route("annuler", Question.REMINDER.value) == Converse("annuler", reply=Word.CANCEL)
    assert route("oui", None) == Converse("oui", reply=Word.YES)  # nothing asked here yet
    # The assistant's question: Rasa hears the word as its yes and no buttons send it.
    assert route("OUI", Question.ASSISTANT.value) == Converse("/affirm")
    assert route("non", Question.ASSISTANT.value) == Converse("/deny")
    assert route("واخا، الله يخليك", Question.ASSISTANT.value) == Converse("/affirm")
    assert route("annuler", Question.ASSISTANT.value) == Converse("annuler")
    # PREUVE at any time; other words are the conversation's.
    assert route("preuve", Question.ASSISTANT.value) == Converse("preuve", reply=Word.PROOF)
    # A reply word with thanks or a blessing is the word; with anything else, a sentence.
    assert route("oui merci", Question.OFFER.value) == Converse("oui merci", reply=Word.YES)
    assert route("oui, mais jeudi", Question.OFFER.value) == Converse("oui, mais jeudi")
    pending = turn(pending=Question.ASSISTANT.value)
    assert plan(sms("Oui!"), pending).action == Converse("/affirm")


def test_courtesy_around_a_reply_word():
    # Read off dev conversations played by SMS: the yes came with a "God keep you" or a thank
    # you and the booking was asked again (session 25).
    said = {
        "واخا، الله يخليك": Word.YES,
        "好的，谢谢": Word.YES,
        "好的谢谢": Word.YES,
        "Oui merci beaucoup !": Word.YES,
        "svp oui": Word.YES,
        "yes please": Word.YES,
        "да, спасибо": Word.YES,
        "non merci": Word.NO,
        "annuler svp": Word.CANCEL,
    }
    assert {text: word_of(text) for text in said} == said
    # Courtesy alone, or beside anything that is not a reply word, is no word.
    for text in ("merci", "شكرا", "谢谢", "oui, mais jeudi", "merci pour lundi", "oui jeudi merci"):
        assert word_of(text) is None, text


def test_a_rank_in_a_short_reply():
    assert [rank_of(t) for t in ("le premier", "the 2nd one", "التالت", "第三个")] == [1, 2, 3, 3]
    # Two ranks, none, or a sentence about something else ("a first application") name none.
    for text in ("pas le premier, le deuxième", "merci", "c'est ma première demande de titre ici"):
        assert rank_of(text) is None, text
