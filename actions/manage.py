"""Cancel and move (always confirmed first), my appointment, my proof, and the waitlist."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.asides import answered_after_the_form
from actions.common import (
    AWAIT_CANCEL,
    AWAIT_WAITLIST,
    FORM_DONE,
    GuichetAction,
    catalogue,
    client,
    demarche_of,
    iso,
    language,
    mediator_ref,
    numero_etranger,
    phone,
    ran_this_turn,
    said_last_turn,
    say_refusal,
    say_unavailable,
)
from actions.deadlines import rights_end, waitlist_window
from actions.reading import for_the_form, names_a_demarche, understood
from bot.booking.client import BookingRefused, BookingUnavailable
from bot.booking.schemas import BookingOut
from bot.formatting import format_when
from bot.understanding import Wants, read_question
from bot.words import Word, mentions

MAX_PROOF_LINES = 5


def _booking_params(booking: BookingOut, lang: str) -> dict[str, Any]:
    demarche = catalogue().demarches.get(booking.demarche)
    site = catalogue().sites.get(booking.slot.site)
    return {
        "code": booking.display_code,
        "when": iso(booking.slot.starts_at),
        "site_name": booking.slot.site_name,
        "address": site.address if site else "",
        "demarche_name": demarche.name(lang) if demarche else booking.demarche,
    }


async def _active_bookings(
    dispatcher: CollectingDispatcher, tracker: Tracker, step: str
) -> tuple[list[BookingOut], list[EventType]]:
    """The person's booked appointments, soonest first (none, with the reason said, when the
    phone is unknown or the call failed; the events then say what "OUI" retries)."""
    number = phone(tracker)
    if not number:
        dispatcher.utter_message(response="utter_no_booking_found")
        return [], []
    try:
        bookings = await client().my_bookings(number, language=language(tracker))
    except BookingUnavailable as error:
        return [], [SlotSet("awaiting", say_unavailable(dispatcher, error, tracker, step))]
    except BookingRefused as refusal:
        say_refusal(dispatcher, refusal)
        return [], []
    active = sorted((b for b in bookings if b.status == "booked"), key=lambda b: b.slot.starts_at)
    if not active:
        dispatcher.utter_message(response="utter_no_booking_found")
    return active, []


async def _find_booking(
    dispatcher: CollectingDispatcher, tracker: Tracker, step: str
) -> tuple[BookingOut | None, list[EventType]]:
    """The booking the person means: the code they gave, else their (first) active booking."""
    bookings, events = await _active_bookings(dispatcher, tracker, step)
    wanted = (tracker.get_slot("booking_code") or "").replace("-", "").replace(" ", "").upper()
    if wanted:
        bookings = [b for b in bookings if b.code.replace("-", "").upper() == wanted] or bookings
    return (bookings[0] if bookings else None), events


def booking_interrupted(tracker: Tracker) -> bool:
    """Rasa's rule stopped the booking form for this message (data/rules.yml, "move leaves the
    form"), a démarche being booked."""
    return ran_this_turn(tracker, "action_deactivate_loop") and bool(tracker.get_slot("demarche"))


# The actions that answer a message about an appointment already made (about_a_booking).
MANAGING_ACTIONS = ("action_prepare_cancel", "action_my_appointment", "action_prepare_reschedule")


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


class ActionPrepareCancel(GuichetAction, action="action_prepare_cancel", step="prepare_cancel"):
    """Finds the booking and asks first: "OUI" then runs ActionCancel."""

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        if for_the_form(tracker):
            # Rasa heard "annulé" in "permi annulé commision medicale rdv" (a cancelled driving
            # licence); the sentence reader finds no cancelling and names the démarche: the door.
            # Or it asks for an appointment and names none: the routing question.
            return [FollowupAction("booking_form")]
        if understood(tracker).wants == Wants.RESCHEDULE:
            # "annulez-le et donnez-m'en un autre": the person keeps an appointment, on another
            # day. What the move rule does (data/rules.yml): find the booking, then the form.
            return await _move(dispatcher, tracker)
        if (
            tracker.get_slot("awaiting") == AWAIT_CANCEL
            and tracker.get_slot("booking_code")
            and "utter_confirm_cancel" in said_last_turn(tracker)
        ):
            # "oui, annulez" to "Annuler le rendez-vous … ?": Rasa hears a cancel request, and
            # asking the same question again would loop for ever (seen by SMS, session 23).
            return [SlotSet("awaiting", None), *await ActionCancel().act(dispatcher, tracker)]
        booking, events = await _find_booking(dispatcher, tracker, "prepare_cancel")
        if booking is None:
            return events
        dispatcher.utter_message(
            response="utter_confirm_cancel", **_booking_params(booking, language(tracker))
        )
        return [SlotSet("booking_code", booking.code), SlotSet("awaiting", AWAIT_CANCEL)]


