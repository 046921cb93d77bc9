""""My card expires on…": early, on time, late or expired, and the rights kept (bot.deadlines).
The date is remembered: it ranks the person on the waitlist (rights about to run out first)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import language, now
from bot.dates import PARIS, parse_expiry
from bot.deadlines import NoDeadline, assess


def rights_end(expiry: str | None, demarche: str | None) -> str | None:
    """Last day of kept rights for the waitlist priority (the expiry itself when unknown)."""
    if not expiry:
        return None
    if demarche:
        try:
            today = now().astimezone(PARIS).date()
            return assess(dt.date.fromisoformat(expiry), demarche, today).rights_end.isoformat()
        except (NoDeadline, KeyError, ValueError):
            pass
    return expiry


class ActionCheckExpiry(Action):
    def name(self) -> str:
        return "action_check_expiry"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = language(tracker)
        expiry = parse_expiry(tracker.latest_message.get("text") or "", lang, now())
        if expiry is None:
            dispatcher.utter_message(response="utter_expiry_not_understood")
            return []
        events: list[EventType] = [SlotSet("expiry_date", expiry.isoformat())]
        demarche = tracker.get_slot("demarche")
        try:
            if not demarche:
                raise NoDeadline("no démarche yet")
            assessment = assess(expiry, demarche, now().astimezone(PARIS).date())
        except (NoDeadline, KeyError):
            dispatcher.utter_message(response="utter_expiry_noted", expiry=expiry.isoformat())
            return events
        dispatcher.utter_message(
            response="utter_deadline",
            deadline_text=assessment.render(lang),
            status=assessment.status.value,
        )
        return events
