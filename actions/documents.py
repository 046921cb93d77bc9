"""The démarche's checklist, a few lines per message so it fits an SMS, then "do you have it all?";
and the answer to "I lack this one": how to get it, and whether booking can go ahead anyway."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import GuichetAction, catalogue, demarche_of, language
from actions.reading import names_a_demarche
from bot.catalogue import Demarche, Document, DocumentRequirement
from bot.catalogue.missing import (
    asks_how_to_get,
    documents_lacking,
    documents_named,
    says_lacking,
)

PAGE_SIZE = 4


def document_line(requirement: DocumentRequirement, lang: str) -> str:
    line = f"- {requirement.document.label(lang)}"
    if requirement.when is not None:
        line += f" ({requirement.when(lang)})"
    return line


def pages(demarche: Demarche) -> int:
    return max(1, -(-len(demarche.to_prepare) // PAGE_SIZE))


def labels(documents: list[Document] | tuple[Document, ...], lang: str) -> str:
    return ", ".join(document.label(lang) for document in documents)


def bring_documents(tracker: Tracker) -> list[Document]:
    """The documents the person said they lack but may bring on the day (`missing_documents`)."""
    documents = catalogue().documents
    return [documents[c] for c in tracker.get_slot("missing_documents") or [] if c in documents]


def missing_named(tracker: Tracker) -> tuple[Document, ...]:
    """The documents this message says are missing (none when it names none). Whatever Rasa
    heard, a sentence with a word of lacking says it: « عندي كل شيء إلا فاتورة باسمي » (I have
    everything except a bill in my name) was a yes or not understood (session 26)."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    text = tracker.latest_message.get("text") or ""
    if intent not in ("missing_documents", "deny") and not says_lacking(text):
        return ()
    return documents_lacking(text, catalogue().documents.values())


def _previous_text(tracker: Tracker) -> str:
    """What the person wrote before this message (empty at the first)."""
    users = [e for e in reversed(tracker.events) if e.get("event") == "user"]
    return str(users[1].get("text") or "") if len(users) > 1 else ""


def documents_asked_about(
    tracker: Tracker, text: str | None = None
) -> tuple[tuple[Document, ...], bool]:
    """The documents this message asks about, and whether it asks where or how to get them.
    « فين نشريه » (where do I buy it?) right after « ماعنديش التامبر » is about the timbre: it got
    "no préfecture for « فين نشريه »", and « où acheter le timbre fiscal ? » the first page of
    the checklist, without the timbre (session 28, as a phone)."""
    if text is None:
        text = tracker.latest_message.get("text") or ""
    documents = catalogue().documents.values()
    how = asks_how_to_get(text)
    named = documents_named(text, documents)
    if not named and how:
        named = documents_named(_previous_text(tracker), documents)
    return named, how


def explain_documents(
    dispatcher: CollectingDispatcher,
    demarche: Demarche | None,
    named: tuple[Document, ...],
    lang: str,
    *,
    how: bool,
) -> None:
    """Each named document: how to get it when that is asked (and known), else what it is; or
    that the démarche does not ask for it (None: not known yet, nothing to say of that)."""
    listed = {r.document.code for r in demarche.to_prepare} if demarche else None
    for document in named:
        if listed is not None and document.code not in listed:
            dispatcher.utter_message(
                response="utter_document_not_listed", document=document.label(lang)
            )
        elif how and document.how_to_get:
            dispatcher.utter_message(
                response="utter_document_how_to_get",
                document=document.label(lang),
                how=document.how_to_get.text(lang),
            )
        else:
            dispatcher.utter_message(
                response="utter_document_explained",
                document=document.label(lang),
                explanation=document.explanation(lang),
            )


def answer_missing(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    named: tuple[Document, ...],
    *,
    in_form: bool,
) -> dict[str, Any]:
    """How to get each named document; booking goes on when all can be had the same day (the
    convocation and the reminder then say to bring them), else the person gathers them first.
    Returns the slots to set."""
    lang = language(tracker)
    for document in named:
        how = document.how_to_get.text(lang) if document.how_to_get else document.explanation(lang)
        dispatcher.utter_message(
            response="utter_document_how_to_get", document=document.label(lang), how=how
        )
    to_bring = [d for d in named if not d.from_booking]
    # What was said missing before stays to bring: the photos at the page, the timbre later.
    said_before = [c for c in tracker.get_slot("missing_documents") or [] if isinstance(c, str)]
    missing = [*said_before, *(d.code for d in to_bring if d.code not in said_before)]
    if all(d.quick or d.from_booking for d in named):
        if to_bring:
            dispatcher.utter_message(
                response="utter_documents_book_anyway"
                if in_form
                else "utter_documents_book_anyway_menu",
                documents=labels(to_bring, lang),
            )
        return {"documents_confirmed": True, "missing_documents": missing}
    dispatcher.utter_message(response="utter_documents_gather_first")
    # In the form, False ends it (the submit says nothing more); outside, the checklist is
    # asked again when they book.
    return {"documents_confirmed": False if in_form else None, "missing_documents": missing}


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
    shown = demarche.to_prepare[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
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
        if demarche_of(tracker) is None and names_a_demarche(tracker):
            # Rasa's "missing documents" on a sentence that names the démarche ("I don't have
            # papers" of a person without a titre, "get the French passport"): the door.
            return [FollowupAction("booking_form")]
        named = missing_named(tracker)
        if named:
            # "Pas encore les photos": that document, not the whole list again.
            changes = answer_missing(dispatcher, tracker, named, in_form=_in_form(tracker))
            return [SlotSet(name, value) for name, value in changes.items()]
        asked, how = documents_asked_about(tracker)
        if asked:
            # "Où acheter le timbre fiscal ?": that document, not the checklist's first page;
            # before the démarche too (« а что такое timbre fiscal? » got « which procedure? »,
            # session 30, as a phone): what it is and how to get it do not depend on it.
            explain_documents(dispatcher, demarche_of(tracker), asked, language(tracker), how=how)
            return []
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
