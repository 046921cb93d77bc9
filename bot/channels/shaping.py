"""Rasa's answers shaped for each channel: numbered SMS menus and pages, Telegram keyboards.

Rasa (through the NLG endpoint) already speaks the conversation's language; shaping only
decides the form: GSM-7 folding for the Latin-script languages, a menu the user answers with a
number, pages that keep each SMS answer within `max_segments` segments.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.channels import gsm7, messages
from bot.i18n import normalise_language, translate
from bot.locales import languages

FOLDED_LANGUAGES = frozenset(lang.code for lang in languages() if lang.sms_encoding == "gsm7")
# A line or a menu longer than a page is sent whole up to this many segments (3 Arabic slots
# with their site); only beyond is it cut.
BLOCK_SEGMENTS = 4
_MENU_LINE = re.compile(r"\d+\. ")
TELEGRAM_TEXT_LIMIT = 4096
TELEGRAM_CALLBACK_LIMIT = 64  # bytes, a Bot API limit
# The responses that confirm a language the person chose (bot.responses): the choice sticks.
# `utter_language_switched` says it in the middle of something, whose question comes next.
LANGUAGE_CHOSEN_RESPONSES = frozenset({"utter_language_changed", "utter_language_switched"})
# The answers that ask for the phone (bot/responses.py): on Telegram, under a button that shares
# the account's own number.
CONTACT_RESPONSES = frozenset({"utter_ask_phone", "utter_phone_share_contact"})


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class BotReply:
    """What Rasa said for one user message, all of its messages merged."""

    texts: list[str] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    language: str | None = None
    language_chosen: bool = False  # the person chose `language` in this turn
    asks_contact: bool = False  # the phone question: Telegram offers to share the contact

    @property
    def empty(self) -> bool:
        return not self.texts and not self.buttons


def from_rasa(responses: Iterable[Mapping[str, Any]]) -> BotReply:
    """Merges Rasa REST channel output ({text, buttons, custom}) into one reply."""
    texts: list[str] = []
    buttons: list[Button] = []
    language: str | None = None
    chosen = contact = False
    for item in responses:
        if text := (item.get("text") or "").strip():
            texts.append(text)
        for button in item.get("buttons") or []:
            title, payload = str(button.get("title", "")), str(button.get("payload", ""))
            if title and payload:
                buttons.append(Button(title, payload))
        custom = item.get("custom")
        if isinstance(custom, Mapping) and isinstance(custom.get("language"), str):
            language = normalise_language(custom["language"])
            chosen = chosen or custom.get("response") in LANGUAGE_CHOSEN_RESPONSES
            contact = contact or custom.get("response") in CONTACT_RESPONSES
    return BotReply(texts, buttons, language, chosen, contact)


def _has_other_script(text: str) -> bool:
    """Letters of another script than Latin (Arabic, Cyrillic, Han…): GSM-7 would lose them."""
    return any(c.isalpha() and not unicodedata.name(c, "").startswith("LATIN") for c in text)


def sms_text(text: str, lang: str) -> str:
    """The languages with `sms_encoding: gsm7` folded into GSM-7; the others left as written
    (UCS-2). A Latin text is folded even when the stored language lags behind the
    conversation's."""
    if normalise_language(lang) in FOLDED_LANGUAGES or not _has_other_script(text):
        return gsm7.fold_to_gsm7(text)
    return text


@dataclass(frozen=True)
class SmsShape:
    pages: list[str]
    menu: list[str]  # payloads, numbered from 1


def numbered_menu(buttons: list[Button]) -> str:
    return "\n".join(f"{index}. {button.title}" for index, button in enumerate(buttons, start=1))


# Chinese has no spaces: a long line is cut after its punctuation instead (，。；！？：、).
_CUT_AFTER = re.compile(r"(?<=[，。；！？：、])")


def _words(text: str) -> list[str]:
    """Splits keeping separators so that a line longer than a page can be cut at a space, or
    after a full-width punctuation mark in a language written without spaces."""
    return [
        piece for spaced in re.split(r"(\s+)", text) for piece in _CUT_AFTER.split(spaced) if piece
    ]


# How a line that introduces a menu ends: "Free slots at …:", or the question its options
# answer, in any script ("Which card do you have?", "…؟", "…？").
_INTRODUCES = (":", "：", "?", "؟", "？")


def _blocks(text: str) -> list[str]:
    """The lines of a text, a numbered menu kept as one block with the line that introduces it
    ("Free slots at …:", "Which card do you have?"), and any line ending with a colon kept with
    the line it introduces ("Documents (1/2):"): the choices come together under their question
    (a question paged away from its options could not be answered), and no page ends on a
    heading whose list is on the next one."""
    blocks: list[str] = []
    for line in text.splitlines(keepends=True):
        last = blocks[-1].splitlines()[-1].rstrip() if blocks else ""
        introduced = last.endswith((":", "："))
        menu = _MENU_LINE.match(line) and (_MENU_LINE.match(last) or last.endswith(_INTRODUCES))
        if introduced or menu:
            blocks[-1] += line
        else:
            blocks.append(line)
    return blocks


def _asks_with_options(block: str) -> bool:
    """A question (or a list's heading) with its numbered options: what the person answers."""
    lines = block.splitlines()
    return len(lines) > 1 and not _MENU_LINE.match(lines[0]) and bool(_MENU_LINE.match(lines[1]))


