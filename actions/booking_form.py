"""The booking form: démarche → documents → site → day → slot → phone → numéro étranger →
confirmation, then one submit action that acts on how the form ended.

The form ends early, on purpose, in four cases that `required_slots` detects: the démarche is
not booked at the préfecture (the submit shows the right door), the documents are not ready,
no slot is free (waitlist offer + proof), or there is no booking to move. One form and one
submit keep every path visible in data/rules.yml.
"""

from __future__ import annotations

import hashlib
import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions.common import (
    AWAIT_WAITLIST,
    NO_BOOKING,
    NO_SLOT,
    catalogue,
    client,
    demarche_of,
    iso,
    language,
    now,
    parse_iso,
    phone,
    say_refusal,
    say_unavailable,
    slot_summary,
    step,
)
from actions.documents import show_documents_step
from bot.booking.client import BookingRefused, BookingUnavailable
from bot.booking.identity import (
    InvalidNumeroEtranger,
    InvalidPhone,
    normalise_numero_etranger,
    normalise_phone,
)
from bot.catalogue import resolve_site
from bot.dates import understand
from bot.formatting import format_when
from bot.routing import RouteStatus, route
from bot.text import ascii_digits

log = logging.getLogger(__name__)

FORM = "booking_form"
MAX_PROPOSED = 3
FACT_SLOTS = ("procedure_kind", "title_type", "topic")
# Slots emptied once the form's outcome is acted on (démarche, site, phone stay for next time).
ATTEMPT_SLOTS = (
    "date_text",
    "date_request",
    "proposed_slots",
    "chosen_slot",
    "booking_confirmed",
    "reschedule_code",
    "retry_text",
)
# Intents that change the subject in the middle of the form (data/rules.yml answers them). A
# free-text answer classified as one of them is still taken as the answer when it reads like
# one ("la semaine prochaine" misread as goodbye is still a day): see _free_text_answer.
SWITCH_INTENTS = frozenset(
    {
        "help", "menu", "ask_documents", "give_expiry", "deadline_alerts", "change_language",
        "cancel_appointment", "reschedule_appointment", "my_appointment", "my_proof", "goodbye",
        "need_procedure",
    }
)


def facts_of(tracker: Tracker) -> dict[str, str]:
    return {name: tracker.get_slot(name) for name in FACT_SLOTS if tracker.get_slot(name)}


def _facts_changed_now(tracker: Tracker) -> bool:
    """True when this very message brought a routing fact (an entity or a button payload)."""
    return any(e.get("entity") in FACT_SLOTS for e in tracker.latest_message.get("entities", []))


def _latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def _free_text_answer(
    tracker: Tracker, slot: str, reads_as_answer: Callable[[str], bool]
) -> dict[str, Any]:
    """The message as the answer to `slot`, unless it changes the subject.

    Returning nothing makes the form reject the message, so the rules handle the switch
    (help, menu, cancel…) and the form resumes or stops.
    """
    if tracker.get_slot("requested_slot") != slot or slot in tracker.slots_to_validate():
        return {}
    text = (tracker.latest_message.get("text") or "").strip()
    if not text or text.startswith("/"):
        return {}  # empty, or a button payload (its intent and entities speak for it)
    if reads_as_answer(text) or _latest_intent(tracker) not in SWITCH_INTENTS:
        return {slot: text}
    return {}


def _digits(text: str) -> str:
    return re.sub(r"\D", "", ascii_digits(text))


def _reset(names: tuple[str, ...]) -> list[EventType]:
    return [SlotSet(name, None) for name in names]


