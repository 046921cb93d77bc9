"""What the booking form's parts share: the slots of one attempt, and the
form's one call to the booking API, the slot search (journaled by the engine as proof)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    AWAIT_WAITLIST,
    NO_SLOT,
    catalogue,
    client,
    demarche_of,
    iso,
    language,
    now,
    pending_retry,
    phone,
    say_refusal,
    say_unavailable,
    slot_summary,
    still_stuck,
)
from actions.reading import understood
from bot.booking.client import BookingRefused, BookingUnavailable
from bot.catalogue import Hours
from bot.catalogue.formatting import format_hours
from bot.dates import DateRequest, understand
from bot.dates.spans import ASAP_DAYS
from bot.timezone import PARIS

MAX_PROPOSED = 3
# Slots emptied once the form's outcome is acted on (démarche, site, phone stay for next time).
ATTEMPT_SLOTS = (
    "day_wish",
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


async def search_slots(
    text: str, dispatcher: CollectingDispatcher, tracker: Tracker
) -> dict[str, Any]:
    """Reads the day asked for, and asks the engine (one call, journaled as proof)."""
    lang = language(tracker)
    request = understand(text, lang, now())
    if request is None:
        dispatcher.utter_message(response="utter_date_not_understood")
        if not still_stuck(tracker):
            return {"date_text": None}
        # The day not read twice in a row ("nimporte", Darija "نهار التلات" before they were
        # known): a third "not understood" is a dead end (session 24, dev conversations). The
        # first free slots instead, which the person can take or answer with another day.
        today = now().astimezone(PARIS).date()
        request = DateRequest(today, today + timedelta(days=ASAP_DAYS), text=text)
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
    proposed = result.slots or result.nearest
    if proposed and not result.slots:
        # None that day, some around it: the nearest ones and the days it opens, before any
        # waitlist (a "NON" to them ends the form on the waitlist offer).
        dispatcher.utter_message(
            response="utter_no_slot_that_day",
            # Slots were found around that day, so the site has ranges; "—" only if the
            # catalogue and the engine disagree, never an empty placeholder.
            opening_days=opening_days(tracker.get_slot("demarche"), tracker.get_slot("site"), lang)
            or "—",
        )
    found = {
        "date_text": text,
        "date_request": {
            "not_before": iso(request.start),
            "not_after": iso(request.end),
            "part_of_day": request.part_of_day,
            "checked_at": iso(result.checked_at),
            "slots_found": bool(result.slots),
        },
        "proposed_slots": [slot_summary(s) for s in proposed[:MAX_PROPOSED]],
        "chosen_slot": None if proposed else NO_SLOT,
    }
    if pending_retry(tracker, SEARCH_STEP) is not None:
        found["awaiting"] = None  # the kept day is searched: nothing left to retry
    return found


def opening_days(demarche: str | None, site: str | None, lang: str) -> str:
    """The weekly plages d'ouverture of `demarche` at `site`: "mardi 14 h 00–16 h 00"."""
    found = catalogue().sites.get(site or "")
    ranges = found.opening_ranges_for(demarche or "") if found else ()
    return format_hours((Hours(r.weekday, r.start, r.end) for r in ranges), lang)


def a_day_said(tracker: Tracker) -> bool:
    """The message says a day to book (« plutôt le 12 », « friday morning »), not an expiry
    (« ma carte expire le 5 janvier ») nor a button's payload."""
    text = (tracker.latest_message.get("text") or "").strip()
    if not text or text.startswith("/") or understand(text, language(tracker), now()) is None:
        return False
    return understood(tracker).expiry is None


def another_day(tracker: Tracker) -> list[EventType] | None:
    """A day said at the waitlist offer (« plutôt le mardi 5 janvier », « non, le 12 »): that
    day searched, the form back, not the offer's yes or no. It got "not understood" and the
    offer was lost (session 29, as a phone, after refusing the nearest slots)."""
    if tracker.get_slot("awaiting") != AWAIT_WAITLIST or demarche_of(tracker) is None:
        return None
    if not a_day_said(tracker):
        return None
    text = (tracker.latest_message.get("text") or "").strip()
    return [
        SlotSet("awaiting", None),
        SlotSet("date_text", None),
        SlotSet("day_wish", text),
        FollowupAction("booking_form"),
    ]
