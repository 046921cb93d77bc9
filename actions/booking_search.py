"""What the booking form's parts share: the routing facts, the slots of one attempt, and the
form's one call to the booking API, the slot search (journaled by the engine as proof)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    NO_SLOT,
    client,
    iso,
    language,
    now,
    pending_retry,
    phone,
    say_refusal,
    say_unavailable,
    slot_summary,
)
from bot.booking.client import BookingRefused, BookingUnavailable
from bot.dates import understand

MAX_PROPOSED = 3
FACT_SLOTS = ("procedure_kind", "title_type", "topic")
# Slots emptied once the form's outcome is acted on (démarche, site, phone stay for next time).
ATTEMPT_SLOTS = (
    "date_text",
    "date_request",
    "proposed_slots",
    "chosen_slot",
    "booking_confirmed",
    "reschedule_code",
)
# The `awaiting` step after an outage during the search: in the form, "OUI" comes back as the
# answer to the day question, and validate_date_text searches the kept day again.
SEARCH_STEP = "search"


def facts_of(tracker: Tracker) -> dict[str, str]:
    return {name: tracker.get_slot(name) for name in FACT_SLOTS if tracker.get_slot(name)}


async def search_slots(
    text: str, dispatcher: CollectingDispatcher, tracker: Tracker
) -> dict[str, Any]:
    """Reads the day asked for, and asks the engine (one call, journaled as proof)."""
    lang = language(tracker)
    request = understand(text, lang, now())
    if request is None:
        dispatcher.utter_message(response="utter_date_not_understood")
        return {"date_text": None}
    try:
        result = await client().search(
            demarche=tracker.get_slot("demarche"),
            site=tracker.get_slot("site"),
            date_from=request.start,
            date_to=request.end,
            part_of_day=request.part_of_day,
            limit=MAX_PROPOSED,
            phone=phone(tracker),
            language=lang,
        )
    except BookingUnavailable as error:
        return {
            "date_text": None,
            "awaiting": say_unavailable(dispatcher, error, tracker, SEARCH_STEP, text),
        }
    except BookingRefused as refusal:
        say_refusal(dispatcher, refusal)
        return {"date_text": None}
    found = {
        "date_text": text,
        "date_request": {
            "not_before": iso(request.start),
            "not_after": iso(request.end),
            "part_of_day": request.part_of_day,
            "checked_at": iso(result.checked_at),
        },
        "proposed_slots": [slot_summary(s) for s in result.slots[:MAX_PROPOSED]],
        "chosen_slot": None if result.slots else NO_SLOT,
    }
    if pending_retry(tracker, SEARCH_STEP) is not None:
        found["awaiting"] = None  # the kept day is searched: nothing left to retry
    return found
