"""What every action needs: the conversation's language, the booking API client, and the two
ways a call can fail (a refusal with the engine's reason, or a service that does not answer).

Actions stay thin: read slots, make one call, dispatch response names (the texts live in
bot/responses.py and are rendered by the gateway's NLG endpoint in the person's language).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.booking.client import BookingClient, BookingRefused, BookingUnavailable
from bot.booking.identity import mask_phone
from bot.catalogue import Catalogue, Demarche, get_catalogue
from bot.config import Settings
from bot.i18n import normalise_language

log = logging.getLogger(__name__)

# Sentinels stored in slots when the form ends early (see validate_booking_form.required_slots).
NO_SLOT = "none"
NO_BOOKING = "none"

# `awaiting` values: the yes/no question an action asked, answered through action_confirm.
AWAIT_CANCEL = "cancel"
AWAIT_WAITLIST = "waitlist"
AWAIT_RETRY = "retry:"  # + the action to run again


def language(tracker: Tracker) -> str:
    """The `language` slot, else what the gateway put in the message metadata, else French."""
    slot = tracker.get_slot("language")
    if slot:
        return normalise_language(slot)
    metadata = tracker.latest_message.get("metadata") or {}
    return normalise_language(metadata.get("language"))


def phone(tracker: Tracker) -> str | None:
    value = tracker.get_slot("phone")
    if value:
        return str(value)
    metadata = tracker.latest_message.get("metadata") or {}
    return metadata.get("phone") or None


def catalogue() -> Catalogue:
    return get_catalogue()


def demarche_of(tracker: Tracker) -> Demarche | None:
    code = tracker.get_slot("demarche")
    return catalogue().demarches.get(code) if code else None


def client(lang: str) -> BookingClient:
    """A client whose refusals come back in the person's language (Accept-Language).

    3 s timeout: past that the person gets an apology and can retry with one word.
    `guichet run` gives the action server GUICHET_API_URL (bot/supervisor.py).
    """
    base_url = os.environ.get("GUICHET_API_URL") or Settings.from_env().api_url
    return BookingClient(base_url, timeout=3.0, language=lang)


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def iso(moment: dt.datetime | dt.date | None) -> str | None:
    """Dates cross to the NLG as ISO strings; it formats them with babel in the right language."""
    return moment.isoformat() if moment is not None else None


def parse_iso(value: str) -> dt.datetime:
    """An API datetime ("...Z" included: Python 3.10's fromisoformat does not read it)."""
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def say_refusal(dispatcher: CollectingDispatcher, refusal: BookingRefused, lang: str) -> None:
    log.info("booking refused: %s", refusal.code)
    dispatcher.utter_message(
        response="utter_booking_refused",
        reason=refusal.message,
        reason_code=refusal.code,
    )


def say_unavailable(
    dispatcher: CollectingDispatcher, error: BookingUnavailable, retry_action: str, tracker: Tracker
) -> list[EventType]:
    """Apologises and remembers what to retry: "OUI" (action_confirm) runs it again, every
    slot of the conversation is kept as it was."""
    log.warning(
        "booking API unavailable during %s for %s: %s", retry_action, mask_phone(phone(tracker)), error
    )
    dispatcher.utter_message(response="utter_booking_service_down")
    return [SlotSet("awaiting", AWAIT_RETRY + retry_action)]


# What "OUI" can run again (or confirm): step name -> the coroutine doing it. Action modules
# register their steps; action_confirm runs them, so confirming never needs a FollowupAction
# (whose next prediction Rasa's policies would have to learn).
Step = Callable[[CollectingDispatcher, Tracker], Awaitable[list[EventType]]]
STEPS: dict[str, Step] = {}


def step(name: str) -> Callable[[Step], Step]:
    def register(func: Step) -> Step:
        STEPS[name] = func
        return func

    return register


def slot_summary(slot: dict[str, Any]) -> dict[str, Any]:
    """What the `proposed_slots` slot keeps about one engine slot (API JSON, ISO dates)."""
    return {key: slot[key] for key in ("id", "starts_at", "site", "site_name")}
