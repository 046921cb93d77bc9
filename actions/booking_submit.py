"""The booking form's outcome, acted on: the convocation (or the move), or the reason the form
ended early (another door, documents missing, no free slot: the waitlist is offered)."""

from __future__ import annotations

import datetime as dt
import hashlib

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.booking_search import ATTEMPT_SLOTS, search_slots
from actions.common import (
    AWAIT_WAITLIST,
    FORM_DONE,
    NO_SLOT,
    GuichetAction,
    catalogue,
    client,
    demarche_of,
    iso,
    language,
    mediator_ref,
    now,
    numero_etranger,
    phone,
    say_refusal,
    say_unavailable,
)
from actions.deadlines import say_deadline, waitlist_window
from actions.documents import bring_documents, labels
from actions.reading import FACT_SLOTS, facts_of
from bot.booking.client import BookingRefused, BookingUnavailable
from bot.routing import route

SUBMIT_STEP = "submit_booking"


def _reset(names: tuple[str, ...]) -> list[EventType]:
    return [SlotSet(name, None) for name in names]


def _idempotency_key(tracker: Tracker, slot_id: str) -> str:
    """Same conversation, person and slot → same key: a retried "OUI" never books twice."""
    raw = f"{tracker.sender_id}|{phone(tracker)}|{slot_id}"
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


class ActionSubmitBooking(GuichetAction, action="action_submit_booking", step=SUBMIT_STEP):
    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        lang = language(tracker)
        demarche = demarche_of(tracker)
        done = _reset(ATTEMPT_SLOTS)
        if tracker.get_slot("reschedule_code") == FORM_DONE:
            return done
        if demarche is None:
            dispatcher.utter_message(response="utter_menu")
            return done
        if demarche.booking is None:
            # Not booked at the préfecture: the routing core says where it is done instead.
            result = route(facts_of(tracker) or {}, tracker.get_slot("site"))
            text = (
                result.render(lang)
                if result.demarche is demarche
                else demarche.where_detail.what_to_do(lang)
            )
            dispatcher.utter_message(
                response="utter_demarche_elsewhere",
                demarche_name=demarche.name(lang),
                route_text=text,
            )
            expiry = tracker.get_slot("expiry_date")
            if expiry:
                # "Mon titre expire le 20 janvier" then "étudiant": ANEF closes two months
                # before expiry, so the door alone would hide that the person is already late.
                say_deadline(dispatcher, dt.date.fromisoformat(expiry), demarche.code, lang)
            return [
                *done,
                SlotSet("demarche", None),
                *_reset(FACT_SLOTS),
                SlotSet("door", demarche.code),
            ]
        if tracker.get_slot("documents_confirmed") is False:
            if not tracker.get_slot("missing_documents"):  # named ones were answered already
                dispatcher.utter_message(
                    response="utter_documents_missing",
                    items="\n".join(f"- {r.document.label(lang)}" for r in demarche.to_prepare),
                )
            return [*done, SlotSet("documents_confirmed", None), SlotSet("documents_page", 0)]
        if tracker.get_slot("chosen_slot") == NO_SLOT:
            if tracker.get_slot("reschedule_code"):
                dispatcher.utter_message(response="utter_move_no_slot")
                return done
            start, end = waitlist_window(tracker.get_slot("expiry_date"), demarche)
            asked = tracker.get_slot("date_request") or {}
            checked_at = asked.get("checked_at") or iso(now())
            dispatcher.utter_message(
                # Slots offered and refused: there were free slots. The search is proof (for
                # PREUVE) only when the days asked had none, the nearest being offered.
                response="utter_no_slot"
                if not tracker.get_slot("proposed_slots")
                else "utter_slots_refused_found"
                if asked.get("slots_found")
                else "utter_slots_refused",
                checked_at=checked_at,
                window_start=iso(start),
                window_end=iso(end),
            )
            # Kept for the waitlist: the site (the window is recomputed when joining). The day
            # is emptied: another one said at this offer is searched (another_day).
            return [
                SlotSet("chosen_slot", None),
                SlotSet("proposed_slots", None),
                SlotSet("date_text", None),
                SlotSet("awaiting", AWAIT_WAITLIST),
            ]
        if not tracker.get_slot("booking_confirmed"):
            dispatcher.utter_message(response="utter_booking_aborted")
            return done
        chosen = tracker.get_slot("chosen_slot")
        code = tracker.get_slot("reschedule_code")
        try:
            if code:
                booking = await client().reschedule(
                    code,
                    int(chosen),
                    phone=phone(tracker),
                    mediator_ref=mediator_ref(tracker),
                    language=lang,
                )
            else:
                booking = await client().book(
                    slot_id=int(chosen),
                    phone=phone(tracker),
                    numero_etranger=numero_etranger(tracker),
                    language=lang,
                    mediator_ref=mediator_ref(tracker),
                    idempotency_key=_idempotency_key(tracker, chosen),
                    bring=[d.code for d in bring_documents(tracker)],
                )
        except BookingUnavailable as error:
            return [SlotSet("awaiting", say_unavailable(dispatcher, error, tracker, SUBMIT_STEP))]
        except BookingRefused as refusal:
            if refusal.code == "slot_full":
                return await _offer_again(dispatcher, tracker, done)
            say_refusal(dispatcher, refusal)
            return done
        dispatcher.utter_message(
            response="utter_rescheduled" if code else "utter_convocation",
            code=booking.display_code,
            when=iso(booking.slot.starts_at),
            site_name=booking.slot.site_name,
            address=catalogue().sites[booking.slot.site].address,
            demarche_name=demarche.name(lang),
        )
        bring = bring_documents(tracker)
        if bring and not code:
            dispatcher.utter_message(response="utter_bring_reminder", documents=labels(bring, lang))
        return [*done, SlotSet("booking_code", booking.code), SlotSet("missing_documents", None)]


async def _offer_again(
    dispatcher: CollectingDispatcher, tracker: Tracker, done: list[EventType]
) -> list[EventType]:
    """The chosen slot was taken between the offer and the "oui": the next free ones of the
    same day asked, numbered like the first offer, and the form back on the slot question
    (the engine's "choose another one" alone left a "1" that nothing understood any more)."""
    dispatcher.utter_message(response="utter_slot_taken")
    # Back in the form whatever the search gives: with none left (chosen_slot is NO_SLOT) it
    # ends at once on the waitlist offer; with the service down or the day unreadable (said by
    # the search) it asks the day again, "OUI" searching the kept day.
    found = await search_slots(tracker.get_slot("date_text") or "", dispatcher, tracker)
    return [
        *done,
        *(SlotSet(name, value) for name, value in found.items()),
        SlotSet("requested_slot", "chosen_slot"),
        # Last, so that no slot event trails: the form validates nothing on its way back.
        ActiveLoop("booking_form"),
    ]
