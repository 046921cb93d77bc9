"""What the person's latest message says, read as a whole sentence (bot.understanding), merged
with what Rasa extracted: the routing facts, an expiry date, a place, a numéro étranger, and
whether it is about an appointment already made.

Merging order for the routing facts: the slots kept from earlier messages, then what this
sentence says, then this message's own entities and button payloads (an explicit answer wins),
except where an entity is vaguer than the sentence (the CRF tags "الكارط" as "a permit" in
"بغيت نجدد الكارط ديال عشر سنين", the sentence reads the 10-year card) or contradicts it so
that no démarche is left ("mon mari est de nationalité française": no naturalisation).
"""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.common import in_form, language, now
from bot.catalogue import get_catalogue
from bot.routing import RouteStatus, candidates, possible_values, route
from bot.understanding import Understanding, consistent, understand_message

FACT_SLOTS = ("procedure_kind", "title_type", "topic")


def understood(tracker: Tracker) -> Understanding:
    """The latest message read whole; nothing for a button payload (its entities say it all)."""
    text = (tracker.latest_message.get("text") or "").strip()
    if not text or text.startswith("/"):
        return Understanding()
    return understand_message(text, language(tracker), now())


def _entities(tracker: Tracker) -> dict[str, str]:
    """This message's routing entities whose value routing knows: the CRF also tags words it
    could not normalise ("renouveller", "وفيها"), which would only hide what the sentence says."""
    routing = get_catalogue().routing
    return {
        str(found["entity"]): str(found["value"])
        for found in tracker.latest_message.get("entities") or []
        if found.get("entity") in FACT_SLOTS
        and found.get("value")
        and routing.expand(str(found["entity"]), str(found["value"]))
    }


def said_facts(tracker: Tracker) -> dict[str, str]:
    """The routing facts this very message brings: its sentence, then its entities."""
    facts = understood(tracker).facts
    return merge_facts(dict(facts.as_slots()), _entities(tracker), facts.doubts)


def merge_facts(
    sentence: dict[str, str], entities: dict[str, str], doubts: frozenset[str] = frozenset()
) -> dict[str, str]:
    """Per fact, the narrower of the sentence's and the entity's values; when they differ
    otherwise, the sentence's (the better reader by measurement, decision 0017-routing). An
    entity may narrow the démarches the sentence leaves, never lead away from all of them.

    Where the sentence's reading is in doubt (`doubts`: a cue found one typo away, cues that
    disagree) and the entity says something else, neither is taken: the fact becomes the
    routing group that holds both (or nothing), and the routing question asks it rather than
    lead to a door on weak evidence (decision 0022)."""
    routing = get_catalogue().routing
    merged = dict(sentence)
    for name, value in entities.items():
        said = routing.expand(name, sentence.get(name) or "")
        told = routing.expand(name, value)
        if said and told and name in doubts and not (told <= said or said <= told):
            groups = routing.groups.get(name, {})
            both = [group for group, members in groups.items() if said | told <= members]
            merged.pop(name, None)
            if both:
                merged[name] = min(both, key=lambda group: len(groups[group]))
            continue
        if said and told and not told < said:
            continue  # the sentence is as precise or more: it wins
        if set(candidates_for({**merged, name: value})) & set(candidates_for(merged)):
            merged[name] = value
    # The sentence's own rules hold for what the entities add: "première demande de titre de
    # séjour" tags "titre" as the title held, which the sentence had set aside.
    return consistent(merged)


def candidates_for(facts: dict[str, str]) -> tuple[str, ...]:
    """The démarches these routing facts leave."""
    catalogue = get_catalogue()
    return candidates(possible_values(facts, catalogue.routing), catalogue)


def facts_of(tracker: Tracker) -> dict[str, str]:
    """Every routing fact known: the kept slots, overridden by what this message says."""
    this_message = _raw_entities(tracker)
    kept = {
        name: tracker.get_slot(name)
        for name in FACT_SLOTS
        # A slot Rasa just filled from this message's entity is not kept from before.
        if tracker.get_slot(name) and tracker.get_slot(name) not in this_message.get(name, ())
    }
    return {**kept, **said_facts(tracker)}


def _raw_entities(tracker: Tracker) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") in FACT_SLOTS and entity.get("value"):
            found.setdefault(str(entity["entity"]), set()).add(str(entity["value"]))
    return found


def new_facts(tracker: Tracker) -> dict[str, str | None]:
    """What this message says that the slots did not hold yet (or held otherwise), and None
    for a slot Rasa filled from this message's entity that the merge set aside."""
    said = said_facts(tracker)
    dropped = {
        name: None
        for name, values in _raw_entities(tracker).items()
        if name not in said and tracker.get_slot(name) in values
    }
    return {
        **dropped,
        **{name: value for name, value in said.items() if tracker.get_slot(name) != value},
    }


def names_a_demarche(tracker: Tracker) -> bool:
    """Outside the form, this message says which démarche (or enough to ask the one routing
    question that splits what it leaves): the actions that answer a hello, a message Rasa did
    not classify or a question about opening days then hand over to the booking form, which
    reads the message whole, rather than answering beside what the person said."""
    if in_form(tracker):
        return False
    reading = understood(tracker)
    if reading.wants not in (None, "book"):
        return False  # about an appointment already made: its own actions answer
    facts = said_facts(tracker)
    return bool(facts) and route(facts).status is not RouteStatus.NOT_COVERED


def asks_for_a_booking(tracker: Tracker) -> bool:
    """Outside the form, a message that names no démarche but asks for an appointment ("j'ai
    besoin d'un rendez-vous à la préfecture", "bghit rdv"): the routing question that starts
    finding the démarche (subject) answers it better than "say it another way" (decision
    0022)."""
    if in_form(tracker):
        return False
    reading = understood(tracker)
    return reading.wants == "book" and not said_facts(tracker)


def for_the_form(tracker: Tracker) -> bool:
    """Outside the form, a message the booking form answers better than the action Rasa's
    intent chose: it names a démarche (`names_a_demarche`), or asks for an appointment without
    one (`asks_for_a_booking`). "به وقت ملاقات نیاز دارم" (I need an appointment) taken for a
    check got "no appointment for this number" on the first message: a person who does not
    say they have an appointment is asking for one, and the routing question starts it."""
    return names_a_demarche(tracker) or asks_for_a_booking(tracker)
