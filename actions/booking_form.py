"""The booking form's validation: démarche → documents → site → day → slot → phone → numéro
étranger → confirmation. Its questions are in booking_questions.py, its outcome is acted on by
booking_submit.py.

The form ends early, on purpose, in four cases that `required_slots` detects: the démarche is
not booked at the préfecture (the submit shows the right door), the documents are not ready,
no slot is free (waitlist offer + proof), or there is no booking to move. One form and one
submit keep every path visible in data/rules.yml.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions.asides import answer_aside, departement_named, say_place_not_bookable, sites_named
from actions.booking_search import ATTEMPT_SLOTS, SEARCH_STEP, search_slots
from actions.common import (
    FORM_DONE,
    NO_SLOT,
    catalogue,
    demarche_of,
    language,
    now,
    pending_retry,
    phone,
    proven_phone,
    ran_this_turn,
    revealed,
    said_last_turn,
    secret_key,
    set_this_turn,
    still_stuck,
)
from actions.deadlines import assessed_today, say_deadline
from actions.documents import (
    answer_missing,
    documents_asked_about,
    explain_documents,
    missing_named,
    pages,
)
from actions.manage import MANAGING_ACTIONS, about_a_booking, booking_interrupted
from actions.reading import (
    FACT_SLOTS,
    candidates_for,
    facts_of,
    new_facts,
    said_facts,
    understood,
)
from bot.booking.identity import (
    NUMERO_ETRANGER_KEPT_DIGITS,
    InvalidNumeroEtranger,
    InvalidPhone,
    mask_numero_etranger,
    normalise_numero_etranger,
    normalise_phone,
)
from bot.catalogue import (
    resolve_departements,
)
from bot.catalogue.missing import documents_named
from bot.dates import sets_day_aside, understand
from bot.dates.lexicon import NEGATIONS
from bot.dates.spans import ASAP_DAYS
from bot.deadlines import DeadlineStatus
from bot.personal import PLACEHOLDER
from bot.routing import RouteStatus, route
from bot.secrets import seal
from bot.text import ascii_digits
from bot.understanding import Place, read_facts, read_question, read_wants
from bot.understanding.cuebook import words
from bot.words import Word, rank_of, rank_phrases, ranks_named, word_of

# Intents that change the subject in the middle of the form (data/rules.yml answers them). A
# free-text answer classified as one of them is still taken as the answer when it reads like
# one ("la semaine prochaine" misread as goodbye is still a day): see _free_text_answer.
SWITCH_INTENTS = frozenset(
    {
        "help",
        "menu",
        "ask_documents",
        "give_expiry",
        "deadline_alerts",
        "change_language",
        "choose_language",
        "cancel_appointment",
        "reschedule_appointment",
        "my_appointment",
        "my_proof",
        "goodbye",
        "greet",
        # « merci » at a question is a courtesy, not its answer: it got « not understood » and
        # the question again (session 28, as a phone).
        "thank",
        "need_procedure",
        "ask_opening_days",
    }
)


def _starting(tracker: Tracker) -> bool:
    """The form starts on this message: none of its questions was pending. A booking that
    Rasa's rule stopped for this message and that goes on (actions.manage: a move asked with
    nothing booked) does not start again: its message is no new request ("ch7al kayakhod l wa9t
    dak rdv?", how long does that appointment take, became the card collection's door)."""
    return tracker.get_slot("requested_slot") is None and not booking_interrupted(tracker)


def _slots_of(events: list[EventType]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def _read_message(dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """The slots the whole message sets outside the form's own (rasa-sdk keeps only the form's
    slots from extraction): routing facts, the expiry date, or the answer to a message that is
    about an appointment already made."""
    starting = _starting(tracker)
    reading = understood(tracker)
    # A message that starts the form but is about an appointment already made ("salam عندي
    # موعد f prefecture بغيت نلغيه" read as a booking): the action that answers it instead. So
    # is one at the routing question, where no démarche is chosen yet: « je peu pa venir jeudi
    # mon fils est malade faut annuler » got the same question again (session 26).
    asking_which = tracker.get_slot("requested_slot") == "demarche"
    if (starting or asking_which) and (answer := about_a_booking(tracker)):
        action = answer()
        # The fallback, the greeting or "which days?" found the booking to move just before
        # (answer_about_a_booking: "انقلوا موعدي الى الخميس", unclassified; « … بلې ورځې ته یې
        # واړوئ », heard as "which days?", session 27).
        moved_already = bool(tracker.get_slot("reschedule_code")) and set_this_turn(
            tracker, "reschedule_code"
        )
        answered = any(ran_this_turn(tracker, name) for name in MANAGING_ACTIONS)
        if answered or moved_already:
            # Rasa's rule ran it just before this form ("can I move my appointment?"), or
            # another action did: its slots are set; answering again sent the same sentence
            # twice. So did another one of them that Rasa chose where the sentence reads a
            # check (session 25).
            return {}
        events = await action.act(dispatcher, tracker)
        return {"reschedule_code": FORM_DONE, **_slots_of(events)}
    read: dict[str, Any] = {}
    if (
        starting
        or _latest_intent(tracker) == "need_procedure"
        or (tracker.get_slot("requested_slot") == "demarche")
    ):
        read.update(new_facts(tracker))
    if reading.expiry is not None:
        read["expiry_date"] = reading.expiry.isoformat()
    if _day_said_ahead(tracker):
        read["day_wish"] = reading.day_wish.text  # type: ignore[union-attr]
    return read


# The steps whose own answer may be a day: a day there is the answer, not a wish said ahead.
_DAY_STEPS = frozenset({"date_text", "chosen_slot", "booking_confirmed"})


def _day_said_ahead(tracker: Tracker) -> bool:
    """A day wished before the day question, in the opening message or at another question
    ("lundi prochain" at the documents page): kept and searched when the day comes (issue 10:
    "Quel jour vous arrange ?" after "lundi prochain si possible" made the person say it twice).
    A day beyond the booking horizon is no wish ("ma carte, 15 mars 2027" is its expiry), nor
    a part of day alone ("volée dans le métro ce matin" searched tomorrow morning)."""
    if tracker.get_slot("requested_slot") in _DAY_STEPS or tracker.get_slot("reschedule_code"):
        return False
    wish = understood(tracker).day_wish
    return (
        wish is not None
        and wish.names_a_day
        and wish.start <= now().date() + dt.timedelta(days=ASAP_DAYS)
    )


# What marks a question in the scripts we read ("c'est où ?", "فين؟", "在哪里？").
_QUESTION_MARKS = ("?", "؟", "？")
_YES_NO = (Word.YES, Word.NO)
# The steps whose question is asked again, unchanged, after a question beside it is answered;
# with what answers each of them (intents, and words the gateway reads alone).
_ANSWERS: dict[str, tuple[frozenset[str], tuple[Word, ...]]] = {
    "booking_confirmed": (frozenset({"affirm", "deny"}), _YES_NO),
    "documents_confirmed": (
        frozenset({"affirm", "deny", "have_documents", "missing_documents", "more"}),
        (*_YES_NO, Word.MORE),
    ),
}


def _answered_aside(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """A question beside the one asked, answered here; the form then asks its question again.

    At "Je réserve : … D'accord ?" and at the documents page ("c'est où ?", "et pour les photos
    ?", "do I need a translation?", "can I bring my son?"), any question: answered from the
    catalogue (fee, documents, address) or sent to the counter's agent. "c'est où ?" was read as
    a yes and booked, "et pour les photos ?" as "I have everything", other questions got "not
    understood" and the page again. At the other steps, the fee ("combien ça coûte ?" when
    asked the day): read as the answer, it got "je n'ai pas compris le jour"."""
    requested = tracker.get_slot("requested_slot")
    demarche = demarche_of(tracker)
    text = (tracker.latest_message.get("text") or "").strip()
    if not text or text.startswith("/"):
        return False  # a button payload says what it answers itself
    if requested == "demarche" and demarche is None:
        return _asked_before_the_demarche(dispatcher, tracker, text)
    if requested is None or demarche is None:
        return False
    lang = language(tracker)
    asked, how = documents_asked_about(tracker, text)
    if how and asked and not missing_named(tracker):
        # « فين نشريه » (where do I buy it?) at the place, the day or the page: that document.
        explain_documents(dispatcher, demarche, asked, lang, how=True)
        return True
    question = read_question(text, lang)
    marked = any(m in text for m in _QUESTION_MARKS)
    if requested not in _ANSWERS:
        # The fee, or a question about the documents that is no answer to the step: asked
        # at the département, "واش نقدر ناخد الموعد بلا صور؟" read as "my appointment" and
        # dropped the form ("no appointment for this number"), then everything after it.
        answers = _answers_the_step(requested, text, lang)
        asks_documents = question == "documents" and marked and not answers
        # Any other question at the place or the day, neither answer nor change of subject:
        # "Si je viens à la préfecture, est-ce qu'ils vont m'arrêter ?", heard as a request
        # naming no démarche, got "not understood" (session 25, a dev conversation); the
        # counter's agent answers what we cannot. At the place, any other question gets what
        # a département is (validate_site).
        intent = _latest_intent(tracker)
        # A topic alone is no new démarche in a question: « لا أملك سيارة، هل المحافظة بعيدة عن
        # محطة القطار؟ » (I have no car: is the préfecture far from the station?) at the place
        # became the carte grise's door (session 26, a writer's dev conversation).
        vague_request = intent == "need_procedure" and set(said_facts(tracker)) <= {"topic"}
        asks_other = (
            marked
            and question is None
            and not answers
            and (vague_request or (requested == "date_text" and intent not in SWITCH_INTENTS))
            and requested in ("site", "date_text")
        )
        if question != "fee" and not asks_documents and not asks_other:
            return False
        answer_aside(dispatcher, tracker, demarche, question, text)
        return True
    intent = _latest_intent(tracker)
    named = documents_named(text, catalogue().documents.values())
    if requested == "documents_confirmed":
        # The page's own words (documents, photos) are no question there: "j'ai tous les
        # papiers" answers it. A question is marked, or asks the fee or the place.
        if question == "documents" or (question is None and named):
            question = "documents" if marked else None
        # "Pas encore les photos": a document missing, answered by validate_documents_confirmed;
        # "oui ?", "suite ?": the page's own words, whatever the mark.
        if missing_named(tracker) or word_of(text) in (
            *_YES_NO,
            Word.MORE,
        ):
            return False
        said_as_question = question is not None or (marked and len(text) > 1)
        switching = intent in SWITCH_INTENTS - {"ask_documents"}
    else:
        # Free text that is neither yes nor no is a question too ("je peux venir avec mon fils").
        said_as_question = question is not None or marked
        # "My appointment" before any is booked is a misread question ("je peux venir avec mon
        # fils ?").
        switching = intent in SWITCH_INTENTS and not (
            intent == "my_appointment" and not tracker.get_slot("reschedule_code")
        )
    # Another change of subject is left to the rules (help, menu, cancel…).
    if switching and question is None:
        return False
    intents, words = _ANSWERS[requested]
    # A yes or no Rasa did not classify ("باهي", "wakha") is the answer too (validate_booking_
    # confirmed reads it in the gateway's words).
    if not said_as_question and (intent in intents or word_of(text) in words):
        return False
    if requested == "documents_confirmed" and not said_as_question:
        return False  # "hein", "ما فهمتش": not understood, as before (validate_documents_…)
    counter = "utter_ask_at_the_counter" in said_last_turn(tracker, turns=2)
    if question is None and not marked and counter:
        # Free text just sent to the counter: read again as a question, "ey" (yes, Tunisian)
        # got "ask the agent at the counter" twenty times over (session 24). It is not
        # understood now, which validate_booking_confirmed says, and then where help is.
        return False
    answer_aside(dispatcher, tracker, demarche, question, text)
    return True


def _answers_the_step(requested: str, text: str, lang: str) -> bool:
    """Whether free text holds what the step asks: a place, a day, or digits (a slot's
    number, a phone, a numéro étranger)."""
    if requested == "site":
        return bool(sites_named(text)) or departement_named(text) is not None
    if requested == "date_text":
        return understand(text, lang, now()) is not None
    return bool(_digits(text))


def _asked_before_the_demarche(
    dispatcher: CollectingDispatcher, tracker: Tracker, text: str
) -> bool:
    """At the routing question, what to bring, what it costs or where to go depend on the
    démarche (the place on the département, asked next): said so, then the question again. As a
    phone (session 21), "ach njib m3aya?" got "not understood" there, "fin kayna l prefecture?"
    the "I explain badly" of a stuck person."""
    if said_facts(tracker):
        return False  # "what do I bring for the 10-year card?": the form routes it
    lang = language(tracker)
    named, how = documents_asked_about(tracker, text)
    if named:
        # « а что такое timbre fiscal? » got « which procedure? » (session 30, as a phone):
        # what a document is, or how to get it, is the same for every démarche.
        explain_documents(dispatcher, None, named, lang, how=how)
        return True
    question = read_question(text, lang)
    if question == "place":
        dispatcher.utter_message(response="utter_place_after_site")
    elif question in ("documents", "fee"):
        dispatcher.utter_message(response="utter_aside_after_demarche")
    else:
        return False
    return True


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
    intent = _latest_intent(tracker)
    # The démarche in progress said again ("ما هو رقم الاجنبي؟ لا اعرفه، البطاقة سرقت", what is
    # the number? I don't know it, the card was stolen): no new request, an answer to the
    # question. It was turned down, and the person got "not understood" (session 25).
    facts = said_facts(tracker)
    again = (
        intent == "need_procedure"
        and bool(facts)
        and tracker.get_slot("demarche") in candidates_for(facts)
    )
    if reads_as_answer(text) or intent not in SWITCH_INTENTS or again:
        return {slot: text}
    return {}


def _digits(text: str) -> str:
    return re.sub(r"\D", "", ascii_digits(text))


def _place_said_ahead(tracker: Tracker) -> Place | None:
    """The place a message names when it opens the form, answers the démarche question or the
    documents page ("… à دوردوني", "I live in Bobigny" said ahead at the page); never from an
    answer to another question ("le 24"), nor a bare number at the page (its choices)."""
    requested = tracker.get_slot("requested_slot")
    if requested not in (None, "demarche", "documents_confirmed"):
        return None
    place = understood(tracker).place
    text = (tracker.latest_message.get("text") or "").strip()
    if place is None or (requested == "documents_confirmed" and ascii_digits(text).isdigit()):
        return None
    return place


# The questions a place may be given ahead of (the opening message names its door instead).
_QUESTIONS_BEFORE_THE_PLACE = frozenset({"demarche", "documents_confirmed"})


# More words than a place name has ("Saint-Martin-d'Hères", "Seine Saint Denis"): a sentence.
_PLACE_WORDS = 3


# What is said of a place the request names that cannot be booked there.
_PLACE_NOTICES = frozenset({"utter_site_not_served", "utter_site_no_such_demarche"})


def _door_before_place(messages: list[dict[str, Any]], start: int) -> None:
    """In the request's reply, the démarche first and what is said of its place after: rasa-sdk
    validates the place (a Rasa entity) before the démarche (read here), so "renouveler ma carte
    de résident, j'habite à Bordeaux" got the unserved préfecture alone on the first SMS page,
    its démarche behind SUITE."""
    said = messages[start:]
    notices = [m for m in said if m.get("response") in _PLACE_NOTICES]
    if notices and len(notices) < len(said):
        messages[start:] = [m for m in said if m not in notices] + notices


def _missing_said_late(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType] | None:
    """A document that can be had the same day said missing after the documents page
    (« ماعنديش التامبر » when asked the place, having said "I have everything"): how to get it,
    then the question again. It got "no préfecture for « ماعنديش التامبر »" (session 28, as a
    phone). A longer one is left to the step ("I don't have my card" at the numéro étranger is
    no file to gather first). None when the message names no such document."""
    requested = tracker.get_slot("requested_slot")
    if requested in (None, "demarche", "documents_confirmed") or demarche_of(tracker) is None:
        return None
    named = tuple(d for d in missing_named(tracker) if d.quick)
    if not named:
        return None
    changes = answer_missing(dispatcher, tracker, named, in_form=True)
    events: list[EventType] = [SlotSet(name, value) for name, value in changes.items()]
    return [*events, SlotSet(requested, None), SlotSet(REQUESTED_SLOT, requested)]


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

        if tracker.get_slot("reschedule_code") == FORM_DONE:
            return []
        if tracker.get_slot("reschedule_code"):
            # Moving a booking: same démarche and site, only the new day and slot, confirmed;
            # with no free slot there is nothing to confirm (the submit says so).
            if tracker.get_slot("chosen_slot") == NO_SLOT:
                return ["date_text", "chosen_slot"]
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

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        events = await self._run(dispatcher, tracker, domain)
        return [*events, *_no_stand_in_numero(tracker, events)]

    async def _run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Reads the whole message first: what it says beyond the asked slot (routing facts,
        expiry, an appointment already made) is kept before the form's own steps run."""
        if tracker.latest_action_name == "action_submit_booking":
            # Back in the form because the chosen slot was just taken (booking_submit): the
            # message was the "oui" already used, read as a slot number it got "répondez par le
            # numéro d'un créneau". Only the question to ask is decided.
            return [await self.next_requested_slot(dispatcher, tracker, domain)]
        late = _missing_said_late(dispatcher, tracker)
        if late is not None:
            return late
        corrected = _numero_corrected(dispatcher, tracker)
        if corrected is not None:
            return corrected
        if _answered_aside(dispatcher, tracker):
            # The form asks its question again (a slot set to None is asked anew): the
            # confirmation, the documents page, the day… Said here, not left to Rasa, which
            # asks the domain's first empty slot: the numéro étranger of a démarche that needs
            # none, after « نعم، سأخبر صاحب المزرعة اليوم » at the confirmation (session 26).
            requested = str(tracker.get_slot("requested_slot"))
            return [SlotSet(requested, None), SlotSet(REQUESTED_SLOT, requested)]
        starting = _starting(tracker)
        read = await _read_message(dispatcher, tracker)
        tracker.slots.update(read)
        said_before = len(dispatcher.messages)
        events = await super().run(dispatcher, tracker, domain)
        if starting:
            _door_before_place(dispatcher.messages, said_before)
        took = (
            "day_wish" in read
            or "reschedule_code" in read
            or any(e.get("name") != REQUESTED_SLOT for e in events if e.get("event") == "slot")
        )
        if not (starting or took):
            # Nothing for the form in it: Rasa rejects the form only when it gets no slot back,
            # so the read slots are left out and the rules answer ("ma carte expire le…" →
            # action_check_expiry, which reads the message itself).
            return events
        events = [*(SlotSet(name, value) for name, value in read.items()), *events]
        return await self._search_the_wish(dispatcher, tracker, domain, events)

    async def _search_the_wish(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
        events: list[EventType],
    ) -> list[EventType]:
        """At the day question with a day already wished: its slots at once, not the question.
        The question to ask is replaced, not added to: Rasa asks the first one it is given."""
        asked = [e for e in events if e.get("event") == "slot" and e.get("name") == REQUESTED_SLOT]
        wish = tracker.get_slot("day_wish")
        if not asked or asked[-1].get("value") != "date_text" or not wish:
            return events
        kept = [e for e in events if e not in asked]
        tracker.slots.update({e["name"]: e.get("value") for e in kept if e.get("event") == "slot"})
        found = {**await search_slots(str(wish), dispatcher, tracker), "day_wish": None}
        tracker.slots.update(found)
        return [
            *kept,
            *(SlotSet(name, value) for name, value in found.items()),
            await self.next_requested_slot(dispatcher, tracker, domain),
        ]

    # -- démarche (capability 2) ---------------------------------------------------------

    async def extract_demarche(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Routes the facts when the form starts, or when a new démarche is described mid-form."""
        starting = _starting(tracker)
        switching = _latest_intent(tracker) == "need_procedure" and bool(said_facts(tracker))
        facts = facts_of(tracker)
        if not (starting or switching) or not facts or _answers_the_question(tracker):
            return {}
        result = route(facts, tracker.get_slot("site"))
        if result.status is RouteStatus.NOT_COVERED and said_facts(tracker):
            # "Ma carte vie privée et familiale va expirer" (not a spouse's): say the catalogue
            # has no such démarche and where to get help, then ask afresh, rather than asking
            # "which démarche?" as if nothing had been said.
            dispatcher.utter_message(
                response="utter_route", route_text=result.render(language(tracker))
            )
            return {"demarche": None}
        code = result.demarche.code if result.status is RouteStatus.RESOLVED else None
        if code == tracker.get_slot("demarche"):
            # Facts that narrow the démarche question without settling it ("renouveler mon titre
            # de séjour" while it asks which kind of démarche): the form asks it again, narrower.
            # Turning the message down instead left Rasa with no next step at all.
            asked = tracker.get_slot("requested_slot") == "demarche"
            return {"demarche": None} if code is None and asked and switching else {}
        if code is None and starting and tracker.get_slot("demarche"):
            return {}
        if (
            code is None
            and tracker.get_slot("requested_slot") not in (None, "demarche")
            and tracker.get_slot("demarche") in candidates_for(said_facts(tracker))
        ):
            # Vague words the démarche in progress fits ("الاثنين عندي الخدمة", Monday I have
            # work, read as a work permit at the slot question): no new démarche; resetting
            # the form there answered "refused" to a person choosing another day (session 24).
            return {}
        changes: dict[str, Any] = {"demarche": code, "door": None}
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
                if (
                    not said_facts(tracker)
                    and _place_said_ahead(tracker) is None
                    and not _day_said_ahead(tracker)
                ):
                    # Nothing read in it ("?", "ما فهمتش"): the same question again, alone,
                    # read as if the message had been lost. Say so, and where help is. A place
                    # ("ana f grenoble") was read: it is kept, and only the question comes again.
                    numbered = result.question is not None
                    dispatcher.utter_message(
                        response="utter_stuck"
                        if still_stuck(tracker)
                        else "utter_choice_not_understood"
                        if numbered
                        else "utter_ask_rephrase"
                    )
                return {"demarche": None}
            code = result.demarche.code
        demarche = catalogue().demarches[code]
        found: dict[str, Any] = {"demarche": code, "documents_page": 0}
        if demarche.booking is None:
            return found
        kept = tracker.get_slot("expiry_date")
        expiry = understood(tracker).expiry or (dt.date.fromisoformat(kept) if kept else None)
        early = expiry is not None and _early(expiry, code)
        if _announced(tracker, code) and not early and understood(tracker).expiry is None:
            # Back in the form for the démarche already announced in this session (a day given
            # at the waitlist offer): Rasa validates the slots it holds when a form starts
            # again, and « Votre démarche : … » and the deadline came a second time (session
            # 29, as a phone). Too early, the stop is said again: the form stops again.
            return found
        dispatcher.utter_message(response="utter_demarche_found", demarche_name=demarche.name(lang))
        if expiry is not None:
            # The expiry date said in this message, or before the routing question ("karti
            # tsali f 3 mars", then "1"): where they stand comes before booking.
            found["expiry_date"] = expiry.isoformat()
            assessment = say_deadline(dispatcher, expiry, code, lang)
            if assessment is not None and assessment.status is DeadlineStatus.EARLY:
                found["reschedule_code"] = FORM_DONE  # too early: no booking yet
        text = tracker.latest_message.get("text") or ""
        if read_question(text, lang) == "fee":
            # « combien ça coûte le renouvellement de la carte de résident » got the démarche
            # and its documents, never the price asked (session 30, as a phone).
            answer_aside(dispatcher, tracker, demarche, "fee", text)
        return found

    # -- documents (capability 3) --------------------------------------------------------

    async def validate_documents_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        # True / False come from the yes / not-yet intents, but a document said missing is
        # missing whatever Rasa heard ("j'ai tout sauf la facture"). SUITE turns the page (the
        # form then asks again, showing it); anything else asks again.
        named = missing_named(tracker)
        if named:
            return answer_missing(dispatcher, tracker, named, in_form=True)
        page = int(tracker.get_slot("documents_page") or 0)
        demarche = demarche_of(tracker)
        if demarche is None:
            # « всё есть » (I have everything) at the routing question: Rasa's intent mapping
            # fills the slot whatever is asked, and the list, never shown, was skipped once the
            # démarche came (session 30, as a phone).
            return {"documents_confirmed": None}
        if (
            value is True
            and demarche is not None
            and page + 1 < pages(demarche)
            and _a_yes_alone(tracker)
        ):
            # « ok », « wakha » alone on a page before the last: read, not "I have everything".
            # The later pages went unseen and the booking went on (session 28, as a phone).
            return {"documents_confirmed": None, "documents_page": page + 1}
        if isinstance(value, bool):
            return {"documents_confirmed": value}
        if _latest_intent(tracker) == "more":
            return {
                "documents_confirmed": None,
                "documents_page": int(tracker.get_slot("documents_page") or 0) + 1,
            }
        if (
            isinstance(value, str)
            and _place_said_ahead(tracker) is None
            and not _day_said_ahead(tracker)
        ):
            # Free text that is neither yes, no nor SUITE ("?", "hein"): the same page came
            # back unchanged, as if the message had been lost. Twice in a row: something else.
            # A town said ahead ("I live in Bobigny") is kept instead, and the page asked again.
            dispatcher.utter_message(
                response="utter_stuck" if still_stuck(tracker) else "utter_choice_not_understood"
            )
        return {"documents_confirmed": None}

    # -- free-text answers ---------------------------------------------------------------

    async def extract_documents_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """A document said missing at the documents page, whatever Rasa heard: « عندي كل شيء إلا
        فاتورة باسمي » (everything but a bill in my name), heard as a new request, was turned
        down by the form, and nothing answered (session 26, dev bench)."""
        if tracker.get_slot("requested_slot") == "documents_confirmed" and missing_named(tracker):
            return {"documents_confirmed": False}
        return {}

    async def extract_site(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        place = _place_said_ahead(tracker)
        if place is not None and place.sites and not tracker.get_slot("site"):
            return {"site": place.text}
        return _free_text_answer(tracker, "site", lambda text: bool(sites_named(text)))

    async def extract_date_text(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        lang = language(tracker)
        return _free_text_answer(
            tracker, "date_text", lambda text: understand(text, lang, now()) is not None
        )

    async def extract_chosen_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        proposed = tracker.get_slot("proposed_slots") or []
        asked = tracker.get_slot("requested_slot") == "chosen_slot"
        text = (tracker.latest_message.get("text") or "").strip()
        # "لا سمح ليا… الاثنين عندي الخدمة، الخميس احسن ليا" (no, sorry, Monday I work, Thursday
        # is better): another day to search, whether Rasa heard a no or a new request (session
        # 24, as a phone: "not understood"); a sentence that names a démarche is a new request.
        another_day = (
            asked
            and understand(text, language(tracker), now()) is not None
            and route(understood(tracker).facts.as_slots()).status is not RouteStatus.RESOLVED
        )
        if asked and _latest_intent(tracker) == "deny" and not another_day:
            return {"chosen_slot": NO_SLOT}  # none of these: the waitlist is offered next
        if (
            asked
            and not another_day
            and _pick(text, proposed, language(tracker)) is None
            and not _digits(text)
            and not ranks_named(text)
            and not any(m in text for m in _QUESTION_MARKS)
            and sets_day_aside(text, language(tracker))
        ):
            # "هاد الساعات ما يصلحوليش، عندي الخدمة" (these times don't suit me, I work), "I
            # can't, I'm working": none of these, said without a no Rasa knows. It got "not
            # understood" (session 25, dev conversation played by SMS). A question ("ya pas
            # plus tôt ?") is no refusal of them.
            return {"chosen_slot": NO_SLOT}
        if asked and _latest_intent(tracker) == "join_waitlist":
            # "إلا ماكانش، حطني فلاليست ديال الانتظار", "那先帮我排候补吧…马上通知我": none of
            # these, the waitlist (its "马上", at once, is no day); it got "answer with a slot's
            # number" or the same slots again (session 24, dev conversations).
            return {"chosen_slot": NO_SLOT}
        return _free_text_answer(
            tracker,
            "chosen_slot",
            lambda said: _pick(said, proposed, language(tracker)) is not None or another_day,
        )

    async def extract_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """The phone the channel proves on this message (the SMS sender, a Telegram contact its
        owner shared); a number typed as the answer goes to validate_phone, which refuses it."""
        proven = proven_phone(tracker)
        held = revealed(tracker.get_slot("phone"), tracker)
        asked = tracker.get_slot("requested_slot") == "phone"
        if proven and (held is None or asked or held != revealed(proven, tracker)):
            # Taken when it is news: every SMS proves its sender, and a slot set on each
            # message would make every message an answer to the form.
            return {"phone": proven}
        if asked:
            return _free_text_answer(tracker, "phone", lambda text: len(_digits(text)) >= 9)
        if held is not None and proven is None:
            # A typed number an older version kept, carried from session to session: the form
            # asks for the phone again.
            return {"phone": None}
        return {}

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
        sites = sites_named(text)
        said = (tracker.latest_message.get("text") or "").strip()
        if not sites and said and (in_sentence := sites_named(said)):
            # The town Rasa tagged is another than the one served in the sentence: « بيريغو، أسكن
            # قرب برجراك » (Périgueux, I live near Bergerac) got "no préfecture for Bergerac"
            # (session 26, a writer's dev conversation).
            text, sites = said, in_sentence
        demarche = tracker.get_slot("demarche")
        # Before the démarche is known (a place given first), any site of that place will do.
        offering = [s for s in sites if demarche is None or demarche in s.demarches]
        if offering:
            site = offering[0]
            named = resolve_departements(text, catalogue())
            if len(named) > 1:
                # "Saint-Denis" is in the 93 and La Réunion's préfecture: the served one is
                # taken, and said, rather than "not served" to someone from the 93.
                others = ", ".join(d.code for d in named if d.code != site.departement)
                dispatcher.utter_message(
                    response="utter_site_among_several",
                    site_name=site.name,
                    code=site.departement,
                    others=others,
                )
            elif tracker.get_slot("requested_slot") in _QUESTIONS_BEFORE_THE_PLACE:
                # A town given while another question is pending (« گرونوبل » at "which card?"):
                # that question came back alone, as if the town had not been read (session 27,
                # a helper's Dari SMS). Said kept, then the question.
                dispatcher.utter_message(
                    response="utter_site_noted", site_name=site.name, code=site.departement
                )
            return {"site": site.code}
        if not sites and _day_said_ahead(tracker):
            return {"site": None}  # a day before the place: kept (day_wish), the place asked again
        if say_place_not_bookable(dispatcher, sites, text):
            return {"site": None}
        if len(text.split()) > _PLACE_WORDS or text.endswith(("?", "؟", "？")):
            dispatcher.utter_message(response="utter_site_explain")
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
        kept = pending_retry(tracker, SEARCH_STEP)
        if _latest_intent(tracker) == "affirm" and kept:
            text = kept  # "OUI" after an outage: search the kept day again
        return await search_slots(text, dispatcher, tracker)

    async def validate_chosen_slot(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value is None or value == NO_SLOT:
            return {"chosen_slot": value}
        proposed = tracker.get_slot("proposed_slots") or []
        chosen = _pick(str(value), proposed, language(tracker))
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
        proven = proven_phone(tracker)
        if proven is None:
            # A number typed in the chat is no credential: anyone can type someone else's, then
            # read, cancel or book in their name (an attacker did, session 22). Telegram proves
            # the account's own number when its owner shares it (bot/channels/telegram.py).
            if value is not None:
                dispatcher.utter_message(response="utter_phone_share_contact")
            return {"phone": None}
        number = revealed(proven, tracker)
        if number is None:
            return {"phone": None}
        try:
            # Sealed: Rasa's tracker never holds the number in clear (bot.personal).
            return {"phone": seal(normalise_phone(number), secret_key())}
        except InvalidPhone:
            dispatcher.utter_message(response="utter_phone_invalid")
            return {"phone": None}

    async def validate_numero_etranger(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if _stale_stand_in(value, tracker):
            return {"numero_etranger": None}  # asked when its turn comes
        typed = revealed(value, tracker)
        if typed is None:
            return {"numero_etranger": None}
        if not _digits(typed):
            # "je l'ai pas sur moi", "لا اعرفه، البطاقة سرقت": no number at all, so no "exactly
            # 10 digits" but what to do without it at hand.
            dispatcher.utter_message(response="utter_numero_etranger_missing")
            return {"numero_etranger": None}
        try:
            numero = normalise_numero_etranger(typed)
        except InvalidNumeroEtranger:
            dispatcher.utter_message(response="utter_numero_etranger_invalid")
            return {"numero_etranger": None}
        if _is_own_phone(numero, tracker):
            dispatcher.utter_message(response="utter_numero_etranger_is_phone")
            return {"numero_etranger": None}
        return {"numero_etranger": seal(numero, secret_key())}

    async def validate_booking_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if isinstance(value, str):
            # A yes or no Rasa did not classify ("باهي", "wakha"), in the words the gateway
            # reads alone (locales/<code>/language.yml): the answer, not the question again.
            value = {Word.YES: True, Word.NO: False}.get(word_of(value))  # type: ignore[arg-type]
            if value is None:
                dispatcher.utter_message(
                    response="utter_stuck"
                    if still_stuck(tracker)
                    else "utter_choice_not_understood"
                )
        return {"booking_confirmed": value if isinstance(value, bool) else None}


def _a_yes_alone(tracker: Tracker) -> bool:
    """A yes sent alone: a yes word as the gateway hands it on (bot.channels.turn) or as
    typed, or one word Rasa heard as a yes (« ok », « okay », « d'accord »)."""
    text = (tracker.latest_message.get("text") or "").strip()
    return (
        text == "/affirm"
        or word_of(text) is Word.YES
        or (_latest_intent(tracker) == "affirm" and len(text.split()) == 1)
    )


def _is_own_phone(digits: str, tracker: Tracker) -> bool:
    """The 10 digits are the phone proven on this message, written the French way (06…): a
    numéro étranger may start with 06 too (the Alpes-Maritimes), so only the person's own
    number is told apart."""
    own = phone(tracker)
    if own is None:
        return False
    try:
        return normalise_phone(digits) == normalise_phone(own)
    except InvalidPhone:
        return False


# Ten digits, maybe grouped as on the card or a phone ("7501 234 568", "75.01.23.45.68").
_GROUPED_DIGITS = re.compile(r"\d(?:[ .\-]?\d)+")


def _numero_corrected(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """« non je me suis trompé c'est 7501234568 » at the confirmation: the numéro étranger
    given before was mistyped. It got "the agent at the counter will answer that" and the
    same confirmation, so the booking could only be made under the wrong numéro (session 28,
    as a phone). The new one is taken and the confirmation asked again."""
    # Rasa's entity has already put the new number in the slot (as the gateway's stand-in, in
    # clear): the one to compare with is the numéro held before this message.
    kept = _held_before_the_message(tracker, "numero_etranger")
    held = revealed(kept, tracker)
    if tracker.get_slot("requested_slot") != "booking_confirmed" or held is None:
        return None
    text = ascii_digits(revealed(tracker.latest_message.get("text"), tracker) or "")
    found = set()
    for raw in _GROUPED_DIGITS.findall(text):
        try:
            found.add(normalise_numero_etranger(raw))
        except InvalidNumeroEtranger:
            continue
    if len(found) != 1:
        return None
    numero = found.pop()
    if numero == normalise_numero_etranger(held):
        return None
    if _is_own_phone(numero, tracker):
        # Their phone, not a numéro: the one given before is kept (Rasa's entity had put it
        # in the slot, where it would have been booked under).
        dispatcher.utter_message(response="utter_numero_etranger_is_phone")
        taken = kept
    else:
        dispatcher.utter_message(
            response="utter_numero_etranger_noted",
            numero=mask_numero_etranger(numero[-NUMERO_ETRANGER_KEPT_DIGITS:]),
        )
        taken = seal(numero, secret_key())
    return [
        SlotSet("numero_etranger", taken),
        SlotSet("booking_confirmed", None),
        SlotSet(REQUESTED_SLOT, "booking_confirmed"),
    ]


def _no_stand_in_numero(tracker: Tracker, events: list[EventType]) -> list[EventType]:
    """Rasa's entity puts the gateway's stand-in for any ten-digit number in the numéro slot,
    in clear; validate_numero_etranger seals the number it stands for. A turn the form answers
    otherwise (a question beside, a document said missing late) left the stand-in there, and
    the booking was made under it: the numéro held before the message is put back."""
    if not set_this_turn(tracker, "numero_etranger") or any(
        e.get("event") == "slot" and e.get("name") == "numero_etranger" for e in events
    ):
        return []
    return [SlotSet("numero_etranger", _held_before_the_message(tracker, "numero_etranger"))]


def _stale_stand_in(value: Any, tracker: Tracker) -> bool:
    """The gateway's stand-in for a number said in an earlier message, outside the form (Rasa's
    entity fills the slot on any message): it stands for nothing now, and Rasa validates it
    as held when the form starts, so the booking was made under it."""
    return (
        isinstance(value, str)
        and PLACEHOLDER.fullmatch(value.strip()) is not None
        and value.strip() not in (tracker.latest_message.get("text") or "")
    )


def _held_before_the_message(tracker: Tracker, slot: str) -> Any:
    after = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            after = True
        elif after and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return tracker.get_slot(slot) if not set_this_turn(tracker, slot) else None


def _early(expiry: dt.date, demarche: str) -> bool:
    assessment = assessed_today(expiry, demarche)
    return assessment is not None and assessment.status is DeadlineStatus.EARLY


def _announced(tracker: Tracker, demarche: str) -> bool:
    """« Votre démarche : … » was said for `demarche` in this session, and no other démarche
    was taken since."""
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "session_started":
            return False
        if kind == "slot" and event.get("name") == "demarche":
            if event.get("value") not in (None, demarche):
                return False
        elif (
            kind == "bot"
            and (event.get("metadata") or {}).get("utter_action") == "utter_demarche_found"
        ):
            return True
    return False


def _answers_the_question(tracker: Tracker) -> bool:
    """The message answers the question asked, whatever else it says, so it is no new request:
    at the slots, "الموعد الاول من فضلك" (the first appointment, please) read as a first
    application; at the numéro, "وجدت صورة للبطاقة في هاتفي، الرقم 3801 99 2457" (I found a
    photo of the card on my phone) as collecting a card. Both reset the form (session 25)."""
    text = (tracker.latest_message.get("text") or "").strip()
    requested = tracker.get_slot("requested_slot")
    if requested == "chosen_slot":
        return _pick(text, tracker.get_slot("proposed_slots") or [], language(tracker)) is not None
    return requested == "numero_etranger" and len(_digits(text)) == 10


def _pick(
    text: str, proposed: list[dict[str, Any]], lang: str | None = None
) -> dict[str, Any] | None:
    """The proposed slot meant by a button payload (its id), a typed number (1, 2, 3) or its
    rank ("le premier", "الموعد الاول"): ranks got "answer with a number" (session 25). A
    number said with a no ("pas le 2") picks none."""
    by_id = {str(p["id"]): p for p in proposed}
    cleaned = ascii_digits(text).strip()
    if cleaned in by_id:
        return by_id[cleaned]
    if _number_refused(cleaned):
        return None
    match = re.fullmatch(r"\D{0,12}?(\d)\D{0,12}", cleaned)
    rank = int(match.group(1)) if match else _rank(cleaned, lang)
    if rank is not None and 1 <= rank <= len(proposed):
        return proposed[rank - 1]
    return None


# « لا » is also "no" ("لا، 2": no, the second): it refuses no number.
_REFUSING = NEGATIONS - {"لا"}


def _number_refused(text: str) -> bool:
    """A number said with a no just before it ("pas le 2", "not 2"), not after ("2, pas 3" is
    two numbers, and no pick anyway)."""
    tokens = words(text)
    return any(
        token.isdigit() and _REFUSING.intersection(tokens[max(0, i - 2) : i])
        for i, token in enumerate(tokens)
    )


def _rank(text: str, lang: str | None) -> int | None:
    """The rank a short reply names, unless the reply names a démarche that its rank word alone
    does not, and no appointment: « c'est une première demande » is a first application; « الأول »
    (the first, also read as a first application) and « الموعد الاول » the first slot (session
    26; « الأول » alone then got the main menu, seen on the dev bench)."""
    if (
        read_facts(text, lang)
        and read_wants(text, lang) is None
        and not any(read_facts(phrase, lang) for phrase in rank_phrases(text))
    ):
        return None
    return rank_of(text)
