"""What to do with one message, decided from the message and what we know of its sender alone:
no database, no network, so that every rule of the conversation can be read and tested here.

`plan` says what the gateway answers itself (keywords, opt-out, paging, menu numbers) and what
goes on to the conversation; the caller (bot.channels.conversation) carries it out. `route` is
the one place that reads the question last asked of the person (Contact.pending_question): a
reply word (OUI, NON, ANNULER, DOCS) answers that question, PREUVE and RETIRER at any time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.channels import messages
from bot.words import ANYTIME_WORDS, REPLY_WORDS, Question, Word, menu_choice, word_of

MENU_PAYLOAD = "/menu"
MAX_TEXT = 1600  # ten concatenated SMS: more is not a message a person typed
_CONTROL = {c: None for c in range(32) if chr(c) not in "\n\t"} | {0x7F: None}


def clean_text(text: str) -> str:
    """Control characters removed (PostgreSQL refuses NUL) and length bounded."""
    return text.translate(_CONTROL)[:MAX_TEXT]


@dataclass
class Incoming:
    channel: str
    address: str  # E.164 phone or Telegram chat id
    external_id: str  # MessageSid or update_id: the de-duplication key
    text: str
    language_hint: str | None = None
    phone: str | None = None
    payload: str | None = None  # already meant for Rasa: a Telegram button or command
    opt_in: bool = False  # Telegram /start
    # When the gateway got it (its place among its sender's messages); now if not given.
    arrived: datetime | None = None


@dataclass
class Turn:
    """One message being answered and its sender as they were when it arrived."""

    inbound_id: int
    contact_id: int
    channel: str
    address: str
    language: str
    opted_out: bool
    language_source: str | None = None  # bot.channels.language.LanguageSource
    hint: str | None = None  # Telegram's language_code: a prior for the first message
    last_menu: list[str] = field(default_factory=list)
    pages_left: list[str] = field(default_factory=list)
    pending: str | None = None  # the question last asked of the sender (bot.words.Question)
    queued_before: bool = False
    phone: str | None = None
    lease: str | None = None  # this process answers the sender; None: another one does
    # Taken up again after another process had it: that process may have died after Rasa
    # answered and before the answer was sent, so Rasa's conversation is read first.
    retaken: bool = False


# -- what to do -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Say:
    """A sentence of the gateway's own; `keep`: the message stays kept for a later answer."""

    msgid: str
    force: bool = False  # sent even to an opted-out sender (the STOP confirmation)
    count: int | None = None
    keep: bool = False


@dataclass(frozen=True)
class Drop:
    """Nothing is sent: the sender opted out."""


@dataclass(frozen=True)
class ShowPage:
    """The next page of the last long answer; the pages after it stay for the next MORE."""

    text: str


@dataclass(frozen=True)
class Converse:
    """The text goes on to the conversation (a menu number already replaced by its payload).
    With `reply`, it answers a message sent first (bot.scheduler.replies) — or goes on to Rasa
    when that message has nothing left to answer."""

    text: str
    reply: Word | None = None


Action = Say | Drop | ShowPage | Converse


@dataclass(frozen=True)
class Plan:
    """`opted_out`: the sender's new opt-out state to store first, if it changes."""

    action: Action
    opted_out: bool | None = None


def plan(incoming: Incoming, turn: Turn) -> Plan:
    word = None if incoming.payload else word_of(incoming.text)
    if word is Word.STOP:
        return Plan(Say(messages.OPTED_OUT, force=True), opted_out=True)
    opting_in = word is Word.START or incoming.opt_in
    if word is Word.START:
        return Plan(Say(messages.OPTED_IN), opted_out=False)
    change = False if opting_in else None
    if turn.opted_out and not opting_in:
        return Plan(Drop())
    return Plan(_answer(incoming, turn, word), opted_out=change)


def _answer(incoming: Incoming, turn: Turn, word: Word | None) -> Action:
    if word is Word.HELP:
        return Say(messages.HELP)
    if word is Word.MORE and turn.pages_left:
        return ShowPage(turn.pages_left[0])
    # No page of ours left: "more" is Rasa's (the next part of a document checklist).
    if incoming.payload is None and not incoming.text.strip():
        return Say(messages.TEXT_ONLY)  # a photo, an empty MMS
    resolved = _resolve(incoming, turn.last_menu, word)
    if isinstance(resolved, int):
        return Say(messages.NOT_IN_MENU, count=resolved)
    return route(resolved, turn.pending)


def route(text: str, pending: str | None) -> Converse:
    """Who the text is for. A reply word answers the question last asked: after the assistant's
    answer, OUI is the assistant's even if an offer is waiting too; after an offer or a reminder
    (or when nothing was asked here yet), the messages sent first get it, and Rasa only if none
    of them can take it (no offer pending, no booking to cancel)."""
    word = word_of(text)
    if word not in REPLY_WORDS:
        return Converse(text)
    if word not in ANYTIME_WORDS and pending == Question.ASSISTANT.value:
        # Rasa hears a yes or a no as its buttons send it: "واخا، الله يخليك" (yes, God keep
        # you) is no sentence its NLU knows, and the waitlist question got "not understood".
        return Converse(_AS_BUTTON.get(word, text))
    return Converse(text, reply=word)


_AS_BUTTON = {Word.YES: "/affirm", Word.NO: "/deny"}  # the payloads of bot.responses' buttons


def _resolve(incoming: Incoming, last_menu: list[str], word: Word | None) -> str | int:
    """The text for Rasa; an int (the menu's length) when the number is not in the menu."""
    if incoming.payload is not None:
        if incoming.payload.startswith("menu:") and incoming.payload[5:].isdigit():
            index = int(incoming.payload[5:])
            if 1 <= index <= len(last_menu):
                return last_menu[index - 1]
            return len(last_menu)
        return incoming.payload
    if word is Word.MENU:
        return MENU_PAYLOAD
    choice = menu_choice(incoming.text)
    if choice is not None and last_menu:
        if choice <= len(last_menu):
            return last_menu[choice - 1]
        return len(last_menu)
    return _typed(incoming.text)


def _typed(text: str) -> str:
    """What a person typed, never a Rasa command: typed in an SMS, "/restart" reset the
    conversation and got "I cannot answer", "/inform{…}" set slots of the form (session 25, as
    an attacker). Commands reach Rasa only as payloads: buttons, menus, Telegram's own."""
    typed = text.lstrip("/")
    return typed if typed.strip() else "?"