class ActionCancel(GuichetAction, action="action_cancel", step=AWAIT_CANCEL):
    """The "OUI" to ActionPrepareCancel's question. Not in the domain: Rasa never predicts it,
    action_confirm runs it."""

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        lang = language(tracker)
        try:
            booking = await client().cancel(
                tracker.get_slot("booking_code"),
                phone=phone(tracker),
                mediator_ref=mediator_ref(tracker),
                language=lang,
            )
        except BookingUnavailable as error:
            return [SlotSet("awaiting", say_unavailable(dispatcher, error, tracker, AWAIT_CANCEL))]
        except BookingRefused as refusal:
            say_refusal(dispatcher, refusal)
            return [SlotSet("booking_code", None)]
        dispatcher.utter_message(response="utter_cancelled", **_booking_params(booking, lang))
        return [SlotSet("booking_code", None)]


class ActionPrepareReschedule(
    GuichetAction, action="action_prepare_reschedule", step="prepare_reschedule"
):
    """Finds the booking to move; the booking form then asks the new day and slot, and its
    last question confirms the move (nothing changes before that "oui")."""

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        if for_the_form(tracker):
            # As in ActionPrepareCancel: « bsr dsl du derangement faudrai un rdv svp » (sorry to
            # bother you, I need an appointment), taken for a move, got "no appointment for
            # this number" (a writer's dev conversation, session 26).
            return [FollowupAction("booking_form")]
        booking, events = await _find_booking(dispatcher, tracker, "prepare_reschedule")
        if booking is None and booking_interrupted(tracker):
            # "ch7al kayakhod l wa9t dak rdv?" (how long does that appointment take?) asked at
            # the day question, read as a move: with nothing booked, the booking in progress
            # goes on. Ending the form there left the person with no question (session 25).
            return events
        if booking is None:
            return [*events, SlotSet("reschedule_code", FORM_DONE)]
        dispatcher.utter_message(
            response="utter_reschedule_intro", **_booking_params(booking, language(tracker))
        )
        text = (tracker.latest_message.get("text") or "").strip()
        return [
            SlotSet("reschedule_code", booking.code),
            SlotSet("demarche", booking.demarche),
            SlotSet("site", booking.slot.site),
            SlotSet("documents_confirmed", True),
            # "changer pour jeudi": the day comes with the request; the form searches it at once.
            SlotSet("date_text", text if understood(tracker).day_wish else None),
            SlotSet("chosen_slot", None),
            SlotSet("booking_confirmed", None),
        ]


class ActionMyAppointment(GuichetAction, action="action_my_appointment", step="my_appointment"):
    """The appointments booked; but a message Rasa took for a check that the sentence reads as
    a démarche and no check ("rdv pour ma carte de résident"), or as a request for an
    appointment ("j'ai besoin d'un rendez-vous"), goes to the form: answering "you have no
    appointment" beside what the person asked leaves them nowhere (decision 0022)."""

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        if for_the_form(tracker):
            return [FollowupAction("booking_form")]
        bookings, events = await _active_bookings(dispatcher, tracker, "my_appointment")
        for booking in bookings:
            dispatcher.utter_message(
                response="utter_my_appointment", **_booking_params(booking, language(tracker))
            )
        return events