def paginate(text: str, lang: str, max_segments: int) -> list[str]:
    """Cuts text into SMS answers of at most `max_segments` segments, each but the last
    ending with the hint to send SUITE/MORE/التالي. Pages end at a line break, so an address or
    a document is never cut in the middle (Arabic pages hold only 134 characters), and a menu
    stays whole: a block longer than a page gets a page of its own of up to `BLOCK_SEGMENTS`;
    only a longer one is cut, at a space. A page is never cut where going on costs no segment:
    the blocks after a long one join its page while its segments stay the same, and the rest of
    the text joins the current page when it fits there without the hint (no small tail)."""
    if gsm7.fits(text, max_segments):
        return [text]
    hint_text = sms_text(translate(messages.MORE_HINT, lang), lang)
    hint = "\n" + hint_text
    # The checklist says "send MORE" itself: once the gateway pages, its hint says it already.
    text = "".join(line for line in text.splitlines(keepends=True) if line.strip() != hint_text)
    limit = max_segments  # segments the current page may take: more for a long block's page

    def fits(page: str) -> bool:
        return gsm7.fits(page.rstrip() + hint, limit)

    def close(page: str) -> None:
        nonlocal limit
        pages.append(page.rstrip() + hint)
        limit = max_segments

    pages: list[str] = []
    current = ""
    blocks = _blocks(text)
    for index, line in enumerate(blocks):
        rest = "".join(blocks[index:])
        if current and gsm7.fits((current + rest).strip(), limit):
            current += rest  # the last page: no hint to make room for
            break
        if fits(current + line):
            current += line
            continue
        if (
            current
            and _asks_with_options(line)
            and gsm7.fits((current + line).rstrip() + hint, BLOCK_SEGMENTS)
        ):
            # The question and its options on the page that leads to them ("Noted: your card
            # expires on…" + "Which card?" + 1. 2. 3.): paged behind SUITE, the person would
            # have nothing to answer. One longer SMS costs no more than two pages and a hint.
            current += line
            continue
        if current:
            close(current)
            current = ""
        if gsm7.fits(rest.strip(), max_segments):
            current = rest
            break
        if fits(line):
            current = line
            continue
        if gsm7.fits(line.rstrip() + hint, BLOCK_SEGMENTS):
            # A page of its own; the next blocks join it while its segments stay the same.
            current = line
            limit = len(gsm7.split_segments(line.rstrip() + hint))
            continue
        for piece in _words(line):  # a line longer than a page: cut at a space
            if current and not fits(current + piece):
                close(current)
                current = "" if piece.isspace() else piece
                continue
            current += piece
        while current and not fits(current):
            # A single word longer than a page (a URL…) is cut where the segments end.
            head_len = sum(len(s) for s in gsm7.split_segments(current)[:max_segments]) - len(hint)
            head_len = max(1, head_len)
            close(current[:head_len])
            current = current[head_len:]
    if current.strip():
        pages.append(current.strip())
    return pages


def shape_sms(reply: BotReply, lang: str, max_segments: int = 2) -> SmsShape:
    parts = list(reply.texts)
    if reply.buttons:
        parts.append(numbered_menu(reply.buttons))
    body = sms_text("\n".join(parts), lang)
    if reply.buttons:
        # "Reply with a number" only when it costs no extra segment: the numbered lines
        # already say it, and most questions of the dialogue ask for the number themselves.
        hinted = body + "\n" + sms_text(translate(messages.REPLY_WITH_NUMBER, lang), lang)
        same_cost = len(gsm7.split_segments(hinted)) <= len(gsm7.split_segments(body))
        if same_cost and gsm7.fits(hinted, max_segments):
            body = hinted
    pages = paginate(body, lang, max_segments) if body else []
    if len(pages) > 1 and gsm7.fits(body, BLOCK_SEGMENTS):
        # Pages that save no segment only cost the person turns (SUITE, and a menu they see
        # last): the reply then goes whole, like a long block.
        whole = len(gsm7.split_segments(body))
        if whole <= sum(len(gsm7.split_segments(page)) for page in pages):
            pages = [body]
    return SmsShape(pages, [button.payload for button in reply.buttons])


@dataclass(frozen=True)
class TelegramMessage:
    text: str
    # InlineKeyboardMarkup rows; a button {"text", "request_contact": "1"} is a reply keyboard
    # that shares the contact (bot.channels.outbound).
    keyboard: list[list[dict[str, str]]] | None = None


REQUEST_CONTACT = "request_contact"


def callback_data(index: int, payload: str) -> str:
    """The payload itself when the Bot API accepts it, else its number in the last menu."""
    return payload if len(payload.encode()) <= TELEGRAM_CALLBACK_LIMIT else f"menu:{index}"


def shape_telegram(reply: BotReply) -> list[TelegramMessage]:
    text = "\n\n".join(reply.texts) or "…"
    chunks = [text[i : i + TELEGRAM_TEXT_LIMIT] for i in range(0, len(text), TELEGRAM_TEXT_LIMIT)]
    keyboard = [
        [{"text": button.title, "callback_data": callback_data(index, button.payload)}]
        for index, button in enumerate(reply.buttons, start=1)
    ] or None
    if reply.asks_contact:
        label = translate(messages.SHARE_CONTACT, reply.language)
        keyboard = [[{"text": label, REQUEST_CONTACT: "1"}]]
    return [TelegramMessage(chunk) for chunk in chunks[:-1]] + [
        TelegramMessage(chunks[-1], keyboard)
    ]
