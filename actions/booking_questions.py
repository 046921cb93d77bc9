"""The booking form's questions that need more than their `utter_ask_<slot>` response: the
routing core's numbered question, the documents checklist, the slots found, the summary."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import GuichetAction, catalogue, demarche_of, language, parse_iso
from actions.documents import show_documents_step
from actions.reading import facts_of
from bot.booking.codes import display_code
from bot.formatting import format_when
from bot.routing import route


class ActionAskDemarche(GuichetAction, action="action_ask_demarche"):
    """The routing core's one numbered question, or an open question when nothing is known."""

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        lang = language(tracker)
        result = route(facts_of(tracker), tracker.get_slot("site"))
        if result.question is None:
            dispatcher.utter_message(response="utter_ask_demarche")
            return []
        dispatcher.utter_message(
            response="utter_route_question",
            question=result.question.render(lang),
            buttons=[
                {"title": o.render(lang), "payload": o.payload} for o in result.question.options
            ],
        )
        return []


class ActionAskDocumentsConfirmed(GuichetAction, action="action_ask_documents_confirmed"):
    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        return show_documents_step(dispatcher, tracker, in_form=True)


class ActionAskChosenSlot(GuichetAction, action="action_ask_chosen_slot"):
    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        lang = language(tracker)
        proposed = tracker.get_slot("proposed_slots") or []
        site = catalogue().sites.get(tracker.get_slot("site") or "")
        dispatcher.utter_message(
            response="utter_ask_chosen_slot",
            site_name=site.name if site else proposed[0]["site_name"],
            buttons=[
                {
                    "title": format_when(parse_iso(p["starts_at"]), lang),
                    "payload": f'/inform{{"slot_ref":"{p["id"]}"}}',
                }
                for p in proposed
            ],
        )
        return []


class ActionAskBookingConfirmed(GuichetAction, action="action_ask_booking_confirmed"):
    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        lang = language(tracker)
        chosen = _chosen(tracker)
        demarche = demarche_of(tracker)
        if chosen is None or demarche is None:
            # Nothing to confirm (the proposals were reset): ask the day again rather than
            # show a confirmation with a hole where the date should be.
            dispatcher.utter_message(response="utter_ask_date_text")
            return [SlotSet("chosen_slot", None), SlotSet("date_text", None)]
        params = {
            "when": chosen["starts_at"],
            "site_name": chosen["site_name"],
            "demarche_name": demarche.name(lang),
        }
        code = tracker.get_slot("reschedule_code")
        if code:
            # Written as every other message writes it (« GXBJ-WU3K », not « GXBJWU3K »).
            dispatcher.utter_message(
                response="utter_ask_reschedule_confirmed", code=display_code(code), **params
            )
        else:
            dispatcher.utter_message(response="utter_ask_booking_confirmed", **params)
        return []


def _chosen(tracker: Tracker) -> dict[str, Any] | None:
    wanted = tracker.get_slot("chosen_slot")
    for proposed in tracker.get_slot("proposed_slots") or []:
        if str(proposed["id"]) == str(wanted):
            return proposed
    return None
