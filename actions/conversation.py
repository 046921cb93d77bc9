"""Session start (what the gateway knows about the person), the two-stage fallback, and the
answers to a yes/no question an action asked (`awaiting`)."""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, EventType, FollowupAction, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.asides import answered_after_the_form
from actions.booking_search import another_day
from actions.common import (
    GuichetAction,
    demarche_of,
    in_form,
    language,
    ran_this_turn,
    step_of,
    still_stuck,
    stuck_turns,
)
from actions.deadlines import (
    ActionAgreeDeadlineAlerts,
    a_day_while_too_early,
    accepts_the_alert_offer,
)
from actions.documents import missing_named
from actions.manage import answer_about_a_booking, move_instead_of_cancel
from actions.reading import asks_for_a_booking, for_the_form, names_a_demarche
from bot.i18n import SUPPORTED_LANGUAGES
from bot.personal import SEALED
from bot.text import fold
from bot.understanding import read_question

# Metadata the gateway sends with each message (REST channel) that become slots.
_METADATA_SLOTS = ("language", "phone", "channel")
# Slots worth keeping across sessions: who the person is and what they were doing.
_CARRIED_SLOTS = (
    "language",
    "phone",
    "channel",
    "demarche",
    "site",
    "expiry_date",
    "numero_etranger",
)


class ActionSessionStart(GuichetAction, action="action_session_start"):
    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        carried = {slot: tracker.get_slot(slot) for slot in _CARRIED_SLOTS}
        metadata = tracker.get_slot("session_started_metadata") or {}
        for key in _METADATA_SLOTS:
            value = metadata.get(key)
            # An explicit choice made in the conversation beats the gateway's guess.
            if value and not (key == "language" and carried.get("language")):
                carried[key] = value
        if carried.get("language") not in SUPPORTED_LANGUAGES:
            carried["language"] = None
        numero = carried.get("numero_etranger")
        if not (isinstance(numero, str) and SEALED.fullmatch(numero)):
            # A number in clear is the gateway's stand-in, put there by Rasa's entity outside
            # the form: it stands for nothing in a later message, and a booking would be made
            # under it. Sealed numéros only; the form asks again.
            carried["numero_etranger"] = None
        events.extend(SlotSet(slot, value) for slot, value in carried.items() if value is not None)
        events.append(ActionExecuted("action_listen"))
        return events


_IGNORED_ACTIONS = ("action_listen", "action_unlikely_intent", "action_extract_slots")


def _earlier_messages(tracker: Tracker) -> int:
    """How many messages the person sent in this session before the one being answered."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            break
        if event.get("event") == "user":
            count += 1
    return max(0, count - 1)


class ActionGreet(GuichetAction, action="action_greet"):
    """A hello opens the conversation with the language menu; later ("allo?") it only says the
    assistant is still there: the rules then resume the question in progress, if any, else the
    menu comes (a greeting never drops what the person was doing)."""

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        if for_the_form(tracker):
            # "salam, lkart dyali dA3t": the door first; "bonjour, je voudrais un rendez-vous":
            # the routing question rather than the language menu (bot.language reads the
            # language from the message).
            return [FollowupAction("booking_form")]
        if (
            not in_form(tracker)
            and (answer := await answer_about_a_booking(dispatcher, tracker)) is not None
        ):
            return answer
        if not _earlier_messages(tracker):
            dispatcher.utter_message(response="utter_greet")
            return []
        dispatcher.utter_message(response="utter_still_here")
        if not tracker.active_loop_name:
            dispatcher.utter_message(response="utter_menu")
        return []


# Words that deny the language named after them ("je comprends pas le français", "I don't speak
# French", "ما فهمتش الفرنسية", "не говорю по-французски", "我不懂法语"): that language is not the
# one wanted, so the menu is shown. Folded forms (bot.text.fold), any language.
# fmt: off
_NEGATION_WORDS = (
    "pas", "ne", "n", "jamais", "not", "dont", "don", "cant", "t", "no", "never",
    "ما", "لا", "مش", "ماشي", "ماني", "مانيش", "ليس", "لست", "نمی", "نه", "نشی", "не", "ні",
)
# fmt: on
_NEGATIONS = frozenset(fold(word) for word in _NEGATION_WORDS)
_WORD = re.compile(r"\w+")


def _denied(text: str) -> bool:
    """The message denies something: a negation word, or Darija's "ما…ش" in one word (مافهمتش)."""
    tokens = _WORD.findall(fold(text))
    return any(
        t in _NEGATIONS
        or (len(t) > 3 and t.startswith("م") and t.endswith("ش"))
        # Chinese is written without spaces: its negations inside a run of letters.
        or "不" in t
        or "没" in t
        for t in tokens
    )