async def _move(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """A move asked where Rasa's move rule does not run: find the booking, then the form."""
    moved = await ActionPrepareReschedule().act(dispatcher, tracker)
    return [*moved, FollowupAction("booking_form")]


async def move_instead_of_cancel(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType] | None:
    """ "Non, ne l'annulez pas, je veux juste changer le jour" / "لا تلغوه، أريد فقط تغيير اليوم"
    at the cancel question: a move, whether Rasa heard a no or the waitlist (a writer's
    conversation, session 23). None when the message is no such thing."""
    if (
        tracker.get_slot("awaiting") != AWAIT_CANCEL
        or understood(tracker).wants != Wants.RESCHEDULE
    ):
        return None
    return [SlotSet("awaiting", None), *await _move(dispatcher, tracker)]


def about_a_booking(tracker: Tracker) -> type[GuichetAction] | None:
    """The action answering a message about an appointment already made, as the sentence reads
    it (cancel, check or move), whatever intent Rasa gave it. "changer" also means another card
    ("je dois changer de carte"): a move is taken from a message that names no démarche, or
    says the person has an appointment ("3andi rdv … patron ma yskhach. nheb nbadlo", I have an
    appointment, my boss won't let me, I want to change it: "patron" read work, session 26)."""
    reading = understood(tracker)
    if reading.wants == Wants.RESCHEDULE and reading.facts and not reading.holds_appointment:
        return None
    answers: dict[str | None, type[GuichetAction]] = {
        Wants.CANCEL: ActionPrepareCancel,
        Wants.CHECK: ActionMyAppointment,
        Wants.RESCHEDULE: ActionPrepareReschedule,
    }
    return answers.get(reading.wants)


async def answer_about_a_booking(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType] | None:
    """Outside the form, the answer to a message about an appointment already made that Rasa
    took for a hello or did not classify ("ألغيه وأعطني موعدا آخر", cancel it and give me
    another one, got the greeting); None for any other message."""
    action = about_a_booking(tracker)
    if action is None:
        return None
    if action is ActionPrepareReschedule:
        return await _move(dispatcher, tracker)
    return await action().act(dispatcher, tracker)


class ActionMyProof(GuichetAction, action="action_my_proof", step="my_proof"):
    """The dated searches: the proof a judge asks for (référé "mesures utiles", seed 002)."""

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        if names_a_demarche(tracker) and not mentions(text, Word.PROOF):
            # Rasa's guess (a weak one: "حيدولي البرمي ولازم نفوت على الطبيب", a driving licence
            # to see a doctor about) against a sentence that names the démarche: the door.
            return [FollowupAction("booking_form")]
        lang = language(tracker)
        number = phone(tracker)
        if not number:
            dispatcher.utter_message(response="utter_no_proof")
            return []
        try:
            checks = await client().proof(number, language=lang)
        except BookingUnavailable as error:
            return [SlotSet("awaiting", say_unavailable(dispatcher, error, tracker, "my_proof"))]
        except BookingRefused as refusal:
            say_refusal(dispatcher, refusal)
            return []
        if not checks:
            dispatcher.utter_message(response="utter_no_proof")
            return []
        latest = sorted(checks, key=lambda c: c.checked_at, reverse=True)[:MAX_PROOF_LINES]
        dispatcher.utter_message(
            response="utter_my_proof",
            count=len(checks),
            without_slot=sum(1 for c in checks if not c.slots_found),
            items="\n".join(
                f"- {format_when(c.checked_at, lang)} : {c.slots_found}" for c in latest
            ),
        )
        return []


class ActionJoinWaitlist(GuichetAction, action="action_join_waitlist", step=AWAIT_WAITLIST):
    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        lang = language(tracker)
        text = tracker.latest_message.get("text") or ""
        if read_question(text, lang) is not None and answered_after_the_form(dispatcher, tracker):
            # "Je fais quoi en attendant ?" after "too early" reads as the waitlist (attente):
            # a question the démarche known answers is no request to join it.
            return []
        if (moved := await move_instead_of_cancel(dispatcher, tracker)) is not None:
            return moved
        demarche = demarche_of(tracker)
        site = tracker.get_slot("site")
        number = phone(tracker)
        if demarche is None or demarche.booking is None or not site or not number:
            dispatcher.utter_message(response="utter_waitlist_needs_booking_details")
            return []
        start, end = waitlist_window(tracker.get_slot("expiry_date"), demarche)
        try:
            await client().join_waitlist(
                phone=number,
                demarche=demarche.code,
                site=site,
                not_before=start,
                not_after=end,
                rights_end=_day(rights_end(tracker.get_slot("expiry_date"), demarche.code)),
                numero_etranger=numero_etranger(tracker),
                language=lang,
                mediator_ref=mediator_ref(tracker),
            )
        except BookingUnavailable as error:
            return [
                SlotSet("awaiting", say_unavailable(dispatcher, error, tracker, AWAIT_WAITLIST))
            ]
        except BookingRefused as refusal:
            say_refusal(dispatcher, refusal)
            return []
        dispatcher.utter_message(
            response="utter_waitlist_joined",
            window_start=iso(start),
            window_end=iso(end),
        )
        return [SlotSet("date_request", None)]
