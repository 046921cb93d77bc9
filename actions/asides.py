"""Questions asked beside the conversation's own step: what the démarche costs, what to bring,
where to go. Answered from the catalogue in the form (booking_form._answered_aside) and after
it, once the démarche is known (action_fallback: "combien ça coûte ?" after a deadline reply)."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import catalogue, demarche_of, language
from actions.documents import labels
from bot.catalogue import Demarche, Site
from bot.catalogue.missing import documents_named
from bot.routing import fee_step
from bot.understanding import read_question


def answer_aside(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    demarche: Demarche,
    question: str | None,
    text: str,
) -> None:
    """The answer to a question asked beside the form's: from the catalogue when it has it (the
    fee, a document named or the list, the address once the site is known), else the counter."""
    lang = language(tracker)
    named = documents_named(text, catalogue().documents.values())
    if question == "fee":
        fee = fee_step(demarche)
        if fee is None:
            dispatcher.utter_message(response="utter_fee_unknown")
        else:
            dispatcher.utter_message(response="utter_fee", fee_text=fee.render(lang))
    elif question == "documents" or (question is None and named):
        listed = {r.document.code for r in demarche.to_prepare}
        for document in named:
            if document.code in listed:
                dispatcher.utter_message(
                    response="utter_document_explained",
                    document=document.label(lang),
                    explanation=document.explanation(lang),
                )
            else:
                dispatcher.utter_message(
                    response="utter_document_not_listed", document=document.label(lang)
                )
        if not named:
            needed = [r.document for r in demarche.to_prepare]
            dispatcher.utter_message(
                response="utter_documents_to_bring", documents=labels(needed, lang)
            )
    elif question == "place":
        site = confirmed_site(tracker)
        if site is not None:
            dispatcher.utter_message(
                response="utter_site_address", site_name=site.name, address=site.address
            )
        else:
            dispatcher.utter_message(response="utter_place_after_site")
    else:
        dispatcher.utter_message(response="utter_ask_at_the_counter")


def confirmed_site(tracker: Tracker) -> Site | None:
    """The site of the slot being confirmed (the form's site when the slot says none)."""
    chosen = str(tracker.get_slot("chosen_slot"))
    for proposed in tracker.get_slot("proposed_slots") or []:
        if str(proposed.get("id")) == chosen and proposed.get("site") in catalogue().sites:
            return catalogue().sites[proposed["site"]]
    return catalogue().sites.get(tracker.get_slot("site") or "")


def answered_after_the_form(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """The fee, the documents or the address asked once the démarche is known, outside the
    form: after "too early, come back in May", "combien ça coûte ?" got the out-of-scope answer
    and "qu'est-ce que je dois préparer en attendant ?" a "not understood". The address only
    with a site: without one, the form would ask the département, and this is no form."""
    demarche = demarche_of(tracker)
    text = (tracker.latest_message.get("text") or "").strip()
    if demarche is None or not text:
        return False
    question = read_question(text, language(tracker))
    if question not in ("fee", "documents", "place"):
        return False
    if question == "place" and confirmed_site(tracker) is None:
        return False
    answer_aside(dispatcher, tracker, demarche, question, text)
    return True