def named_language(tracker: Tracker) -> str | None:
    """The supported language this message asks for ("vous parlez anglais ?", "do you speak
    arabic", "tu parles arabe"), unless it says it does not want it ("I don't speak French")."""
    text = tracker.latest_message.get("text") or ""
    named = {
        str(e.get("value"))
        for e in tracker.latest_message.get("entities") or []
        if e.get("entity") == "language" and e.get("value") in SUPPORTED_LANGUAGES
    }
    if len(named) != 1 or _denied(text):
        return None
    return named.pop()


class ActionAskLanguage(GuichetAction, action="action_ask_language"):
    """A language asked for by name ("vous parlez anglais ?") is taken at once, said in that
    language, and the conversation goes on where it was (in the form, its question comes next,
    in the new language); otherwise the language menu. Unless the sentence names the démarche:
    a word can pass for a language request ("my husband is FRENCH and my permit ends in June"),
    and the person's language is read from the message anyway (bot.language), so the door comes
    first."""

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        if names_a_demarche(tracker):
            return [FollowupAction("booking_form")]
        asked = named_language(tracker)
        if asked is None:
            dispatcher.utter_message(response="utter_ask_language")
            # In the form, the menu alone: with the form's question after it, its numbers were
            # the question's (the menu's went behind SUITE). The answer comes back through the
            # rule "language chosen in the form", and the question follows in that language.
            return [FollowupAction("action_listen")] if in_form(tracker) else []
        # Said in the language asked for (the slot is set after this reply is rendered). Where
        # nothing is under way, the next question comes with it; in the form, the form asks its
        # own, and a pending yes / no stays pending.
        going_on = in_form(tracker) or bool(tracker.get_slot("awaiting"))
        dispatcher.utter_message(
            response="utter_language_switched" if going_on else "utter_language_changed",
            language=asked,
        )
        return [SlotSet("language", asked)]


class ActionHelp(GuichetAction, action="action_help"):
    """Where help is ("aide", "je comprends pas", "I don't understand"). A second time in a row
    the same text would leave the person where they were: they get something else instead
    (utter_stuck: a person who can help, the menu, another language). A request for an
    appointment that says "help" ("I need help with my papers, can I book a time?") goes to
    the form, outside it: the help text alone answered beside the request."""

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        if for_the_form(tracker):
            return [FollowupAction("booking_form")]
        if still_stuck(tracker):
            dispatcher.utter_message(response="utter_stuck")
            return []
        dispatcher.utter_message(response="utter_help")
        if not in_form(tracker) and not tracker.get_slot("awaiting"):
            # Where nothing is under way, what the assistant can do next, numbered: "bjr jai
            # besoin d aide" got where help is and no way on, then "🙏" "still not understood"
            # (session 24, as a phone).
            dispatcher.utter_message(response="utter_menu")
        return []


class ActionUnaskedAnswer(GuichetAction, action="action_unasked_answer"):
    """A yes or a no with nothing asked: the menu, unless the sentence names a démarche ("jveu
    la nationaliter" classified as a no: "je veux pas" is close in letters; the form then
    answers it, as for a greeting or a message Rasa did not classify) or asks what is answered
    after the form ("c'est où ?", read as a yes)."""

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        if names_a_demarche(tracker):
            return [FollowupAction("booking_form")]
        if accepts_the_alert_offer(tracker):
            # Answered here, as ActionConfirm runs its step: a FollowupAction left Rasa to
            # predict what follows, and it ran the alerts a second time ("Noted" twice).
            return await ActionAgreeDeadlineAlerts().act(dispatcher, tracker)
        if (tracker.active_loop or {}).get("name") == "booking_form":
            # A yes or a no where the form asks no yes or no (« oui » at the numéro étranger):
            # its question comes next, alone. The menu before it mixed two questions, and its
            # numbers then answered neither (session 28, as a phone: stuck three times).
            return []
        # Rasa reads "c'est où ?" as a yes: after a door or a deadline, the address asked.
        if not answered_after_the_form(dispatcher, tracker):
            dispatcher.utter_message(response="utter_menu")
        return []


def _consecutive_fallbacks(tracker: Tracker) -> int:
    """In how many turns in a row action_fallback answered, just before this message.

    Not merged with actions.common.stuck_turns, which also walks the turns backwards: the two
    count different things and give different replies. This one counts the turns the
    classifier missed, by the action that ran, whatever it said: an insult answered politely,
    an off-topic message, an emoji answered by the greeting are misses too, and the next miss
    gets the menu (utter_default + utter_menu), not a first "say it another way". It stops at
    a turn where anything else ran after the fallback (in the form, the form's question).
    stuck_turns counts the turns whose reply left the person where they were, by the responses
    said (STUCK_RESPONSES), from any action: the form's "not understood" at a choice or a day,
    the help text; utter_insult, utter_greet, utter_out_of_scope are not among them. Counting
    fallbacks by their responses would answer "insult, then '??'" with a rephrase request
    instead of the menu; counting stuck replies by the fallback action would miss the form's.
    """
    count = 0
    counted_this_turn = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            counted_this_turn = False
            continue
        if event.get("event") != "action" or event.get("name") in _IGNORED_ACTIONS:
            continue
        if event.get("name") != "action_fallback":
            break
        count += 0 if counted_this_turn else 1
        counted_this_turn = True
    return count