class ValidateBookingForm(FormValidationAction):
    def name(self) -> str:
        return "validate_booking_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        slots = list(domain_slots)

        def up_to(name: str) -> list[str]:
            return slots[: slots.index(name) + 1]

        if tracker.get_slot("reschedule_code") == NO_BOOKING:
            return []
        if tracker.get_slot("reschedule_code"):
            # Moving a booking: same démarche and site, only the new day and slot, confirmed.
            return ["date_text", "chosen_slot", "booking_confirmed"]
        demarche = demarche_of(tracker)
        if demarche is not None and demarche.booking is None:
            return up_to("demarche")
        if tracker.get_slot("documents_confirmed") is False:
            return up_to("documents_confirmed")
        if tracker.get_slot("chosen_slot") == NO_SLOT:
            return up_to("chosen_slot")
        if demarche is not None and not demarche.booking.needs_numero_etranger:
            slots.remove("numero_etranger")
        return slots

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventType | None:
        # rasa-sdk leaves the choice to Rasa when the list equals the domain's; deciding here
        # every time keeps one place (required_slots) that says what comes next.
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        missing = (name for name in required if tracker.slots.get(name) is None)
        return SlotSet(REQUESTED_SLOT, next(missing, None))

    # -- démarche (capability 2) ---------------------------------------------------------

    async def extract_demarche(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Routes the facts when the form starts, or when a new démarche is described mid-form."""
        starting = tracker.get_slot("requested_slot") is None
        switching = _latest_intent(tracker) == "need_procedure" and _facts_changed_now(tracker)
        if not (starting or switching) or not facts_of(tracker):
            return {}
        result = route(facts_of(tracker), tracker.get_slot("site"))
        code = result.demarche.code if result.status is RouteStatus.RESOLVED else None
        if code == tracker.get_slot("demarche"):
            return {}
        if code is None and starting and tracker.get_slot("demarche"):
            return {}
        changes: dict[str, Any] = {"demarche": code}
        if tracker.get_slot("demarche"):
            # Another démarche: its own documents, slots and confirmation.
            changes.update({name: None for name in (*ATTEMPT_SLOTS, "documents_confirmed")})
            changes["documents_page"] = 0
        return changes

    async def validate_demarche(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value is None:
            return {"demarche": None}
        lang = language(tracker)
        code = str(value)
        if code not in catalogue().demarches:
            # Free text answering the question: the facts its entities brought decide.
            result = route(facts_of(tracker), tracker.get_slot("site"))
            if result.status is not RouteStatus.RESOLVED:
                if result.status is RouteStatus.NOT_COVERED:
                    dispatcher.utter_message(response="utter_route", route_text=result.render(lang))
                    return {"demarche": None, **{name: None for name in FACT_SLOTS}}
                return {"demarche": None}
            code = result.demarche.code
        demarche = catalogue().demarches[code]
        if demarche.booking is not None:
            dispatcher.utter_message(response="utter_demarche_found", demarche_name=demarche.name(lang))
        return {"demarche": code, "documents_page": 0}

    # -- documents (capability 3) --------------------------------------------------------

    async def validate_documents_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        # True / False come from the yes / not-yet intents. SUITE turns the page (the form then
        # asks again, showing it); anything else asks again.
        if isinstance(value, bool):
            return {"documents_confirmed": value}
        if _latest_intent(tracker) == "more":
            return {"documents_confirmed": None, "documents_page": int(tracker.get_slot("documents_page") or 0) + 1}
        return {"documents_confirmed": None}

    # -- free-text answers ---------------------------------------------------------------

    async def extract_site(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return _free_text_answer(tracker, "site", lambda text: bool(resolve_site(text, catalogue())))

    async def extract_date_text(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        lang = language(tracker)
        return _free_text_answer(tracker, "date_text", lambda text: understand(text, lang, now()) is not None)

    async def extract_chosen_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        proposed = tracker.get_slot("proposed_slots") or []
        return _free_text_answer(tracker, "chosen_slot", lambda text: _pick(text, proposed) is not None)

    async def extract_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return _free_text_answer(tracker, "phone", lambda text: len(_digits(text)) >= 9)

    async def extract_numero_etranger(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return _free_text_answer(tracker, "numero_etranger", lambda text: len(_digits(text)) == 10)

    # -- site ----------------------------------------------------------------------------

    async def validate_site(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value is None:
            return {"site": None}
        text = str(value).strip()
        if text in catalogue().sites:
            return {"site": text}
        sites = resolve_site(text, catalogue())
        demarche = tracker.get_slot("demarche")
        # Before the démarche is known (a place given first), any site of that place will do.
        offering = [s for s in sites if demarche is None or demarche in s.demarches]
        if offering:
            return {"site": offering[0].code}
        if sites:
            dispatcher.utter_message(response="utter_site_no_such_demarche", site_name=sites[0].name)
        else:
            dispatcher.utter_message(response="utter_site_not_found", query=text)
        return {"site": None}

    # -- day and slot (capabilities 5 and 6) ---------------------------------------------

    async def validate_date_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value is None:
            return {"date_text": None}
        text = str(value)
        if _latest_intent(tracker) == "affirm" and tracker.get_slot("retry_text"):
            text = tracker.get_slot("retry_text")  # "OUI" after an outage: search again
        return await search_slots(text, dispatcher, tracker)

    async def validate_chosen_slot(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value is None or value == NO_SLOT:
            return {"chosen_slot": value}
        proposed = tracker.get_slot("proposed_slots") or []
        chosen = _pick(str(value), proposed)
        if chosen is not None:
            return {"chosen_slot": str(chosen["id"])}
        # Not a number from the list: maybe another day ("plutôt jeudi"), so search again.
        lang = language(tracker)
        if understand(str(value), lang, now()) is not None:
            return await search_slots(str(value), dispatcher, tracker)
        dispatcher.utter_message(response="utter_slot_choice_invalid", count=len(proposed))
        return {"chosen_slot": None}

    # -- identity ------------------------------------------------------------------------

    async def validate_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value is None:
            return {"phone": None}
        try:
            return {"phone": normalise_phone(str(value))}
        except InvalidPhone:
            dispatcher.utter_message(response="utter_phone_invalid")
            return {"phone": None}

    async def validate_numero_etranger(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value is None:
            return {"numero_etranger": None}
        try:
            return {"numero_etranger": normalise_numero_etranger(str(value))}
        except InvalidNumeroEtranger:
            dispatcher.utter_message(response="utter_numero_etranger_invalid")
            return {"numero_etranger": None}

    async def validate_booking_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return {"booking_confirmed": value if isinstance(value, bool) else None}


def _pick(text: str, proposed: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The proposed slot meant by a button payload (its id) or a typed number (1, 2, 3)."""
    by_id = {str(p["id"]): p for p in proposed}
    cleaned = ascii_digits(text).strip()
    if cleaned in by_id:
        return by_id[cleaned]
    match = re.fullmatch(r"\D{0,12}?(\d)\D{0,12}", cleaned)
    if match and 1 <= int(match.group(1)) <= len(proposed):
        return proposed[int(match.group(1)) - 1]
    return None


async def search_slots(
    text: str, dispatcher: CollectingDispatcher, tracker: Tracker
) -> dict[str, Any]:
    """Reads the day asked for, and asks the engine (one call, journaled as proof)."""
    lang = language(tracker)
    request = understand(text, lang, now())
    if request is None:
        dispatcher.utter_message(response="utter_date_not_understood")
        return {"date_text": None}
    try:
        with client(lang) as api:
            result = api.search(
                demarche=tracker.get_slot("demarche"),
                site=tracker.get_slot("site"),
                date_from=request.start,
                date_to=request.end,
                part_of_day=request.part_of_day,
                limit=MAX_PROPOSED,
                phone=phone(tracker),
                language=lang,
            )
    except BookingUnavailable as error:
        # In the form, "OUI" comes back as the answer to the same question: retry_text holds
        # what to search again (validate_date_text), instead of the `awaiting` slot.
        say_unavailable(dispatcher, error, "search", tracker)
        return {"date_text": None, "retry_text": text}
    except BookingRefused as refusal:
        say_refusal(dispatcher, refusal, lang)
        return {"date_text": None}
    date_request = {
        "not_before": iso(request.start),
        "not_after": iso(request.end),
        "part_of_day": request.part_of_day,
        "checked_at": result["checked_at"],
    }
    if not result["slots"]:
        return {
            "date_text": text,
            "date_request": date_request,
            "proposed_slots": [],
            "chosen_slot": NO_SLOT,
            "retry_text": None,
        }
    return {
        "date_text": text,
        "date_request": date_request,
        "proposed_slots": [slot_summary(s) for s in result["slots"][:MAX_PROPOSED]],
        "chosen_slot": None,
        "retry_text": None,
    }


# -- ask actions -------------------------------------------------------------------------


class AskForSlot(Action, ABC):
    """Asks for a form slot with its `utter_ask_<slot>` response (rendered by the NLG)."""

    @property
    @abstractmethod
    def slot(self) -> str: ...

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response=f"utter_ask_{self.slot}")
        return []


