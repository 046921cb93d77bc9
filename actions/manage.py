"""Cancel and move (always confirmed first), my appointment, my proof, and the waitlist."""

from __future__ import annotations

import datetime as dt
import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    AWAIT_CANCEL,
    AWAIT_WAITLIST,
    NO_BOOKING,
    catalogue,
    client,
    demarche_of,
    language,
    parse_iso,
    phone,
    say_refusal,
    say_unavailable,
    step,
)
from actions.deadlines import rights_end
from bot.booking.client import JSON, BookingRefused, BookingUnavailable
from bot.formatting import format_when

log = logging.getLogger(__name__)

MAX_PROOF_LINES = 5


def _booking_params(booking: JSON, lang: str) -> dict[str, Any]:
    demarche = catalogue().demarches.get(booking["demarche"])
    site = catalogue().sites.get(booking["slot"]["site"])
    return {
        "code": booking["display_code"],
        "when": booking["slot"]["starts_at"],
        "site_name": booking["slot"]["site_name"],
        "address": site.address if site else "",
        "demarche_name": demarche.name(lang) if demarche else booking["demarche"],
    }


def _active(bookings: list[JSON]) -> list[JSON]:
    return sorted((b for b in bookings if b["status"] == "booked"), key=lambda b: b["slot"]["starts_at"])


