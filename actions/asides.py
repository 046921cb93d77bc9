"""Questions asked beside the conversation's own step: what the démarche costs, what to bring,
where to go. Answered from the catalogue in the form (booking_form._answered_aside) and after
it, once the démarche is known (action_fallback: "combien ça coûte ?" after a deadline reply)."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import catalogue, demarche_of, language
from actions.deadlines import assessed_today
from actions.documents import documents_asked_about, explain_documents, labels
from bot.catalogue import Demarche, Departement, Site, resolve_departement, resolve_site
from bot.routing import RouteResult, RouteStatus, fee_step, next_steps
from bot.understanding import read_place, read_question


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
    named, how = documents_asked_about(tracker, text)
    if question == "fee":
        fee = fee_step(demarche)
        if fee is None:
            dispatcher.utter_message(response="utter_fee_unknown")
        else:
            dispatcher.utter_message(response="utter_fee", fee_text=fee.render(lang))
    elif question == "documents" or (question is None and named) or (how and named):
        explain_documents(dispatcher, demarche, named, lang, how=how)
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
    """A question asked once the démarche is known, outside the form: after "too early, come
    back in May" or an online door, "combien ça coûte ?" got the out-of-scope answer, "qu'est-ce
    que je dois préparer en attendant ?" and "pourquoi si tôt ?" a "not understood", "c'est où
    la préfecture ?" then "j'habite à Grenoble" ended on "je vous explique mal". Answered: the
    fee, the documents, the filing window, where to go. False for any other message."""
    demarche = _known_demarche(tracker)
    text = (tracker.latest_message.get("text") or "").strip()
    if demarche is None or not text:
        return False
    question = read_question(text, language(tracker))
    if question in ("fee", "documents") or (question == "place" and confirmed_site(tracker)):
        answer_aside(dispatcher, tracker, demarche, question, text)
        return True
    if question == "why":
        return _said_the_window(dispatcher, tracker, demarche)
    if question in ("place", None) or (question == "online" and demarche.booking is None):
        return _said_where_to_go(dispatcher, tracker, demarche, question, text)
    return False


def _said_where_to_go(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    demarche: Demarche,
    question: str | None,
    text: str,
) -> bool:
    """The démarche's site in the place named, or which place; for a démarche done online, its
    door with the Point d'Accueil Numérique there. False when nothing asks or names a place."""
    sites = sites_named(text)
    # Unasked, one digit is a menu's number, not the Ain: « 1 » after a page that said « send
    # MORE » got « I don't book for Bourg-en-Bresse (01) yet » (session 27, as a phone).
    unasked_number = question is None and text.isdigit() and len(text) == 1
    if question is None and not sites and (unasked_number or departement_named(text) is None):
        return False
    lang = language(tracker)
    if question == "online" and not sites and confirmed_site(tracker) is None:
        # "C koi anef ?", "je sais pas utiliser internet": a PAN mediator does it with them;
        # which one depends on the town.
        dispatcher.utter_message(response="utter_online_help_ask_town")
        return True
    if demarche.booking is None:
        # Done online wherever the person lives: its door again, with the Point d'Accueil
        # Numérique of the place named, where a mediator helps (bot.routing.next_steps).
        site = sites[0] if sites else confirmed_site(tracker)
        door = RouteResult(
            RouteStatus.RESOLVED, (demarche.code,), demarche, next_steps(demarche, site)
        )
        dispatcher.utter_message(
            response="utter_demarche_elsewhere",
            demarche_name=demarche.name(lang),
            route_text=door.render(lang),
        )
        return True
    offering = [site for site in sites if demarche.code in site.demarches]
    if offering:
        dispatcher.utter_message(
            response="utter_site_of_demarche",
            site_name=offering[0].name,
            address=offering[0].address,
        )
    elif not say_place_not_bookable(dispatcher, sites, text):
        dispatcher.utter_message(response="utter_ask_site_for_address")
    return True


def _said_the_window(
    dispatcher: CollectingDispatcher, tracker: Tracker, demarche: Demarche
) -> bool:
    """ "Pourquoi si tôt ?" after "too early, from 1 January": the renewal is filed within a
    window before the title ends (data/catalogue/deadlines.yml, its sources), with the person's
    own dates. Nothing to say without a deadline or an expiry date."""
    expiry = tracker.get_slot("expiry_date")
    assessment = assessed_today(expiry, demarche.code) if expiry else None
    if assessment is None:
        return False
    dispatcher.utter_message(
        response="utter_filing_window",
        opens=assessment.window_opens.isoformat(),
        closes=assessment.window_closes.isoformat(),
    )
    return True


def _known_demarche(tracker: Tracker) -> Demarche | None:
    """The démarche being booked, else the one whose door elsewhere (ANEF, NATALI) was given:
    nothing is booked there, so it sets no démarche slot."""
    return demarche_of(tracker) or catalogue().demarches.get(tracker.get_slot("door") or "")


def sites_named(text: str) -> list[Site]:
    """The sites a place names: the catalogue's names, else the sentence reader's spellings
    ("دوردوني", "٢٤")."""
    sites = resolve_site(text, catalogue())
    if sites:
        return sites
    place = read_place(text, None)
    return [catalogue().sites[code] for code in place.sites] if place else []


def departement_named(text: str) -> Departement | None:
    """The one département a place names, whether or not Guichet books there."""
    found = resolve_departement(text, catalogue())
    place = read_place(text, None) if found is None else None
    if place is not None and len(place.departements) == 1:
        found = catalogue().departements[place.departements[0]]
    return found


def say_place_not_bookable(dispatcher: CollectingDispatcher, sites: list[Site], text: str) -> bool:
    """Why a place read cannot be booked for the démarche (its préfecture does not take it, or
    Guichet does not book there yet); False when the text names no place at all."""
    if sites:
        dispatcher.utter_message(response="utter_site_no_such_demarche", site_name=sites[0].name)
        return True
    if unserved := departement_named(text):
        dispatcher.utter_message(
            response="utter_site_not_served", city=unserved.prefecture, code=unserved.code
        )
        return True
    return False