class ActionAskSite(AskForSlot):
    slot = "site"


class ActionAskDateText(AskForSlot):
    slot = "date_text"


class ActionAskPhone(AskForSlot):
    slot = "phone"


class ActionAskNumeroEtranger(AskForSlot):
    slot = "numero_etranger"


class ActionAskDemarche(Action):
    """The routing core's one numbered question, or an open question when nothing is known."""

    def name(self) -> str:
        return "action_ask_demarche"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = language(tracker)
        result = route(facts_of(tracker), tracker.get_slot("site"))
        if result.question is None:
            dispatcher.utter_message(response="utter_ask_demarche")
            return []
        dispatcher.utter_message(
            response="utter_route_question",
            question=result.question.render(lang),
            buttons=[{"title": o.render(lang), "payload": o.payload} for o in result.question.options],
        )
        return []


class ActionAskDocumentsConfirmed(Action):
    def name(self) -> str:
        return "action_ask_documents_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return show_documents_step(dispatcher, tracker, in_form=True)


class ActionAskChosenSlot(Action):
    def name(self) -> str:
        return "action_ask_chosen_slot"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = language(tracker)
        proposed = tracker.get_slot("proposed_slots") or []
        site = catalogue().sites.get(tracker.get_slot("site") or "")
        dispatcher.utter_message(
            response="utter_ask_chosen_slot",
            site_name=site.name if site else "",
            buttons=[
                {
                    "title": format_when(parse_iso(p["starts_at"]), lang),
                    "payload": f'/inform{{"slot_ref":"{p["id"]}"}}',
                }
                for p in proposed
            ],
        )
        return []


