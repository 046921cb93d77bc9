"""What every action needs: the one way to declare it, the conversation's language, the booking
API client, the two ways a call can fail (a refusal with the engine's reason, or a service that
does not answer), and the pending question "OUI" answers (`awaiting`).

Actions stay thin: read slots, make one call, dispatch response names (the texts live in
bot/responses.py and are rendered by the gateway's NLG endpoint in the person's language).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.booking.client import BookingClient, BookingRefused, BookingUnavailable, shared_client
from bot.booking.identity import mask_phone
from bot.booking.schemas import SlotOut
from bot.catalogue import Catalogue, Demarche, get_catalogue
from bot.config import Settings
from bot.i18n import normalise_language
from bot.personal import METADATA_KEY, reveal

log = logging.getLogger(__name__)

# Sentinels stored in slots when the form ends early (see validate_booking_form.required_slots).
NO_SLOT = "no_free_slot"
# In `reschedule_code`: the form ends with nothing left to say (no booking to move, the message
# asked to cancel instead, too early to book: each has said so already).
FORM_DONE = "form_done"

# `awaiting` values: the one question pending on Rasa's side, answered through action_confirm.
AWAIT_CANCEL = "cancel"
AWAIT_WAITLIST = "waitlist"
AWAIT_RETRY = "retry:"  # + the step to run again (+ ":" + what it needs, see `retry`)


class GuichetAction(Action, ABC):
    """The one way to write an action here: its Rasa name, and `act`.

        class ActionMyProof(GuichetAction, action="action_my_proof", step="my_proof"):
            async def act(self, dispatcher, tracker) -> list[EventType]: ...

    `step` registers `act` as what "OUI" (action_confirm) runs: again after the apology for an
    outage, or as the answer to the question the action asked. Confirming thus never needs a
    FollowupAction (whose next prediction Rasa's policies would have to learn).
    """

    action_name: ClassVar[str]

    def __init_subclass__(
        cls, *, action: str | None = None, step: str | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        if action is not None:
            cls.action_name = action
        if step is not None:
            STEPS[step] = cls

    def name(self) -> str:
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return await self.act(dispatcher, tracker)

    @abstractmethod
    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]: ...


# What "OUI" can run: step name -> the action doing it (see GuichetAction).
STEPS: dict[str, type[GuichetAction]] = {}


def retry(step: str, detail: str | None = None) -> str:
    """The `awaiting` value after an outage: "OUI" runs `step` again, with `detail` if given."""
    return AWAIT_RETRY + step + (f":{detail}" if detail else "")


def pending_retry(tracker: Tracker, step: str) -> str | None:
    """The detail kept by `retry(step, detail)` when that retry is the pending question."""
    prefix = retry(step) + ":"
    awaiting = tracker.get_slot("awaiting") or ""
    return awaiting.removeprefix(prefix) if awaiting.startswith(prefix) else None


def step_of(awaiting: str) -> type[GuichetAction] | None:
    """The action a pending question runs on "OUI" (none when nothing is registered for it)."""
    name = awaiting.removeprefix(AWAIT_RETRY).split(":", 1)[0]
    return STEPS.get(name)


def language(tracker: Tracker) -> str:
    """The `language` slot, else what the gateway put in the message metadata, else French."""
    slot = tracker.get_slot("language")
    if slot:
        return normalise_language(slot)
    metadata = tracker.latest_message.get("metadata") or {}
    return normalise_language(metadata.get("language"))


def in_form(tracker: Tracker) -> bool:
    return (tracker.active_loop or {}).get("name") == "booking_form"


def ran_this_turn(tracker: Tracker, action_name: str) -> bool:
    """Whether `action_name` already answered the latest message (a rule, or a FollowupAction)."""
    return _since_the_message(tracker, "action", action_name)


def set_this_turn(tracker: Tracker, slot: str) -> bool:
    """Whether an action already set `slot` in answer to the latest message."""
    return _since_the_message(tracker, "slot", slot)


def _since_the_message(tracker: Tracker, kind: str, name: str) -> bool:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == kind and event.get("name") == name:
            return True
    return False


# Replies that leave the person where they were: not understood, or the help text that a "je
# comprends pas" gets. Read from the responses Rasa stored with each bot message (`utter_action`).
STUCK_RESPONSES = frozenset(
    {
        "utter_help",
        "utter_stuck",
        "utter_ask_rephrase",
        "utter_default",
        "utter_choice_not_understood",
        "utter_date_not_understood",
        "utter_expiry_not_understood",
        "utter_slot_choice_invalid",
        "utter_site_not_found",
        "utter_site_explain",
    }
)


def said_last_turn(tracker: Tracker, turns: int | None = 1) -> frozenset[str]:
    """The responses of the assistant's answers to the person's previous message (or to the
    previous `turns` messages; None: since the session started)."""
    said: set[str] = set()
    users_seen = 0
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if users_seen == turns:
                break
            users_seen += 1
        elif kind == "bot" and users_seen:
            response = (event.get("metadata") or {}).get("utter_action")
            if response:
                said.add(response)
        elif kind == "session_started":
            break
    return frozenset(said)


def stuck_turns(tracker: Tracker) -> int:
    """How many of the person's messages in a row, just before this one, got a stuck reply
    (STUCK_RESPONSES). Every turn is counted once, whatever else it said."""
    count = 0
    stuck_seen = False
    in_latest = True  # the turn being answered is not counted
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if in_latest:
                in_latest = False
            elif stuck_seen:
                count += 1
                stuck_seen = False
            else:
                return count
        elif kind == "bot" and not in_latest:
            said = (event.get("metadata") or {}).get("utter_action")
            stuck_seen = stuck_seen or said in STUCK_RESPONSES
        elif kind == "session_started":
            break
    return count


def still_stuck(tracker: Tracker) -> bool:
    """The answer about to be given would be the second stuck reply in a row (or the fourth…):
    something else is said instead (utter_stuck), so that no one reads the same "not understood"
    or help text again and again."""
    return stuck_turns(tracker) % 2 == 1


@functools.cache
def secret_key() -> str:
    """The key sealing personal numbers: the gateway's (GUICHET_SECRET_KEY or var/)."""
    return Settings.from_env().secret_key


def revealed(value: Any, tracker: Tracker) -> str | None:
    """A slot value as the person typed it: sealed values and Rasa's placeholders of this
    message's numbers back in clear, in memory only (bot.personal)."""
    if value is None or value == "":
        return None
    metadata = tracker.latest_message.get("metadata") or {}
    tokens = metadata.get(METADATA_KEY)
    return reveal(str(value), tokens if isinstance(tokens, list) else [], secret_key())


def proven_phone(tracker: Tracker) -> str | None:
    """The phone the channel proves on the latest message, sealed: the SMS sender (Twilio signs
    the request), the Telegram account's own shared contact, the person a PAN mediator speaks
    for after their consent. Never a number typed in the text."""
    value = (tracker.latest_message.get("metadata") or {}).get("phone")
    return value if isinstance(value, str) and value else None


def phone(tracker: Tracker) -> str | None:
    """Whose appointments these are: the phone proven on this message, nothing else. The phone
    is the person's identity for the booking API, so a typed number never stands for it, nor a
    `phone` slot an older version filled from one (carried from session to session in Rasa's
    tracker store: an attacker's test, session 22). A Telegram chat proves the phone its owner
    shared there, on every message (bot.channels.inbox)."""
    return revealed(proven_phone(tracker), tracker)


def mediator_ref(tracker: Tracker) -> str | None:
    """The PAN mediator running this conversation on their page ("pan:<id>", put in the
    metadata by the gateway only): the booking API checks their consent for the phone."""
    value = (tracker.latest_message.get("metadata") or {}).get("mediator_ref")
    return value if isinstance(value, str) and value else None


def numero_etranger(tracker: Tracker) -> str | None:
    return revealed(tracker.get_slot("numero_etranger"), tracker)


def catalogue() -> Catalogue:
    return get_catalogue()


def demarche_of(tracker: Tracker) -> Demarche | None:
    code = tracker.get_slot("demarche")
    return catalogue().demarches.get(code) if code else None


def client() -> BookingClient:
    """The action server's booking client, shared by every action (3 s timeout: past that the
    person gets an apology and can retry with one word). Each call passes the person's language.

    `guichet run` gives the action server GUICHET_API_URL and the stack's service credential,
    GUICHET_SERVICE_TOKEN (bot/supervisor.py): the API acts for a phone only for such a caller.
    """
    settings = Settings.from_env()
    return shared_client(
        os.environ.get("GUICHET_API_URL") or settings.api_url, token=settings.service_token
    )


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(moment: dt.datetime | dt.date | None) -> str | None:
    """Dates cross to the NLG as ISO strings; it formats them with babel in the right language."""
    return moment.isoformat() if moment is not None else None


def parse_iso(value: str) -> dt.datetime:
    """A datetime kept in a slot ("...Z" included: Python 3.10's fromisoformat does not read it)."""
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def say_refusal(dispatcher: CollectingDispatcher, refusal: BookingRefused) -> None:
    log.info("booking refused: %s", refusal.code)
    dispatcher.utter_message(
        response="utter_booking_refused",
        reason=refusal.message,
        reason_code=refusal.code,
    )


def say_unavailable(
    dispatcher: CollectingDispatcher,
    error: BookingUnavailable,
    tracker: Tracker,
    step: str,
    detail: str | None = None,
) -> str:
    """Apologises; returns the `awaiting` value that makes "OUI" run `step` again (every slot of
    the conversation is kept as it was)."""
    log.warning(
        "booking API unavailable during %s for %s: %s", step, mask_phone(phone(tracker)), error
    )
    dispatcher.utter_message(response="utter_booking_service_down")
    return retry(step, detail)


def slot_summary(slot: SlotOut) -> dict[str, Any]:
    """What the `proposed_slots` slot keeps about one engine slot (ISO dates)."""
    return {
        "id": slot.id,
        "starts_at": iso(slot.starts_at),
        "site": slot.site,
        "site_name": slot.site_name,
    }
