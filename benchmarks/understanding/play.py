"""Phones that play the held-out corpus through the signed /sms/twilio webhook: each opening
message as the first message of a fresh number, then each scripted conversation with a player
that answers what the assistant asks (tests/understanding/README.md gives the schema)."""

from __future__ import annotations

import itertools
import re
import threading
import time
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from twilio.request_validator import RequestValidator

from benchmarks.understanding.replies import GOALS, Reply, label_key, norm, option_toward
from bot.catalogue import get_catalogue
from bot.i18n import SUPPORTED_LANGUAGES, gettext
from bot.locales import language
from bot.routing import RouteStatus, candidates, possible_values, route
from bot.words import WORDS, Word

MAX_MESSAGES = 25  # a conversation still going after that many is stopped (and reported)
LATE_REPLY_WAIT = 30.0  # seconds to wait for a reply that goes by REST after an empty TwiML
_numbers = itertools.count(1)
_numbers_lock = threading.Lock()

# Rest messages seen at Twilio's REST API (the fake one of the bench's own stack), by phone.
RestMessages = Callable[[str], list[str]]


def fresh_number() -> str:
    """A French mobile number never used before in this run: a new person. 061… is metropolitan
    (0639, 069… are overseas ranges the booking engine would refuse)."""
    with _numbers_lock:
        n = next(_numbers)
    return f"+3361{time.time_ns() % 10**3:03d}{n:04d}"


def numero_for(number: str) -> str:
    """A numéro étranger of this phone's person alone: one appointment per person and démarche,
    so the corpus's shared example numéro would let only the first conversation book."""
    return "75" + "".join(c for c in number if c.isdigit())[-8:]


@dataclass
class SmsPhone:
    """A phone texting the gateway like Twilio forwards an SMS: signed, with no language hint."""

    gateway: str
    public_url: str
    auth_token: str
    rest: RestMessages | None = None
    number: str = field(default_factory=fresh_number)
    sent: int = 0
    segments: int = 0

    def send(self, body: str) -> Reply:
        self.sent += 1
        rest_before = len(self.rest(self.number)) if self.rest else 0
        params = {
            "MessageSid": f"SM{self.number[-8:]}{self.sent:04d}{time.time_ns() % 10**8:08d}",
            "From": self.number,
            "To": "+33700000000",
            "Body": body,
            "NumMedia": "0",
        }
        signature = RequestValidator(self.auth_token).compute_signature(
            f"{self.public_url}/sms/twilio", params
        )
        response = httpx.post(
            f"{self.gateway}/sms/twilio",
            data=params,
            headers={"X-Twilio-Signature": signature},
            timeout=90,
        )
        response.raise_for_status()
        texts = [m.text or "" for m in ET.fromstring(response.text).iter("Message")]
        if self.rest is not None:
            texts += self._late(rest_before, wait=not texts)
        reply = Reply.read(texts)
        self.segments += reply.segments()
        return reply

    def _late(self, before: int, wait: bool) -> list[str]:
        """Messages that went by REST (a reply later than Twilio's deadline, a convocation)."""
        assert self.rest is not None
        deadline = time.monotonic() + (LATE_REPLY_WAIT if wait else 0.0)
        while True:
            late = self.rest(self.number)[before:]
            if late or time.monotonic() >= deadline:
                return late
            time.sleep(0.2)


# --- openings ------------------------------------------------------------------------------


@dataclass
class OpeningResult:
    variety: str
    text: str
    lang: str
    outcome: str  # demarche | facts | intent
    reply_lang: str | None
    first: bool | None  # right door at the first reply (None: an intent, not routed)
    within_one: bool | None
    replies: list[str]

    @property
    def words(self) -> int:
        return len(self.text.split())


def expected_candidates(entry: Mapping[str, Any]) -> tuple[str, ...]:
    catalogue = get_catalogue()
    if "demarche" in entry:
        return (str(entry["demarche"]),)
    if "facts" in entry:
        return candidates(possible_values(entry["facts"], catalogue.routing), catalogue)
    return ()


