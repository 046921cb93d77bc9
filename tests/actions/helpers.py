"""Trackers as Rasa would send them to the action server, and a runner for actions."""

from __future__ import annotations

import asyncio
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.booking.client import close_shared_clients
from bot.config import PROJECT_ROOT

PHONE = "+33612345678"


@lru_cache(maxsize=1)
def domain() -> dict[str, Any]:
    """The domain/ files merged the way Rasa sends the domain to the action server."""
    merged: dict[str, Any] = {
        "slots": {},
        "forms": {},
        "responses": {},
        "actions": [],
        "intents": [],
    }
    for path in sorted(Path(PROJECT_ROOT / "domain").glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in ("slots", "forms", "responses"):
            merged[key].update(part.get(key) or {})
        for key in ("actions", "intents"):
            merged[key].extend(part.get(key) or [])
    return merged


def tracker(
    slots: dict[str, Any] | None = None,
    *,
    text: str = "",
    intent: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
    events: list[dict[str, Any]] | None = None,
    language: str = "fr",
) -> Tracker:
    values = {name: spec.get("initial_value") for name, spec in domain()["slots"].items()}
    values.update({"language": language, "phone": PHONE, "requested_slot": None})
    values.update(slots or {})
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0} if intent else {},
        "entities": entities or [],
        # On SMS the phone the gateway proves is the conversation's (the slot holds the same).
        "metadata": {"channel": "sms", "language": language, "phone": values["phone"]},
    }
    return Tracker(
        sender_id="conversation-" + str(values["phone"]),
        slots=values,
        latest_message=latest,
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


class Run:
    """What one action run produced: the responses it dispatched and the events it returned."""

    def __init__(self, dispatcher: CollectingDispatcher, events: list[dict[str, Any]]) -> None:
        self.messages = dispatcher.messages
        self.events = events

    @property
    def responses(self) -> list[str]:
        return [m.get("response") for m in self.messages]

    def message(self, response: str) -> dict[str, Any]:
        return next(m for m in self.messages if m.get("response") == response)

    @property
    def slots(self) -> dict[str, Any]:
        return {e["name"]: e["value"] for e in self.events if e.get("event") == "slot"}


def run(action: Action, state: Tracker) -> Run:
    """Runs the action in its own event loop, as the action server would, then closes the
    loop's shared booking client (the action server does that at shutdown)."""
    dispatcher = CollectingDispatcher()

    async def once() -> list[dict[str, Any]]:
        try:
            return await action.run(dispatcher, state, domain())
        finally:
            await close_shared_clients()

    return Run(dispatcher, asyncio.run(once()))


def entity(name: str, value: str) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": len(value)}


def form_turn(
    slots: dict[str, Any],
    extracted: dict[str, Any] | None = None,
    *,
    requested: str | None,
    text: str = "",
    intent: str = "inform",
    entities: list[dict[str, Any]] | None = None,
    language: str = "fr",
    before: list[dict[str, Any]] | None = None,
) -> Tracker:
    """A tracker as the form's validation action sees it: the slots Rasa just extracted from
    the message are the last events (that is how `slots_to_validate` finds them); `before`,
    the earlier turns (see `said_before`)."""
    extracted = extracted or {}
    events = [*(before or []), {"event": "user", "text": text}] + [
        {"event": "slot", "name": name, "value": value} for name, value in extracted.items()
    ]
    return tracker(
        {**slots, **extracted, "requested_slot": requested},
        text=text,
        intent=intent,
        entities=entities,
        active_loop="booking_form",
        events=events,
        language=language,
    )


def said_before(*turns: tuple[str, list[str]]) -> list[dict[str, Any]]:
    """Earlier turns as Rasa stores them: the person's message, then the assistant's messages
    with the response each rendered (`utter_action`)."""
    events: list[dict[str, Any]] = []
    for text, responses in turns:
        events.append({"event": "user", "text": text})
        events += [
            {"event": "bot", "text": name, "metadata": {"utter_action": name}} for name in responses
        ]
        events.append({"event": "action", "name": "action_listen"})
    return events


def apply(slots: dict[str, Any], result: Run) -> dict[str, Any]:
    """The slots after an action's events, as Rasa would hold them."""
    return {**slots, **result.slots}
