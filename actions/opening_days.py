"""'Which days?' ("c koi les jours dispo", "أي أيام متاحة"): the weekly days the démarche opens
at the site, then the next free slots, at any step of the conversation."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.booking_search import MAX_PROPOSED, opening_days
from actions.common import (
    GuichetAction,
    catalogue,
    client,
    demarche_of,
    in_form,
    language,
    say_refusal,
    say_unavailable,
    slot_summary,
)
from actions.manage import answer_about_a_booking
from actions.reading import for_the_form
from bot.booking.client import BookingRefused, BookingUnavailable
from bot.formatting import format_when


class ActionOpeningDays(GuichetAction, action="action_opening_days", step="opening_days"):
    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        if (
            not in_form(tracker)
            and (answer := await answer_about_a_booking(dispatcher, tracker)) is not None
        ):
            # « زما رانډیوو ته نه شم تلای، بلې ورځې ته یې واړوئ » (I can't go to my appointment,
            # move it to another day) was heard as "which days?" and got "say your démarche
            # first" (session 27, a dev conversation by SMS): the sentence says a move.
            return answer
        lang = language(tracker)
        demarche = demarche_of(tracker)
        site = catalogue().sites.get(tracker.get_slot("site") or "")
        if demarche is None and for_the_form(tracker):
            return [FollowupAction("booking_form")]  # the form finds the démarche, then the days
        if demarche is None or demarche.booking is None or site is None:
            dispatcher.utter_message(response="utter_opening_days_needs_details")
            return []
        try:
            # Not the person's own search (no phone): it informs, the journal keeps their asks.
            result = await client().search(
                demarche=demarche.code, site=site.code, limit=MAX_PROPOSED, language=lang
            )
        except BookingUnavailable as error:
            return [
                SlotSet("awaiting", say_unavailable(dispatcher, error, tracker, "opening_days"))
            ]
        except BookingRefused as refusal:
            say_refusal(dispatcher, refusal)
            return []
        days = opening_days(demarche.code, site.code, lang)
        if not result.slots:
            dispatcher.utter_message(response="utter_opening_days_none_free", opening_days=days)
            return []
        free = result.slots[:MAX_PROPOSED]
        dispatcher.utter_message(
            response="utter_opening_days",
            items="\n".join(
                f"{n}. {format_when(s.starts_at, lang)}" for n, s in enumerate(free, 1)
            ),
            opening_days=days,
        )
        if tracker.get_slot("requested_slot") == "chosen_slot":
            # In the form at the slot question: "2" now picks from these.
            return [SlotSet("proposed_slots", [slot_summary(s) for s in free])]
        return []