def right_door(reply: Reply, entry: Mapping[str, Any]) -> bool:
    """The reply gives the expected démarche by name (its door follows it), or, for facts that
    leave several, asks the routing question that splits them with the same options (or says
    the catalogue has no such démarche when they leave none)."""
    if "demarche" in entry:
        return reply.demarches_named() == {str(entry["demarche"])}
    result = route(entry["facts"])
    if result.resolved:
        # Facts that leave one démarche ("j'ai perdu mes papiers": lost + any permit) want its
        # door, as the offline measure (bot/understanding/bench.py) counts them.
        return reply.demarches_named() == {result.demarche.code}
    if result.status is RouteStatus.NOT_COVERED:
        return reply.said_any({"not_covered"})
    question = result.question
    if question is None or reply.routing_question != question.id:
        return False
    offered = set(reply.options().values())
    return offered == {label_key(option.label) for option in question.options}


def play_opening(phone: SmsPhone, variety: str, entry: Mapping[str, Any]) -> OpeningResult:
    """The opening as a first message; one answer to the question the reply asks, if any."""
    lang = str(entry["lang"])
    first_reply = phone.send(str(entry["text"]))
    replies = [first_reply.text]
    outcome = next(k for k in ("demarche", "facts", "intent") if k in entry)
    first = within = None
    if outcome != "intent":
        first = within = right_door(first_reply, entry)
        if not first:
            number = option_toward(first_reply, expected_candidates(entry), lang)
            if number is not None:
                second = phone.send(str(number))
                replies.append(f"> {number}\n{second.text}")
                within = right_door(second, entry)
    return OpeningResult(
        variety, str(entry["text"]), lang, outcome, first_reply.language(), first, within, replies
    )


# --- conversations -------------------------------------------------------------------------


@dataclass
class ConversationResult:
    id: str
    variety: str
    lang: str
    goal: str
    reached: bool
    messages: int  # sent by the person until the goal (or the end)
    segments: int  # of every reply until the goal
    replies_checked: int = 0
    missing: int = 0
    wrong_language: int = 0
    placeholders: int = 0
    dead_end: bool = False
    stalled: str = ""  # why the player stopped before the goal
    transcript: list[str] = field(default_factory=list)


def _menu_for_no_language(said: str, reply: Reply, lang: str) -> bool:
    """The language menu answering a message without a letter (« 🙏🙏 »): no language to
    answer in, and the menu offers the person's own (the issue asks for it there). It was
    counted as a reply in another language (session 30)."""
    return not any(ch.isalpha() for ch in said) and f"language:{lang}" in reply.options().values()