async def _find_booking(
    dispatcher: CollectingDispatcher, tracker: Tracker, retry_step: str
) -> tuple[JSON | None, list[EventType]]:
    """The booking the person means: the code they gave, else their (first) active booking."""
    lang = language(tracker)
    number = phone(tracker)
    if not number:
        dispatcher.utter_message(response="utter_no_booking_found")
        return None, []
    wanted = (tracker.get_slot("booking_code") or "").replace("-", "").replace(" ", "").upper()
    try:
        with client(lang) as api:
            bookings = _active(api.my_bookings(number))
    except BookingUnavailable as error:
        return None, say_unavailable(dispatcher, error, retry_step, tracker)
    except BookingRefused as refusal:
        say_refusal(dispatcher, refusal, lang)
        return None, []
    if wanted:
        bookings = [b for b in bookings if b["code"].replace("-", "").upper() == wanted] or bookings
    if not bookings:
        dispatcher.utter_message(response="utter_no_booking_found")
        return None, []
    return bookings[0], []


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@step("prepare_cancel")
async def prepare_cancel(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    booking, events = await _find_booking(dispatcher, tracker, "prepare_cancel")
    if booking is None:
        return events
    dispatcher.utter_message(response="utter_confirm_cancel", **_booking_params(booking, language(tracker)))
    return [SlotSet("booking_code", booking["code"]), SlotSet("awaiting", AWAIT_CANCEL)]


@step(AWAIT_CANCEL)
async def cancel(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    lang = language(tracker)
    code = tracker.get_slot("booking_code")
    try:
        with client(lang) as api:
            booking = api.cancel(code, phone=phone(tracker))
    except BookingUnavailable as error:
        return [SlotSet("awaiting", None), *say_unavailable(dispatcher, error, AWAIT_CANCEL, tracker)]
    except BookingRefused as refusal:
        say_refusal(dispatcher, refusal, lang)
        return [SlotSet("booking_code", None)]
    dispatcher.utter_message(response="utter_cancelled", **_booking_params(booking, lang))
    return [SlotSet("booking_code", None)]


@step("prepare_reschedule")
async def prepare_reschedule(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Finds the booking to move; the booking form then asks the new day and slot, and its
    last question confirms the move (nothing changes before that "oui")."""
    booking, events = await _find_booking(dispatcher, tracker, "prepare_reschedule")
    if booking is None:
        return [*events, SlotSet("reschedule_code", NO_BOOKING)]
    dispatcher.utter_message(response="utter_reschedule_intro", **_booking_params(booking, language(tracker)))
    return [
        SlotSet("reschedule_code", booking["code"]),
        SlotSet("demarche", booking["demarche"]),
        SlotSet("site", booking["slot"]["site"]),
        SlotSet("documents_confirmed", True),
        SlotSet("date_text", None),
        SlotSet("chosen_slot", None),
        SlotSet("booking_confirmed", None),
    ]


@step("my_appointment")
async def my_appointment(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    lang = language(tracker)
    number = phone(tracker)
    if not number:
        dispatcher.utter_message(response="utter_no_booking_found")
        return []
    try:
        with client(lang) as api:
            bookings = _active(api.my_bookings(number))
    except BookingUnavailable as error:
        return say_unavailable(dispatcher, error, "my_appointment", tracker)
    except BookingRefused as refusal:
        say_refusal(dispatcher, refusal, lang)
        return []
    if not bookings:
        dispatcher.utter_message(response="utter_no_booking_found")
        return []
    for booking in bookings:
        dispatcher.utter_message(response="utter_my_appointment", **_booking_params(booking, lang))
    return []


@step("my_proof")
async def my_proof(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The dated searches: the proof a judge asks for (référé "mesures utiles", seed 002)."""
    lang = language(tracker)
    number = phone(tracker)
    if not number:
        dispatcher.utter_message(response="utter_no_proof")
        return []
    try:
        with client(lang) as api:
            checks = api.proof(number)
    except BookingUnavailable as error:
        return say_unavailable(dispatcher, error, "my_proof", tracker)
    except BookingRefused as refusal:
        say_refusal(dispatcher, refusal, lang)
        return []
    if not checks:
        dispatcher.utter_message(response="utter_no_proof")
        return []
    latest = sorted(checks, key=lambda c: c["checked_at"], reverse=True)[:MAX_PROOF_LINES]
    lines = [
        f"- {format_when(parse_iso(c['checked_at']), lang)} : {c['slots_found']}"
        for c in latest
    ]
    dispatcher.utter_message(
        response="utter_my_proof",
        count=len(checks),
        without_slot=sum(1 for c in checks if not c["slots_found"]),
        items="\n".join(lines),
    )
    return []


@step(AWAIT_WAITLIST)
async def join_waitlist(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    lang = language(tracker)
    demarche = demarche_of(tracker)
    site = tracker.get_slot("site")
    number = phone(tracker)
    if demarche is None or demarche.booking is None or not site or not number:
        dispatcher.utter_message(response="utter_waitlist_needs_booking_details")
        return []
    wanted = tracker.get_slot("date_request") or {}
    try:
        with client(lang) as api:
            api.join_waitlist(
                phone=number,
                demarche=demarche.code,
                site=site,
                not_before=_day(wanted.get("not_before")),
                not_after=_day(wanted.get("not_after")),
                part_of_day=wanted.get("part_of_day"),
                rights_end=_day(rights_end(tracker.get_slot("expiry_date"), demarche.code)),
                numero_etranger=tracker.get_slot("numero_etranger"),
                language=lang,
            )
    except BookingUnavailable as error:
        return say_unavailable(dispatcher, error, AWAIT_WAITLIST, tracker)
    except BookingRefused as refusal:
        say_refusal(dispatcher, refusal, lang)
        return []
    site_info = catalogue().sites.get(site)
    dispatcher.utter_message(
        response="utter_waitlist_joined",
        demarche_name=demarche.name(lang),
        site_name=site_info.name if site_info else site,
    )
    return [SlotSet("date_request", None)]


class _StepAction(Action, ABC):
    """An action that runs one registered step (so "OUI" after an outage can run it again)."""

    @property
    @abstractmethod
    def action_name(self) -> str: ...

    @property
    @abstractmethod
    def step_name(self) -> str: ...

    def name(self) -> str:
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        from actions.common import STEPS

        return await STEPS[self.step_name](dispatcher, tracker)


class ActionPrepareCancel(_StepAction):
    action_name, step_name = "action_prepare_cancel", "prepare_cancel"


class ActionPrepareReschedule(_StepAction):
    action_name, step_name = "action_prepare_reschedule", "prepare_reschedule"


class ActionMyAppointment(_StepAction):
    action_name, step_name = "action_my_appointment", "my_appointment"


class ActionMyProof(_StepAction):
    action_name, step_name = "action_my_proof", "my_proof"


class ActionJoinWaitlist(_StepAction):
    action_name, step_name = "action_join_waitlist", AWAIT_WAITLIST