class ActionAskBookingConfirmed(Action):
    def name(self) -> str:
        return "action_ask_booking_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = language(tracker)
        chosen = _chosen(tracker)
        demarche = demarche_of(tracker)
        site = catalogue().sites.get(tracker.get_slot("site") or "")
        params = {
            "when": chosen["starts_at"] if chosen else None,
            "site_name": site.name if site else "",
            "demarche_name": demarche.name(lang) if demarche else "",
            "code": tracker.get_slot("reschedule_code"),
        }
        name = "utter_ask_reschedule_confirmed" if tracker.get_slot("reschedule_code") else "utter_ask_booking_confirmed"
        dispatcher.utter_message(response=name, **params)
        return []


def _chosen(tracker: Tracker) -> dict[str, Any] | None:
    wanted = tracker.get_slot("chosen_slot")
    for proposed in tracker.get_slot("proposed_slots") or []:
        if str(proposed["id"]) == str(wanted):
            return proposed
    return None


def _idempotency_key(tracker: Tracker, slot_id: str) -> str:
    """Same conversation, person and slot → same key: a retried "OUI" never books twice."""
    raw = f"{tracker.sender_id}|{phone(tracker)}|{slot_id}"
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


# -- submit ------------------------------------------------------------------------------


@step("submit_booking")
async def submit_booking(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    lang = language(tracker)
    demarche = demarche_of(tracker)
    done = _reset(ATTEMPT_SLOTS)
    if tracker.get_slot("reschedule_code") == NO_BOOKING:
        return done
    if demarche is None:
        dispatcher.utter_message(response="utter_menu")
        return done
    if demarche.booking is None:
        # Not booked at the préfecture: the routing core says where it is done instead.
        result = route(facts_of(tracker) or {}, tracker.get_slot("site"))
        text = result.render(lang) if result.demarche is demarche else demarche.where_detail.what_to_do(lang)
        dispatcher.utter_message(
            response="utter_demarche_elsewhere", demarche_name=demarche.name(lang), route_text=text
        )
        return [*done, SlotSet("demarche", None), *_reset(FACT_SLOTS)]
    if tracker.get_slot("documents_confirmed") is False:
        dispatcher.utter_message(
            response="utter_documents_missing",
            items="\n".join(f"- {r.document.label(lang)}" for r in demarche.documents),
        )
        return [*done, SlotSet("documents_confirmed", None), SlotSet("documents_page", 0)]
    site = catalogue().sites.get(tracker.get_slot("site") or "")
    if tracker.get_slot("chosen_slot") == NO_SLOT:
        checked_at = (tracker.get_slot("date_request") or {}).get("checked_at")
        dispatcher.utter_message(
            response="utter_no_slot", site_name=site.name if site else "", checked_at=checked_at
        )
        # Kept for the waitlist: the day asked for and the site.
        return [
            SlotSet("chosen_slot", None),
            SlotSet("proposed_slots", None),
            SlotSet("awaiting", AWAIT_WAITLIST),
        ]
    if not tracker.get_slot("booking_confirmed"):
        dispatcher.utter_message(response="utter_booking_aborted")
        return done
    chosen = tracker.get_slot("chosen_slot")
    code = tracker.get_slot("reschedule_code")
    try:
        with client(lang) as api:
            if code:
                booking = api.reschedule(code, int(chosen), phone=phone(tracker))
            else:
                booking = api.book(
                    slot_id=int(chosen),
                    phone=phone(tracker),
                    numero_etranger=tracker.get_slot("numero_etranger"),
                    language=lang,
                    idempotency_key=_idempotency_key(tracker, chosen),
                )
    except BookingUnavailable as error:
        return say_unavailable(dispatcher, error, "submit_booking", tracker)
    except BookingRefused as refusal:
        say_refusal(dispatcher, refusal, lang)
        return done
    dispatcher.utter_message(
        response="utter_rescheduled" if code else "utter_convocation",
        code=booking["display_code"],
        when=booking["slot"]["starts_at"],
        site_name=booking["slot"]["site_name"],
        address=site.address if site else "",
        demarche_name=demarche.name(lang),
    )
    return [*done, SlotSet("booking_code", booking["code"])]


class ActionSubmitBooking(Action):
    def name(self) -> str:
        return "action_submit_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return await submit_booking(dispatcher, tracker)

