"""The démarche's checklist, a few lines per message so it fits an SMS, then "do you have it all?"."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import GuichetAction, demarche_of, language
from bot.catalogue import Demarche, DocumentRequirement

PAGE_SIZE = 4


def document_line(requirement: DocumentRequirement, lang: str) -> str:
    line = f"- {requirement.document.label(lang)}"
    if requirement.when is not None:
        line += f" ({requirement.when(lang)})"
    return line


def pages(demarche: Demarche) -> int:
    return max(1, -(-len(demarche.documents) // PAGE_SIZE))


def show_documents_step(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, in_form: bool, question: bool = True
) -> list[EventType]:
    """Shows page `documents_page` of the checklist, then SUITE or the yes/not-yet question."""
    lang = language(tracker)
    demarche = demarche_of(tracker)
    if demarche is None:
        dispatcher.utter_message(response="utter_ask_demarche")
        return []
    total = pages(demarche)
    page = min(int(tracker.get_slot("documents_page") or 0), total - 1)
    shown = demarche.documents[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    dispatcher.utter_message(
        response="utter_documents_page",
        demarche_name=demarche.name(lang),
        page=page + 1,
        pages=total,
        items="\n".join(document_line(r, lang) for r in shown),
    )
    if question:
        if page + 1 < total:
            dispatcher.utter_message(response="utter_documents_more")
        elif in_form:
            dispatcher.utter_message(response="utter_ask_documents_confirmed")
        else:
            dispatcher.utter_message(response="utter_documents_last_page")
    return [SlotSet("documents_page", page)]


def _in_form(tracker: Tracker) -> bool:
    return (tracker.active_loop or {}).get("name") == "booking_form"


class ActionShowDocuments(GuichetAction, action="action_show_documents"):
    """The checklist from its first page, asked for in the middle of something else (in the
    form, the form's own question follows, so none is added here)."""

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        tracker.slots["documents_page"] = 0
        return show_documents_step(
            dispatcher, tracker, in_form=False, question=not _in_form(tracker)
        )


class ActionMoreDocuments(GuichetAction, action="action_more_documents"):
    """SUITE outside the form: the next page (in the form, validate_booking_form turns it)."""

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        demarche = demarche_of(tracker)
        if demarche is None:
            dispatcher.utter_message(response="utter_menu")
            return []
        page = min(int(tracker.get_slot("documents_page") or 0) + 1, pages(demarche) - 1)
        tracker.slots["documents_page"] = page
        return show_documents_step(dispatcher, tracker, in_form=False)