def _back_to_the_question(tracker: Tracker) -> bool:
    """The one rule where something follows the fallback: not understood in the form, which
    then asks its question again (data/rules.yml)."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return intent == "nlu_fallback" and (tracker.active_loop or {}).get("name") == "booking_form"


class ActionFallback(GuichetAction, action="action_fallback"):
    """First miss: ask to rephrase (or answer the insult / the off-topic). Second miss in a row:
    the menu, so the person always has numbered choices and never loops on "I did not get it".

    The fallback always ends the turn (but where the form asks its question again): Rasa also
    runs it as its core fallback when no rule knows the next step (a message the form turned
    down), and nothing knows what follows it there either, so Rasa ran it again and again until
    its circuit breaker tripped, which leaves the conversation unable to answer ever after.
    """

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        listen: list[EventType] = [FollowupAction("action_listen")]
        if ran_this_turn(tracker, "action_fallback"):
            return listen  # the person already has this turn's answer
        if (day := another_day(tracker)) is not None:
            return day
        if a_day_while_too_early(dispatcher, tracker):
            return listen
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if (
            intent == "nlu_fallback"
            and tracker.get_slot("requested_slot") == "documents_confirmed"
            and missing_named(tracker)
        ):
            # The form runs next (data/rules.yml) and names each document and how to get it.
            return []
        text = tracker.latest_message.get("text") or ""
        if names_a_demarche(tracker) or (
            intent not in ("insult", "out_of_scope") and asks_for_a_booking(tracker)
        ):
            # Rasa did not classify it, the sentence says the démarche (or asks for an
            # appointment without one): the form answers, with its door or routing question.
            return [FollowupAction("booking_form")]
        if (
            intent not in ("insult", "out_of_scope")
            and not in_form(tracker)
            and (answer := await answer_about_a_booking(dispatcher, tracker)) is not None
        ):
            return answer
        if not in_form(tracker) and accepts_the_alert_offer(tracker):
            return [*await ActionAgreeDeadlineAlerts().act(dispatcher, tracker), *listen]
        if (
            intent != "insult"
            and not in_form(tracker)
            and answered_after_the_form(dispatcher, tracker)
        ):
            return listen
        question = read_question(text, language(tracker))
        if question == "online" and not in_form(tracker) and demarche_of(tracker) is None:
            # "ok mai jai pa dordi moi" (I have no computer) when asked the démarche got "not
            # understood" (a writer's dev conversation, session 26).
            dispatcher.utter_message(response="utter_no_computer_needed")
        elif question == "human":
            # "humain", "je veux parler a quelqu'un": the greeting's language menu or "not
            # understood" left no way to a person; the help answer names where one is.
            dispatcher.utter_message(response="utter_help")
        elif intent not in ("insult", "out_of_scope") and not _earlier_messages(tracker):
            # A first message with nothing to read (an emoji, a number): the greeting and its
            # language menu, not a "not understood" before anything was said.
            dispatcher.utter_message(response="utter_greet")
        elif _consecutive_fallbacks(tracker) % 2 == 1 or still_stuck(tracker):
            dispatcher.utter_message(response="utter_default")
            dispatcher.utter_message(response="utter_menu")
        elif stuck_turns(tracker) >= 2:
            # "Say it another way" after the menu was shown: a person, or another language.
            dispatcher.utter_message(response="utter_stuck")
        elif intent == "insult":
            dispatcher.utter_message(response="utter_insult")
        elif intent == "out_of_scope":
            dispatcher.utter_message(response="utter_out_of_scope")
        else:
            dispatcher.utter_message(response="utter_ask_rephrase")
        return [] if _back_to_the_question(tracker) else listen


class ActionConfirm(GuichetAction, action="action_confirm"):
    """ "Oui" to the pending question: run what it was about."""

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        cleared: list[EventType] = [SlotSet("awaiting", None)]
        step = step_of(tracker.get_slot("awaiting") or "")
        if step is None:
            dispatcher.utter_message(response="utter_menu")
            return cleared
        # The step may set `awaiting` again (the service is still down): its events come last.
        return [*cleared, *await step().act(dispatcher, tracker)]


class ActionDecline(GuichetAction, action="action_decline"):
    """ "Non" to the pending question: nothing changes."""

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        if (day := another_day(tracker)) is not None:
            return day  # "non, plutôt le 12": not the waitlist, that day
        if (moved := await move_instead_of_cancel(dispatcher, tracker)) is not None:
            return moved
        dispatcher.utter_message(response="utter_kept")
        return [SlotSet("awaiting", None)]
