"""The expiry date, then one word (RAPPEL) for SMS when the filing window opens and two weeks
before it closes — against the real deadline-alerts API (gateway app, SQLite)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from actions import deadlines
from actions.booking_form import SWITCH_INTENTS
from actions.common import FORM_DONE
from actions.conversation import ActionConfirm, ActionFallback, ActionUnaskedAnswer
from actions.deadlines import ActionAgreeDeadlineAlerts, ActionCheckExpiry
from tests.actions.helpers import apply, domain, run, said_before, tracker
from tests.support.booking import booking_call

RESIDENT = "carte_resident_renouvellement"
TODAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
_numbers = itertools.count(20000000)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deadlines, "now", lambda: TODAY)


def new_phone() -> str:
    return f"+3362{next(_numbers) % 10**7:07d}"


def expiry_told(text: str, slots: dict | None = None):
    return run(
        ActionCheckExpiry(),
        tracker({"demarche": RESIDENT, **(slots or {})}, text=text, intent="give_expiry"),
    )


def test_too_early_offers_an_sms_on_the_day_the_window_opens():
    # A carte de résident is renewed in the two months before it ends (catalogue, seed 002).
    told = expiry_told("ma carte expire le 15/03/2027")
    # Status, the offer, then the rights kept: the first SMS page holds the word to send.
    assert told.responses == ["utter_deadline", "utter_offer_alert_opening", "utter_deadline"]
    assert told.messages[0]["status"] == "early"
    assert "trop tôt" in told.messages[0]["deadline_text"]
    assert "vous gardez vos droits" in told.messages[2]["deadline_text"]
    assert told.messages[1]["opens"] == "2027-01-15"
    assert told.slots["expiry_date"] == "2027-03-15"


def test_in_time_with_weeks_to_go_offers_a_reminder_two_weeks_before_the_end():
    told = expiry_told("ma carte expire le 10/01/2027")
    assert told.responses == ["utter_deadline", "utter_offer_alert_closing", "utter_deadline"]
    assert told.messages[1]["alert_on"] == "2026-12-27"
    assert told.messages[1]["closes"] == "2027-01-10"


def test_nothing_offered_when_the_reminder_would_come_too_late_or_the_window_is_gone():
    just_the_facts = ["utter_deadline", "utter_deadline"]
    assert expiry_told("ma carte expire le 01/12/2026").responses == just_the_facts  # 8 days left
    assert expiry_told("ma carte expire le 01/10/2026").responses == just_the_facts  # expired


def test_rappel_records_both_alerts_and_says_when(api_url):
    phone = new_phone()
    agreed = run(
        ActionAgreeDeadlineAlerts(),
        tracker(
            {"demarche": RESIDENT, "expiry_date": "2027-03-15", "phone": phone},
            text="RAPPEL",
            intent="deadline_alerts",
        ),
    )
    assert agreed.responses == ["utter_alerts_on"]
    assert agreed.messages[0]["opens"] == "2027-01-15"
    assert agreed.messages[0]["alert_on"] == "2027-03-01"
    assert agreed.messages[0]["closes"] == "2027-03-15"
    assert agreed.events == []  # the form, if one is running, goes on where it was
    # recorded: stopping them finds exactly one
    assert (
        booking_call(api_url, lambda api: api.stop_deadline_alerts(phone, RESIDENT)).cancelled == 1
    )


def test_rappel_inside_the_window_promises_only_the_reminder(api_url):
    agreed = run(
        ActionAgreeDeadlineAlerts(),
        tracker(
            {"demarche": RESIDENT, "expiry_date": "2027-01-10", "phone": new_phone()},
            intent="deadline_alerts",
        ),
    )
    assert agreed.responses == ["utter_alert_closing_on"]
    assert agreed.messages[0]["alert_on"] == "2026-12-27"


def test_rappel_without_the_date_or_without_a_phone_says_what_is_missing(api_url):
    no_date = run(
        ActionAgreeDeadlineAlerts(),
        tracker({"demarche": RESIDENT, "expiry_date": None}, intent="deadline_alerts"),
    )
    assert no_date.responses == ["utter_alert_needs_expiry"]
    no_phone = tracker(
        {"demarche": RESIDENT, "expiry_date": "2027-03-15", "phone": None}, intent="deadline_alerts"
    )
    no_phone.latest_message["metadata"] = {"channel": "telegram", "language": "fr"}
    assert run(ActionAgreeDeadlineAlerts(), no_phone).responses == ["utter_alert_needs_phone"]


def test_rappel_for_a_demarche_without_a_window_is_refused_in_the_language(api_url):
    refused = run(
        ActionAgreeDeadlineAlerts(),
        tracker(
            {"demarche": "naturalisation", "expiry_date": "2027-03-15", "phone": new_phone()},
            intent="deadline_alerts",
            language="en",
        ),
    )
    assert refused.responses == ["utter_booking_refused"]
    assert refused.messages[0]["reason_code"] == "no_filing_window"


def test_rappel_while_the_service_is_down_is_kept_for_a_one_word_retry(api_url, monkeypatch):
    slots = {"demarche": RESIDENT, "expiry_date": "2027-03-15", "phone": new_phone()}
    monkeypatch.setenv("GUICHET_API_URL", "http://127.0.0.1:9/api")  # nothing listens on port 9
    down = run(ActionAgreeDeadlineAlerts(), tracker(slots, intent="deadline_alerts"))
    assert down.responses == ["utter_booking_service_down"]
    assert down.slots == {"awaiting": "retry:deadline_alerts"}
    monkeypatch.setenv("GUICHET_API_URL", api_url)
    retried = run(ActionConfirm(), tracker(apply(slots, down), intent="affirm"))
    assert retried.responses == ["utter_alerts_on"]


def test_every_from_text_mapping_leaves_the_change_of_subject_intents_to_the_rules():
    # The form takes free text as the answer except for these intents (RAPPEL in the middle of
    # the documents question is a request, not an answer): the domain and the actions agree.
    lists = [
        mapping["not_intent"]
        for slot in domain()["slots"].values()
        for mapping in slot.get("mappings", [])
        if mapping.get("type") == "from_text" and "not_intent" in mapping
    ]
    assert lists and all(set(found) == SWITCH_INTENTS for found in lists)
    assert "deadline_alerts" in SWITCH_INTENTS


OFFERED = ["utter_deadline", "utter_offer_alert_opening", "utter_deadline"]


@pytest.mark.parametrize(
    ("said", "lang", "intent", "action"),
    [
        # As a phone (session 21): the offer asks for one word; these got "not understood".
        ("d'accord, vous me prévenez ?", "fr", "nlu_fallback", ActionFallback),
        ("ok will you let me know?", "en", "nlu_fallback", ActionFallback),
        ("واخا فكرني", "ar", "nlu_fallback", ActionFallback),
        ("хорошо, напомните мне", "ru", "nlu_fallback", ActionFallback),
        ("好的，到时候提醒我", "zh", "nlu_fallback", ActionFallback),
        ("oui", "fr", "affirm", ActionUnaskedAnswer),
    ],
)
def test_a_yes_or_remind_me_to_the_rappel_offer_takes_the_alerts(
    said, lang, intent, action, api_url
):
    phone = new_phone()
    events = [*said_before(("ma carte expire le 15/03/2027", OFFERED)), {"event": "user"}]
    slots = {"demarche": RESIDENT, "expiry_date": "2027-03-15", "phone": phone}
    answered = run(action(), tracker(slots, text=said, intent=intent, events=events, language=lang))
    # Said once, in this turn, and recorded.
    assert answered.responses == ["utter_alerts_on"]
    assert not [e for e in answered.events if e.get("name") == "action_agree_deadline_alerts"]
    assert (
        booking_call(api_url, lambda api: api.stop_deadline_alerts(phone, RESIDENT)).cancelled == 1
    )


def test_a_yes_without_the_offer_just_before_is_no_rappel():
    # The offer two turns back was answered by something else since: a yes is not for it.
    events = [
        *said_before(("ma carte expire le 15/03/2027", OFFERED), ("merci", ["utter_menu"])),
        {"event": "user"},
    ]
    slots = {"demarche": RESIDENT, "expiry_date": "2027-03-15"}
    answered = run(
        ActionUnaskedAnswer(), tracker(slots, text="oui", intent="affirm", events=events)
    )
    assert answered.responses == ["utter_menu"]


@pytest.mark.parametrize(
    ("said", "lang"), [("в березні", "uk"), ("le 15 avril 2027", "fr"), ("in March", "en")]
)
def test_a_day_said_when_asked_the_departement_is_no_expiry(said, lang):
    # "в березні" ("in March") at the département question got "too early" and the form
    # stopped (as a phone, session 22): the classifier calls every date give_expiry.
    state = tracker(
        {"demarche": RESIDENT, "requested_slot": "site"},
        text=said,
        intent="give_expiry",
        active_loop="booking_form",
        language=lang,
    )
    answered = run(ActionCheckExpiry(), state)
    assert answered.responses == ["utter_day_asked_later"]
    assert "expiry_date" not in answered.slots


def test_an_expiry_said_in_words_at_the_departement_is_assessed():
    state = tracker(
        {"demarche": RESIDENT, "requested_slot": "site"},
        text="ma carte expire le 15/03/2027",
        intent="give_expiry",
        active_loop="booking_form",
    )
    told = run(ActionCheckExpiry(), state)
    assert told.slots["expiry_date"] == "2027-03-15"
    assert "utter_deadline" in told.responses


def test_a_date_said_when_asked_the_day_is_left_to_the_form():
    # Asked the day, "в березні" ("in March") is the day: nothing said here, the form that the
    # rule runs next takes it (it got "too early" and the form stopped).
    state = tracker(
        {"demarche": RESIDENT, "site": "pref-38", "requested_slot": "date_text"},
        text="в березні",
        intent="give_expiry",
        active_loop="booking_form",
        language="uk",
    )
    answered = run(ActionCheckExpiry(), state)
    assert answered.responses == [] and answered.events == []


@pytest.mark.parametrize(
    ("said", "lang", "before", "responses"),
    [
        # As a phone (session 30): told it was too early, the person asked for a day anyway
        # and got « I did not understand ».
        ("friday morning if possible", "en", OFFERED, ["utter_deadline", *OFFERED[1:2]]),
        ("vendredi matin si possible", "fr", ["utter_alerts_on"], ["utter_deadline"]),
        ("نهار الجمعة الصباح", "ar", OFFERED, ["utter_deadline", *OFFERED[1:2]]),
    ],
)
def test_a_day_asked_while_too_early_gets_the_day_the_window_opens(said, lang, before, responses):
    events = [*said_before(("my card ends on 15/03/2027", before)), {"event": "user"}]
    slots = {"demarche": RESIDENT, "expiry_date": "2027-03-15", "reschedule_code": FORM_DONE}
    answered = run(
        ActionFallback(),
        tracker(slots, text=said, intent="nlu_fallback", events=events, language=lang),
    )
    # The window's opening, and RAPPEL unless it was taken: never « not understood ».
    assert answered.responses == responses
    assert answered.messages[0]["status"] == "early"
    if "utter_offer_alert_opening" in responses:
        assert answered.messages[1]["opens"] == "2027-01-15"


def test_a_day_asked_in_time_is_no_too_early_answer():
    events = [*said_before(("ma carte expire le 10/01/2027", OFFERED)), {"event": "user"}]
    slots = {"demarche": RESIDENT, "expiry_date": "2027-01-10"}
    answered = run(
        ActionFallback(),
        tracker(slots, text="vendredi matin si possible", intent="nlu_fallback", events=events),
    )
    assert "utter_deadline" not in answered.responses
