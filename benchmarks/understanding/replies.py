"""Reading the assistant's SMS replies as a person would: what they ask, in which language, which
door they name. Matches the replies against the sentences the assistant can say (bot.responses,
the routing sentences and the channels' messages), rendered in every language, so a change of
wording moves the bench with it instead of breaking it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from bot.booking.messages import REFUSALS
from bot.catalogue import get_catalogue
from bot.catalogue.messages import NEXT_STEPS, NOT_COVERED, OPTION_LABELS, QUESTIONS
from bot.channels import gsm7, messages
from bot.i18n import LANGUAGE_NAMES, SOURCE_LANGUAGE, SUPPORTED_LANGUAGES, gettext
from bot.language import identify
from bot.locales import unspaced_scripts
from bot.responses import RESPONSES
from bot.text import fold, in_scripts

# What a reply asks, by the name of the sentence that asks it (the `when:` kinds of the corpus).
ASKS: dict[str, str] = {
    "utter_greet": "language",
    "utter_ask_language": "language",
    "utter_ask_demarche": "subject",
    "utter_ask_site": "place",
    "utter_site_not_found": "place",
    "utter_site_no_such_demarche": "place",
    "utter_site_not_served": "place",
    "utter_site_explain": "place",
    "next:book_ask_site": "place",
    "utter_ask_date_text": "day",
    "utter_date_not_understood": "day",
    "utter_ask_chosen_slot": "slot",
    "utter_slot_choice_invalid": "slot",
    "utter_ask_numero_etranger": "numero_etranger",
    "utter_numero_etranger_invalid": "numero_etranger",
    "utter_ask_booking_confirmed": "confirm",
    "utter_ask_reschedule_confirmed": "confirm",
    "utter_confirm_cancel": "confirm",
    "utter_no_slot": "confirm",
    "utter_booking_service_down": "confirm",
    "utter_no_booking_found": "booking_code",
    "utter_ask_documents_confirmed": "documents",
    "utter_documents_more": "documents",
    "utter_ask_phone": "phone",
    "refusal:slot_full": "slot",
    "refusal:invalid_numero_etranger": "numero_etranger",
    "refusal:numero_etranger_required": "numero_etranger",
    "question:subject": "subject",
    "question:road": "road",
    "question:procedure": "procedure",
    "question:pickup_or_lost": "procedure",
    "question:title": "title",
    "question:other_title": "title",
}
# Said when the last message was not understood: three in a row are a dead end.
NOT_UNDERSTOOD = frozenset(
    {
        "utter_ask_rephrase",
        "utter_default",
        # An answer to a numbered question that says nothing readable ("ما فهمتش", "?").
        "utter_choice_not_understood",
        "utter_date_not_understood",
        "utter_expiry_not_understood",
        "utter_slot_choice_invalid",
        "utter_site_not_found",
        "utter_phone_invalid",
        "utter_numero_etranger_invalid",
        "channel:not_in_menu",
    }
)
# What a conversation is after (`goal:`), by the sentences that reach it.
GOALS: dict[str, frozenset[str]] = {
    "cancelled": frozenset({"utter_cancelled"}),
    "rescheduled": frozenset({"utter_rescheduled"}),
    "waitlist": frozenset({"utter_waitlist_joined"}),
    "proof": frozenset({"utter_my_proof", "utter_no_proof"}),
}
CODE = re.compile(r"\b([0-9A-Z]{4}-[0-9A-Z]{4})\b")
PLACEHOLDER = re.compile(r"\[[^\]\n]{0,40}\]|\{[^}\n]{0,40}\}|\bNone\b")
MENU_LINE = re.compile(r"^\s*(\d{1,2})\.\s*(.+?)\s*$", re.MULTILINE)
_INVISIBLE = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f]")
_PLACEHOLDER_IN_TEMPLATE = re.compile(r"\{[^}]*\}")
_PARENTHESES = re.compile(r"\([^()\n]*\)")


def norm(text: str) -> str:
    """Words only, folded the way SMS shaping folds (GSM-7 for Latin text), spaced by one blank."""
    text = _INVISIBLE.sub("", text)
    if not _ARABIC.search(text):
        text = gsm7.fold_to_gsm7(text)
    return " ".join(re.findall(r"\w+", fold(text)))


@dataclass(frozen=True)
class Sentence:
    """A sentence the assistant can say, in one language, as the literal pieces around its
    placeholders (each a run of whole words)."""

    name: str
    lang: str
    pieces: tuple[str, ...]

    def position(self, reply: str) -> int:
        """Where the sentence starts in the normalised reply, or -1."""
        found = self.span(reply)
        return found[0] if found else -1

    def span(self, reply: str) -> tuple[int, int] | None:
        """Where the sentence starts and ends in the normalised reply, or None."""
        start, first = 0, -1
        for piece in self.pieces:
            found = _find(reply, piece, start)
            if found < 0:
                return None
            first = found if first < 0 else first
            start = found + len(piece)
        return first, start


# A piece this short is found as a word only: Persian « به » (to) of "نوبت … به …" was found in
# « سه شنبه » (Tuesday), and a Pashto confirmation read as Persian (session 27, dev bench).
_SHORT_PIECE = 3


def _find(reply: str, piece: str, start: int) -> int:
    if len(piece) > _SHORT_PIECE or not piece.isalpha() or in_scripts(piece[0], unspaced_scripts()):
        return reply.find(piece, start)
    match = re.compile(rf"(?<!\w){re.escape(piece)}(?!\w)").search(reply, start)
    return match.start() if match else -1


def _sentence(name: str, lang: str, template: str) -> Sentence | None:
    pieces = tuple(
        p for p in (norm(piece) for piece in _PLACEHOLDER_IN_TEMPLATE.split(template)) if p
    )
    # A piece of one short Latin word ("Code") would be found in any reply; Chinese says in
    # four letters what takes a Latin sentence ("的空闲时段": free slots at …).
    joined = " ".join(pieces)
    dense = any(in_scripts(c, unspaced_scripts()) for c in joined)
    if not pieces or len(joined) < (4 if dense else 5 if _ARABIC.search(joined) else 8):
        return None
    return Sentence(name, lang, pieces)


def _msgids() -> Iterable[tuple[str, str]]:
    for name, response in RESPONSES.items():
        yield name, response.text
        for button in response.buttons:
            if not button.verbatim:
                yield f"button:{name}:{button.title}", button.title
    for key, text in QUESTIONS.items():
        yield f"question:{key}", text
    for key, text in OPTION_LABELS.items():
        yield f"option:{key}", text
    for key, text in NEXT_STEPS.items():
        yield f"next:{key}", text
    for key, text in REFUSALS.items():
        yield f"refusal:{key}", text
    yield "not_covered", NOT_COVERED
    yield "channel:not_in_menu", messages.NOT_IN_MENU
    yield "channel:more", messages.MORE_HINT
    yield "channel:reply_with_number", messages.REPLY_WITH_NUMBER


@cache
def sentences() -> tuple[Sentence, ...]:
    """Every sentence in every language; a translation missing from a catalogue (the French
    text comes back) counts as French only."""
    found: list[Sentence] = []
    for name, msgid in _msgids():
        for lang in SUPPORTED_LANGUAGES:
            text = gettext(msgid, lang)
            if lang != SOURCE_LANGUAGE and text == msgid:
                continue
            sentence = _sentence(name, lang, text)
            if sentence is not None:
                found.append(sentence)
    return tuple(found)


@cache
def option_of_label() -> dict[str, str]:
    """A numbered line's text (normalised, any language) → the routing option key it renders."""
    labels = {
        norm(gettext(text, lang)): key
        for key, text in OPTION_LABELS.items()
        for lang in SUPPORTED_LANGUAGES
    }
    labels.update({norm(name): f"language:{code}" for code, name in LANGUAGE_NAMES.items()})
    return labels


