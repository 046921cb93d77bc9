"""Actions that need no booking API: session start, two-stage fallback, expiry without a
démarche (tests/actions/test_deadline_alerts.py has the rest), documents."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker

from actions.common import secret_key
from actions.conversation import (
    ActionAskLanguage,
    ActionConfirm,
    ActionFallback,
    ActionHelp,
    ActionSessionStart,
    ActionUnaskedAnswer,
)
from actions.deadlines import ActionCheckExpiry
from actions.documents import ActionMoreDocuments, ActionShowDocuments
from actions.manage import ActionJoinWaitlist
from bot.secrets import seal
from tests.actions.helpers import domain, entity, run, said_before, tracker

RESIDENT = "carte_resident_renouvellement"


def _session_tracker(slots: dict, metadata: dict) -> Tracker:
    state = tracker(slots)
    state.slots["session_started_metadata"] = metadata
    return state


def test_session_start_takes_language_and_phone_from_the_gateway():
    state = _session_tracker(
        {"language": None, "phone": None},
        {"language": "ar", "phone": "+33612345678", "channel": "sms"},
    )
    result = run(ActionSessionStart(), state)
    assert result.events[0]["event"] == "session_started"
    assert result.slots == {"language": "ar", "phone": "+33612345678", "channel": "sms"}
    assert result.events[-1] == {
        "event": "action",
        "name": "action_listen",
        "policy": None,
        "confidence": None,
        "timestamp": None,
    }


def test_session_start_keeps_a_language_chosen_in_the_conversation():
    # "English please" beats the gateway's first guess; the démarche in progress is carried over.
    state = _session_tracker(
        {"language": "en", "demarche": RESIDENT}, {"language": "fr", "phone": "+33612345678"}
    )
    slots = run(ActionSessionStart(), state).slots
    assert slots["language"] == "en" and slots["demarche"] == RESIDENT


def test_session_start_carries_a_sealed_numero_never_a_stand_in():
    """A ten-digit number said outside the form left the gateway's stand-in in the slot, in
    clear; carried to the next session, a booking was made under it."""
    sealed = seal("7501234567", secret_key())
    for held, carried in (("7512345090", None), (sealed, sealed)):
        state = _session_tracker({"numero_etranger": held}, {"phone": "+33612345678"})
        assert run(ActionSessionStart(), state).slots.get("numero_etranger") == carried


def _after(previous_actions: list[str], intent: str) -> Tracker:
    events = []
    for name in previous_actions:
        events += [
            {"event": "user", "text": "?"},
            {"event": "action", "name": name},
            {"event": "action", "name": "action_listen"},
        ]
    events.append({"event": "user", "text": "?"})
    return tracker(text="??", intent=intent, events=events)


def test_fallback_asks_to_rephrase_then_ends_on_the_menu_never_looping():
    assert run(ActionFallback(), _after(["utter_greet"], "nlu_fallback")).responses == [
        "utter_ask_rephrase"
    ]
    assert run(ActionFallback(), _after(["action_fallback"], "nlu_fallback")).responses == [
        "utter_default",
        "utter_menu",
    ]
    # A third miss starts over with a rephrase request, not a third "not understood".
    assert run(
        ActionFallback(), _after(["action_fallback", "action_fallback"], "nlu_fallback")
    ).responses == ["utter_ask_rephrase"]


def test_fallback_answers_insults_and_off_topic_politely_first():
    assert run(ActionFallback(), _after([], "insult")).responses == ["utter_insult"]
    assert run(ActionFallback(), _after([], "out_of_scope")).responses == ["utter_out_of_scope"]


@pytest.mark.parametrize(
    ("said", "lang"),
    [("humain", "fr"), ("je veux parler à quelqu'un", "fr"), ("real person please", "en"),
     ("بغيت نهضر مع شي واحد", "ar"), ("人工", "zh")],
)  # fmt: skip
def test_asking_for_a_human_gets_where_one_is_not_a_greeting(said, lang):
    # Issue 10: "humain" as a first message got the language menu, later "not understood".
    for previous in ([], ["action_fallback"]):
        state = _after(previous, "nlu_fallback")
        state.latest_message["text"] = said
        state.slots["language"] = lang
        assert run(ActionFallback(), state).responses == ["utter_help"]


@pytest.mark.parametrize(
    ("said", "intent", "lang", "response"),
    [
        ("combien ça coûte ?", "out_of_scope", "fr", "utter_fee"),
        ("Et qu'est-ce que je dois préparer en attendant ?", "nlu_fallback", "fr",
         "utter_documents_to_bring"),
        ("what should I prepare meanwhile?", "nlu_fallback", "en", "utter_documents_to_bring"),
        ("بشحال غادي نخلص؟", "nlu_fallback", "ar", "utter_fee"),
        ("شنو خاصني نوجد؟", "nlu_fallback", "ar", "utter_documents_to_bring"),
        ("ماذا يجب أن أحضر معي؟", "out_of_scope", "ar", "utter_documents_to_bring"),
        ("c'est où ?", "nlu_fallback", "fr", "utter_site_address"),
        ("ach njib m3aya?", "nlu_fallback", "ar", "utter_documents_to_bring"),
    ],
)  # fmt: skip
def test_a_question_after_the_form_is_answered_for_the_demarche_known(said, intent, lang, response):
    # Session 19, as a phone: after "too early, come back in …" the fee was answered as off
    # topic and "what should I prepare?" was not understood, though the démarche was known.
    state = _after(["booking_form"], intent)
    state.latest_message["text"] = said
    state.slots.update({"language": lang, "demarche": RESIDENT, "site": "pref-38"})
    result = run(ActionFallback(), state)
    assert result.responses == [response]
    if response == "utter_fee":
        assert "225" in result.message(response)["fee_text"]  # the catalogue's figure


def test_a_question_after_the_form_without_what_it_needs_is_not_guessed():
    # No démarche: nothing to price; no site: no address to give outside the form.
    fee = _after([], "out_of_scope")
    fee.latest_message["text"] = "combien ça coûte ?"
    assert run(ActionFallback(), fee).responses == ["utter_out_of_scope"]
    # Nothing about a place or a price: not guessed either.
    why = _after(["utter_greet"], "nlu_fallback")
    why.latest_message["text"] = "pourquoi ?"
    why.slots["demarche"] = RESIDENT
    assert run(ActionFallback(), why).responses == ["utter_ask_rephrase"]
    # An insult that names the price is still an insult.
    rude = _after([], "insult")
    rude.latest_message["text"] = "combien ça coûte, idiot"
    rude.slots["demarche"] = RESIDENT
    assert run(ActionFallback(), rude).responses == ["utter_insult"]


def _where(said: str, slots: dict, intent: str = "nlu_fallback") -> Tracker:
    state = _after(["booking_form"], intent)
    state.latest_message["text"] = said
    state.slots.update({"language": "fr", **slots})
    return state


@pytest.mark.parametrize(
    ("said", "response", "named"),
    [
        ("c'est où la préfecture ?", "utter_ask_site_for_address", None),
        ("j'habite à Grenoble", "utter_site_of_demarche", "Préfecture de l'Isère"),
        ("38", "utter_site_of_demarche", "Préfecture de l'Isère"),
        ("c'est où la préfecture de Bobigny ?", "utter_site_of_demarche",
         "Préfecture de la Seine-Saint-Denis"),
        ("j'habite à Lyon", "utter_site_not_served", None),
    ],
)  # fmt: skip
def test_where_to_go_after_the_form_asks_the_place_then_gives_the_demarches_site(
    said, response, named
):
    # Session 21, as a phone: after "too early, come back in January 2028", "c'est où la
    # préfecture ?" got "not understood" and "j'habite à Grenoble" "je vous explique mal".
    result = run(ActionFallback(), _where(said, {"demarche": RESIDENT}))
    assert result.responses == [response]
    if named is not None:
        assert result.message(response)["site_name"] == named
        assert result.message(response)["address"]


def test_one_digit_unasked_after_the_form_is_no_departement():
    # Session 27, as a phone: « 1 » after a page that said « send MORE » got « I don't book for
    # Bourg-en-Bresse (01) yet ». Two digits still name one (above: « 38 »).
    result = run(ActionFallback(), _where("1", {"demarche": RESIDENT}))
    assert "utter_site_not_served" not in result.responses


@pytest.mark.parametrize(
    ("said", "lang"), [("pourquoi si tôt ?", "fr"), ("why so early?", "en"), ("3lach?", "ar")]
)
def test_why_so_early_gets_the_filing_window_in_the_persons_dates(said, lang):
    # Session 21, as a phone: "pourquoi si tôt ?" after "too early" got "not understood".
    slots = {"demarche": RESIDENT, "expiry_date": "2028-03-01", "language": lang}
    result = run(ActionFallback(), _where(said, slots))
    assert result.responses == ["utter_filing_window"]
    # deadlines.yml: a résident card is filed within the 2 months before it ends.
    window = result.message("utter_filing_window")
    assert (window["opens"], window["closes"]) == ("2028-01-01", "2028-03-01")
    # Without an expiry date there are no dates to give: not guessed.
    undated = run(ActionFallback(), _where(said, {"demarche": RESIDENT, "language": lang}))
    assert undated.responses == ["utter_ask_rephrase"]


def test_what_to_do_meanwhile_is_no_request_for_the_waitlist():
    # Session 21, as a phone: after "too early", "je dois faire quoi en attendant ?" was read as
    # the waitlist ("attente") and got "for the waitlist, tell me your démarche first".
    meanwhile = _where(
        "ok merci, et je dois faire quoi en attendant ?", {"demarche": RESIDENT}, "join_waitlist"
    )
    assert run(ActionJoinWaitlist(), meanwhile).responses == ["utter_documents_to_bring"]
    asked = _where("mettez moi sur la liste d'attente", {}, "join_waitlist")
    assert run(ActionJoinWaitlist(), asked).responses == ["utter_waitlist_needs_booking_details"]


def test_no_internet_after_an_online_door_gets_a_pan_mediator():
    # Session 21, as a phone: after the ANEF door, "c koi anef" got "not understood" and "jsai
    # pa utiliser internet" the "I explain badly" of a stuck person.
    student = {"door": "etudiant_renouvellement"}
    for said in ("c koi anef", "jsai pa utiliser internet"):
        assert run(ActionFallback(), _where(said, student)).responses == [
            "utter_online_help_ask_town"
        ]
    # With the town: the door and that town's Point d'Accueil Numérique.
    town = run(ActionFallback(), _where("j'ai pas internet, j'habite à Bobigny", student))
    assert "Seine-Saint-Denis" in town.message("utter_demarche_elsewhere")["route_text"]
    # A démarche booked at the préfecture needs no internet: not this answer.
    booked = run(ActionFallback(), _where("jsai pa utiliser internet", {"demarche": RESIDENT}))
    assert booked.responses == ["utter_ask_rephrase"]


def test_where_to_go_for_a_demarche_done_online_is_its_door_again():
    # Naturalisation sets no démarche slot (nothing is booked there), only the door given.
    nationality = {"door": "naturalisation"}
    where = run(ActionFallback(), _where("c'est où ?", nationality))
    assert where.responses == ["utter_demarche_elsewhere"]
    assert "natali.interieur.gouv.fr" in where.message("utter_demarche_elsewhere")["route_text"]
    # A town named: the door, and the Point d'Accueil Numérique there that helps with it.
    town = run(ActionFallback(), _where("j'habite à Grenoble", nationality))
    route_text = town.message("utter_demarche_elsewhere")["route_text"]
    assert "natali.interieur.gouv.fr" in route_text and "Isère" in route_text
    fee = run(ActionFallback(), _where("combien ça coûte ?", nationality, "out_of_scope"))
    assert fee.responses == ["utter_fee"] and "55" in fee.message("utter_fee")["fee_text"]
    # Without a démarche, a town alone is no question of ours.
    assert run(ActionFallback(), _where("j'habite à Grenoble", {})).responses == [
        "utter_ask_rephrase"
    ]


def test_a_yes_with_nothing_pending_shows_the_menu():
    result = run(ActionConfirm(), tracker({"awaiting": None}, intent="affirm"))
    assert result.responses == ["utter_menu"] and result.slots == {"awaiting": None}
    # Rasa reads "c'est où ?" as a yes (nothing pending: action_unasked_answer); with a
    # démarche known, it is the address asked.
    where = run(ActionUnaskedAnswer(), _where("c'est où ?", {"demarche": RESIDENT}, "affirm"))
    assert where.responses == ["utter_ask_site_for_address"]
    door = run(ActionUnaskedAnswer(), _where("c'est où ?", {"door": "naturalisation"}, "affirm"))
    assert door.responses == ["utter_demarche_elsewhere"]
    assert run(
        ActionUnaskedAnswer(), _where("oui", {"door": "naturalisation"}, "affirm")
    ).responses == ["utter_menu"]


def test_expiry_date_in_english_without_a_demarche_is_noted():
    result = run(
        ActionCheckExpiry(),
        tracker({}, text="my card expires on 3 March 2027", intent="give_expiry", language="en"),
    )
    assert result.responses == ["utter_expiry_noted"]
    assert result.slots["expiry_date"] == "2027-03-03"


def test_expiry_not_understood():
    result = run(ActionCheckExpiry(), tracker({}, text="bientot", intent="give_expiry"))
    assert result.responses == ["utter_expiry_not_understood"] and result.slots == {}


def test_documents_outside_the_form_page_with_suite():
    shown = run(
        ActionShowDocuments(),
        tracker({"demarche": RESIDENT, "documents_page": 2}, intent="ask_documents"),
    )
    assert shown.responses == ["utter_documents_page", "utter_documents_more"]
    assert shown.messages[0]["page"] == 1  # always from the first page
    more = run(
        ActionMoreDocuments(), tracker({"demarche": RESIDENT, "documents_page": 0}, intent="more")
    )
    assert more.messages[0]["page"] == 2 and more.slots["documents_page"] == 1


def test_every_response_an_action_sends_is_in_the_registry():
    """An unknown name would reach the person as the 'internal error' sentence."""
    import re
    from pathlib import Path

    from bot.config import PROJECT_ROOT
    from bot.responses import RESPONSES

    sent = set()
    for path in Path(PROJECT_ROOT / "actions").glob("*.py"):
        sent |= set(re.findall(r'response="(utter_\w+)"', path.read_text()))
    sent |= {f"utter_ask_{slot}" for slot in ("site", "date_text", "phone", "numero_etranger")}
    for part in domain()["responses"]:
        sent.add(part)
    assert sent - set(RESPONSES) == set()


def test_fallback_always_ends_the_turn_but_where_the_form_asks_again():
    # Rasa runs action_fallback as its core fallback when no rule knows the next step; without
    # an end to the turn it ran it until its circuit breaker tripped, silencing the number.
    listen = {"event": "followup", "name": "action_listen", "timestamp": None}
    assert listen in run(ActionFallback(), _after([], "need_procedure")).events
    looping = _after([], "need_procedure")
    looping.events.append({"event": "action", "name": "action_fallback"})
    again = run(ActionFallback(), looping)
    assert again.responses == [] and listen in again.events
    in_the_form = tracker(text="??", intent="nlu_fallback", events=[{"event": "user", "text": "?"}])
    in_the_form.active_loop = {"name": "booking_form"}
    assert listen not in run(ActionFallback(), in_the_form).events


@pytest.mark.parametrize(
    ("said", "lang"),
    [("je comprends pas", "fr"), ("I don't understand", "en"), ("ما فهمتش", "ar")],
)
def test_not_understanding_again_and_again_never_gets_the_same_help_twice_in_a_row(said, lang):
    # Issue 10: three "je comprends pas" got the help text three times, word for word.
    replies = []
    before: list[dict] = []
    for _ in range(4):
        state = tracker({"language": lang}, text=said, intent="help", events=[*before])
        state.events.append({"event": "user", "text": said})
        reply = run(ActionHelp(), state).responses
        replies.append(reply)
        before += said_before((said, reply))
    # Nothing under way: the help comes with the menu, a way on (session 24).
    help_ = ["utter_help", "utter_menu"]
    assert replies == [help_, ["utter_stuck"], help_, ["utter_stuck"]]


def test_the_help_in_the_form_leaves_the_form_its_question():
    # The menu's numbers would be read as the answer to the form's question.
    state = tracker(
        {"language": "fr", "requested_slot": "site"}, text="je comprends pas", intent="help",
        active_loop="booking_form",
    )  # fmt: skip
    assert run(ActionHelp(), state).responses == ["utter_help"]


def test_not_understood_after_the_help_is_not_a_third_rephrase():
    # Help, then "say it another way", then the menu: then a person or another language.
    before = said_before(("je comprends pas", ["utter_help"]))
    state = tracker(text="hein ??", intent="nlu_fallback", events=[*before, {"event": "user"}])
    assert run(ActionFallback(), state).responses == ["utter_default", "utter_menu"]
    before += said_before(("hein ??", ["utter_default", "utter_menu"]))
    state = tracker(text="quoi", intent="nlu_fallback", events=[*before, {"event": "user"}])
    assert run(ActionFallback(), state).responses == ["utter_stuck"]


@pytest.mark.parametrize(
    ("said", "named", "lang", "in_form", "response"),
    [
        ("vs parlez anglais", "en", "fr", False, "utter_language_changed"),
        ("vous parlez anglais ?", "en", "fr", True, "utter_language_switched"),
        ("do you speak arabic", "ar", "en", False, "utter_language_changed"),
        ("tu parles arabe", "ar", "fr", True, "utter_language_switched"),
    ],
)
def test_a_language_asked_for_by_name_is_taken_and_said_in_it(said, named, lang, in_form, response):
    # Issue 10: "vous parlez anglais ?" got the language menu instead of English.
    state = tracker(
        {"language": lang},
        text=said,
        intent="change_language",
        entities=[entity("language", named)],
        active_loop="booking_form" if in_form else None,
    )
    result = run(ActionAskLanguage(), state)
    assert result.responses == [response]
    assert result.messages[0]["language"] == named  # rendered in the language asked for
    assert result.slots == {"language": named}


@pytest.mark.parametrize(
    ("said", "named", "lang"),
    [
        ("je comprends pas le francais", "fr", "fr"),
        ("I don't understand french", "fr", "en"),
        ("ما فهمتش الفرنسية", "fr", "ar"),
        ("changer de langue", None, "fr"),
    ],
)
def test_a_language_refused_or_none_named_gets_the_language_menu(said, named, lang):
    entities = [entity("language", named)] if named else []
    state = tracker({"language": lang}, text=said, intent="change_language", entities=entities)
    result = run(ActionAskLanguage(), state)
    assert result.responses == ["utter_ask_language"] and result.slots == {}


def test_a_no_that_names_a_demarche_goes_to_the_form_not_the_menu():
    # Issue 10: "jveu la nationaliter" classified as a no got the menu.
    state = tracker({"awaiting": None}, text="jveu la nationaliter", intent="deny")
    result = run(ActionUnaskedAnswer(), state)
    assert result.responses == []
    assert {"event": "followup", "name": "booking_form", "timestamp": None} in result.events
    plain = run(ActionUnaskedAnswer(), tracker({"awaiting": None}, text="non", intent="deny"))
    assert plain.responses == ["utter_menu"]


def test_a_yes_the_form_did_not_ask_leaves_its_question_alone():
    """Session 28, as a phone: « oui » at the numéro étranger (the gateway sends /affirm) got the
    menu with the question inside it; its « 1 » answered neither, three times."""
    slots = {"demarche": RESIDENT, "documents_confirmed": True, "requested_slot": "numero_etranger"}
    state = tracker(slots, text="/affirm", intent="affirm", active_loop="booking_form")
    assert run(ActionUnaskedAnswer(), state).responses == []
    outside = tracker({}, text="/affirm", intent="affirm")
    assert run(ActionUnaskedAnswer(), outside).responses == ["utter_menu"]