class Player:
    """Answers what the assistant asks: the next scripted turn when it fits the question asked,
    else what the person's profile says, else the option that leads to their démarche."""

    def __init__(self, conversation: Mapping[str, Any], phone: SmsPhone, world_code: str | None):
        self.conversation = conversation
        self.phone = phone
        self.world_code = world_code
        self.lang = str(conversation["lang"])
        self.profile: dict[str, Any] = dict(conversation.get("profile") or {})
        self.turns: list[dict[str, Any]] = list(conversation.get("turns") or [])
        demarche = conversation.get("demarche")
        self.demarche = str(demarche) if demarche else None
        self.last_asked: str | None = None
        self.result = ConversationResult(
            id=str(conversation["id"]),
            variety=str(conversation["variety"]),
            lang=self.lang,
            goal=str(conversation.get("goal") or "answer"),
            reached=False,
            messages=0,
            segments=0,
        )

    def play(self) -> ConversationResult:
        result = self.result
        said = self._fill(str(self.turns.pop(0)["say"]))
        streak = 0
        while True:
            reply = self._send(said)
            streak = streak + 1 if reply.not_understood else 0
            if streak >= 3:
                result.dead_end = True
            if self._reached(reply):
                result.reached = True
                break
            if result.dead_end:
                result.stalled = "dead end"
                break
            if result.messages >= MAX_MESSAGES:
                result.stalled = f"no {result.goal} after {MAX_MESSAGES} messages"
                break
            following = self._next(reply)
            if following is None:
                if self.result.goal == "answer" and not self.turns:
                    result.reached = not reply.not_understood
                else:
                    result.stalled = f"nothing to answer to: {reply.text[:80]!r}"
                break
            said = following
        result.segments = self.phone.segments
        return result

    def _send(self, text: str) -> Reply:
        reply = self.phone.send(text)
        result = self.result
        result.messages += 1
        result.replies_checked += 1
        result.transcript += [f"> {text}", reply.text]
        if not reply.exists:
            result.missing += 1
        language = reply.language()
        if (
            reply.exists
            and language not in (None, self.lang)
            and not _menu_for_no_language(text, reply, self.lang)
        ):
            result.wrong_language += 1
        if reply.placeholders:
            result.placeholders += 1
        return reply

    def _reached(self, reply: Reply) -> bool:
        goal = self.result.goal
        if goal == "convocation":
            return reply.code({self.world_code} if self.world_code else set()) is not None
        if goal == "door":
            return self.demarche is not None and self.demarche in reply.demarches_named()
        if goal in GOALS:
            return reply.said_any(GOALS[goal])
        return False

    def _next(self, reply: Reply) -> str | None:
        # The numbered lines of a menu paged alone answer the question of the page before.
        asks = reply.asks or (self.last_asked if reply.menu else None)
        self.last_asked = asks
        if asks is None:
            # A turn kept for a question that did not come: the person goes on with the next.
            while self.turns and self.turns[0].get("when") is not None:
                self.turns.pop(0)
        else:
            self._skip_questions_passed(asks)
        if self.turns:
            turn = self.turns[0]
            when = turn.get("when")
            if when is None or when == asks or (when == "any_question" and asks is not None):
                self.turns.pop(0)
                return self._fill(str(turn["say"]))
        if reply.paged and asks is None:
            return _word(Word.MORE, self.lang)
        if asks is None:
            return None
        return self._from_profile(asks, reply)

    def _skip_questions_passed(self, asks: str) -> None:
        """Turns kept for questions never asked, when a later turn waits for this one: the
        place said in the first message is not asked, so "monday only, my day off" (kept for
        the day) waited behind the place's turn and the profile's "monday" was said instead
        (session 25). Only turns kept for a question are passed, never one said unasked."""
        for index, turn in enumerate(self.turns):
            when = turn.get("when")
            if when in (None, "any_question"):
                return
            if when == asks:
                del self.turns[:index]
                return

    def _from_profile(self, asks: str, reply: Reply) -> str | None:
        if asks in ("language", "subject", "road", "procedure", "title"):
            wanted = (self.demarche,) if self.demarche else ()
            number = option_toward(reply, wanted, self.lang)
            return str(number) if number is not None else None
        if asks == "slot":
            slot = self.profile.get("slot", "first")
            return "1" if slot == "first" else str(slot)
        if asks == "documents":
            have = [n for n, key in reply.menu.items() if _is_have_all(key)]
            if have:
                return str(have[0])
            return self.profile.get("documents") or _word(Word.MORE, self.lang)
        if asks == "booking_code":
            return self.world_code
        if asks == "phone":
            return self.phone.number
        if asks == "confirm":
            return str(self.profile.get("confirm") or _word(Word.YES, self.lang))
        value = self.profile.get(asks)
        return self._fill(str(value)) if value is not None else None

    def _fill(self, say: str) -> str:
        say = say.replace("<booking_code>", self.world_code or "")
        numero = _digits_of(str(self.profile.get("numero_etranger") or ""))
        if not numero:
            return say
        own = numero_for(self.phone.number)

        def swap(match: re.Match[str]) -> str:
            written = match.group(0)
            return _rewritten(written, own) if _digits_of(written) == numero else written

        # Whatever digits and spacing the script writes it in ("٧٥٠١ ٢٣٤ ٥٦٨"): the same
        # numéro in other digits is one person since session 24, so two conversations sharing
        # the corpus's example in Arabic and Persian digits were refused as one (session 25).
        return _NUMBER_RUN.sub(swap, say)


_NUMBER_RUN = re.compile(r"\d[\d .\-]*\d")


def _digits_of(text: str) -> str:
    return "".join(str(unicodedata.digit(c)) for c in text if c.isdigit())


def _rewritten(written: str, digits: str) -> str:
    """`digits` in the place of the digits of `written`, each in the script it was written in."""
    left = iter(digits)
    return "".join(
        chr(ord(c) - unicodedata.digit(c) + int(next(left))) if c.isdigit() else c for c in written
    )


def _word(word: Word, lang: str) -> str:
    """The spelling of a keyword a person of `lang` sends: the first of their language
    (locales/<code>/language.yml: SUITE, MORE, التالي, 更多…)."""
    own = language(lang).words.get(word.value) if lang in SUPPORTED_LANGUAGES else None
    return own[0] if own else sorted(WORDS[word])[0]


def _is_have_all(line: str) -> bool:
    return norm(line) in {
        norm(gettext(text, lang))
        for text in ("Oui, j'ai tout", "J'ai déjà tout")
        for lang in SUPPORTED_LANGUAGES
    }