def _asks(name: str) -> str | None:
    """What a sentence asks; a button's label asks what its response asks (a menu paged alone)."""
    if name.startswith("button:"):
        name = name.split(":", 2)[1]
    return ASKS.get(name)


def label_key(label: str) -> str:
    """The key of OPTION_LABELS whose French text is `label`."""
    return next(key for key, text in OPTION_LABELS.items() if text == label)


@dataclass
class Reply:
    """All the messages the assistant sent back for one message of the person."""

    texts: list[str]
    said: list[tuple[int, Sentence]] = field(default_factory=list)  # (position, sentence)
    menu: dict[int, str] = field(default_factory=dict)  # number → line text

    @classmethod
    def read(cls, texts: list[str]) -> Reply:
        reply = cls(texts)
        joined = reply.normalised
        reply.said = sorted(
            ((position, s) for s in sentences() if (position := s.position(joined)) >= 0),
            key=lambda found: found[0],
        )
        raw = _INVISIBLE.sub("", "\n".join(texts))
        reply.menu = {int(n): label for n, label in MENU_LINE.findall(raw)}
        return reply

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def normalised(self) -> str:
        return norm(self.text)

    @property
    def names(self) -> list[str]:
        return [s.name for _, s in self.said]

    @property
    def exists(self) -> bool:
        return any(t.strip() for t in self.texts)

    @property
    def asks(self) -> str | None:
        """The kind of the last question in the reply (what the person answers)."""
        kinds = [kind for _, s in self.said if (kind := _asks(s.name))]
        return kinds[-1] if kinds else None

    @property
    def routing_question(self) -> str | None:
        questions = [
            s.name.split(":", 1)[1] for _, s in self.said if s.name.startswith("question:")
        ]
        return questions[-1] if questions else None

    @property
    def not_understood(self) -> bool:
        return any(s.name in NOT_UNDERSTOOD for _, s in self.said)

    @property
    def paged(self) -> bool:
        """Ends with the hint to send SUITE for the rest."""
        if not self.said:
            return False
        last = self.said[-1][0]
        return any(
            s.name in ("channel:more", "utter_documents_more") for p, s in self.said if p == last
        )

    @property
    def placeholders(self) -> list[str]:
        return PLACEHOLDER.findall(self.text)

    def language(self) -> str | None:
        """The language of the sentences recognised ("mixed" when several), else what
        bot.language identifies in the text."""
        found = self._unquoted()
        langs = {s.lang for s, _ in found}
        if len(langs) == 1:
            return langs.pop()
        if len(langs) > 1:
            # A translation may share a line with another language's (Dari and Pashto write
            # some the same): the languages that have a sentence at every place recognised.
            at: dict[tuple[int, int], set[str]] = {}
            for sentence, span in found:
                at.setdefault(span, set()).add(sentence.lang)
            every = set.intersection(*at.values())
            if len(every) == 1:
                return every.pop()
            guess = identify(self.text).lang
            return guess if guess in every else "mixed"
        return identify(self.text).lang if self.exists else None

    def _unquoted(self) -> list[tuple[Sentence, tuple[int, int]]]:
        """The sentences recognised, without the official French terms a translation quotes:
        a French option label ("Passeport talent", "Conjoint de Français") in a reply that
        speaks another language is the term in parentheses ("人才护照（passeport talent）"), and
        so is a French sentence found inside a sentence of another language."""
        joined = self.normalised
        spans = [(s, sp) for _, s in self.said if (sp := s.span(joined))]
        others = {s.lang for s, _ in spans} - {SOURCE_LANGUAGE}

        def quoted(s: Sentence, a: int, b: int) -> bool:
            if s.lang == SOURCE_LANGUAGE and others and s.name.startswith("option:"):
                return True
            return any(
                t.lang != s.lang and c <= a and b <= d and (c, d) != (a, b) for t, (c, d) in spans
            )

        return [(s, (a, b)) for s, (a, b) in spans if not quoted(s, a, b)]

    def options(self) -> dict[int, str]:
        """Numbered lines read as routing options (`residence`...) or languages (`language:ar`)."""
        labels = option_of_label()
        return {n: labels[norm(line)] for n, line in self.menu.items() if norm(line) in labels}

    def demarches_named(self) -> set[str]:
        """The démarches whose name (in any language) the reply gives; a name found only inside
        a longer name also found is not counted."""
        found: dict[str, str] = {}
        text = self.normalised
        for code, demarche in get_catalogue().demarches.items():
            for lang in SUPPORTED_LANGUAGES:
                name = norm(demarche.name(lang))
                named = name and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)
                if named and len(name) > len(found.get(code, "")):
                    found[code] = name
        return {c for c, n in found.items() if not any(n != m and n in m for m in found.values())}

    def said_any(self, names: Iterable[str]) -> bool:
        wanted = set(names)
        return any(s.name in wanted for _, s in self.said)

    def code(self, known: Iterable[str] = ()) -> str | None:
        """A convocation code the reply gives (not one the person already had)."""
        codes = [c for c in CODE.findall(self.text) if c not in set(known)]
        return codes[0] if codes else None

    def segments(self) -> int:
        return sum(gsm7.sms_info(t).segments for t in self.texts if t)


def option_toward(reply: Reply, expected: Iterable[str], lang: str) -> int | None:
    """The number of the menu option that fits what the person needs: their language in the
    language menu, else the routing option that keeps every démarche they may mean
    (`expected`, démarche codes)."""
    options = reply.options()
    for number, key in options.items():
        if key == f"language:{lang}":
            return number
    question = reply.routing_question
    catalogue = get_catalogue()
    wanted = [catalogue.demarches[code].selects for code in expected]
    if question is None or not wanted:
        return None
    routing = catalogue.routing
    spec = next((q for q in routing.questions if q.id == question), None)
    if spec is None:
        return None
    values = {label: value for value, label in spec.options}
    for number, key in sorted(options.items()):
        value = values.get(key)
        if value is None:
            continue
        allowed = routing.expand(spec.ask, value) or frozenset()
        if all(selects.get(spec.ask) is None or selects[spec.ask] & allowed for selects in wanted):
            return number
    return None
