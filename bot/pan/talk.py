"""The conversation on the mediator page: the same Rasa model and dialogue as SMS and Telegram,
through a channel of its own ("pan"), one Rasa conversation per consent.

What goes to Rasa is prepared as for the other channels (bot.channels.conversation): control
characters removed, phones and long numbers sealed (bot.personal), the language decided from
the text (bot.channels.language), the proven phone sealed in the metadata — here the phone the
applicant consented with, so the booking form does not ask for it. The metadata also carries
`mediator_ref` ("pan:<id>"): the actions pass it to the booking API, which books for the
applicant's phone and marks the booking as the mediator's only under the live consent.

Each answer is kept with its French rendering (the NLG's `custom.text_fr`): the page shows
both side by side.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.booking.mediators import Consent, mediator_ref
from bot.channels.conversation import Conversations
from bot.channels.language import LanguageSource, decide
from bot.channels.turn import clean_text
from bot.i18n import SOURCE_LANGUAGE, normalise_language
from bot.pan.models import PanMessage
from bot.personal import METADATA_KEY, for_rasa, seal_numbers
from bot.secrets import seal

CHANNEL = "pan"
# What the page shows of a sealed number in the applicant's own messages.
_SEALED = re.compile(r"pii:[A-Za-z0-9_\-]+=*")


@dataclass(frozen=True)
class Said:
    text: str
    text_fr: str
    buttons: list[dict[str, str]]
    language: str


def sender_id(conversations: Conversations, consent: Consent) -> str:
    return conversations.sender_id(CHANNEL, f"consent-{consent.id}")


def answers(responses: list[Mapping[str, Any]], language: str) -> list[Said]:
    """Rasa's REST output, each message with its French beside it. Rasa's output channel sends
    a response's `custom` part as a message of its own right after the text (and buttons) it
    came with: it is read back onto that text."""
    said: list[dict[str, Any]] = []
    for item in responses:
        text = str(item.get("text") or "").strip()
        buttons = [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in item.get("buttons") or []
            if b.get("title") and b.get("payload")
        ]
        if text or buttons:
            said.append({"text": text, "buttons": buttons, "lang": language, "fr": None})
        custom = item.get("custom")
        if isinstance(custom, Mapping) and said:
            last = said[-1]
            if isinstance(custom.get("language"), str):
                last["lang"] = normalise_language(custom["language"])
            if isinstance(custom.get("text_fr"), str):
                last["fr"] = custom["text_fr"].strip()
            titles_fr = custom.get("buttons_fr")
            if isinstance(titles_fr, list) and len(titles_fr) == len(last["buttons"]):
                for button, title_fr in zip(last["buttons"], titles_fr, strict=True):
                    button["title_fr"] = str(title_fr)
    return [
        Said(
            s["text"],
            s["fr"] if s["fr"] is not None else (s["text"] if s["lang"] == SOURCE_LANGUAGE else ""),
            s["buttons"],
            s["lang"],
        )
        for s in said
    ]


def shown(text: str) -> str:
    """An applicant's message as the page shows it: sealed numbers as dots."""
    return _SEALED.sub("••••", text)


async def say(
    conversations: Conversations,
    consent: Consent,
    phone: str,
    typed: str,
    payload: str | None,
    *,
    now: datetime,
) -> list[Said]:
    """Sends what the applicant typed (or the button they chose) to Rasa; records both sides."""
    key = conversations.settings.secret_key
    text = payload if payload else seal_numbers(clean_text(typed), key)
    rasa_text, numbers = for_rasa(text, key)
    # Read on Rasa's text, where sealed numbers are digits again: a sealed token ("pii:aZx…")
    # reads as Latin words and switched an Arabic conversation to another language.
    decided = decide(rasa_text, consent.language, LanguageSource.GUESSED.value)
    sender = sender_id(conversations, consent)
    http = conversations.http()
    if decided.language != consent.language:
        await conversations.rasa.set_slot(http, sender, "language", decided.language)
    metadata = {
        "channel": CHANNEL,
        "language": decided.language,
        "phone": seal(phone, key),
        "mediator_ref": mediator_ref(consent.mediator_id),
        METADATA_KEY: numbers,
    }
    responses = await conversations.rasa.send(http, sender, rasa_text, metadata)
    said = answers(responses, decided.language)
    await conversations.db(
        _record, conversations, consent.id, seal_numbers(clean_text(typed or text), key), said, now
    )
    return said


def _record(
    conversations: Conversations, consent_id: int, typed: str, said: list[Said], now: datetime
) -> None:
    with conversations.session_factory.begin() as session:
        consent = session.get(Consent, consent_id)
        language = said[-1].language if said else (consent.language if consent else "fr")
        if consent is not None and said:
            consent.language = said[-1].language
        session.add(
            PanMessage(
                consent_id=consent_id,
                at=now,
                from_applicant=True,
                language=language,
                text=typed,
                text_fr="",
                buttons=[],
            )
        )
        for item in said:
            session.add(
                PanMessage(
                    consent_id=consent_id,
                    at=now,
                    from_applicant=False,
                    language=item.language,
                    text=item.text,
                    text_fr=item.text_fr,
                    buttons=item.buttons,
                )
            )


def transcript(session: Session, consent_id: int) -> list[PanMessage]:
    return list(
        session.scalars(
            select(PanMessage).where(PanMessage.consent_id == consent_id).order_by(PanMessage.id)
        )
    )


def last_buttons(session: Session, consent_id: int) -> list[dict[str, str]]:
    """The choices of the assistant's last message (what a button on the page may send)."""
    row = session.scalar(
        select(PanMessage)
        .where(PanMessage.consent_id == consent_id, PanMessage.from_applicant.is_(False))
        .order_by(PanMessage.id.desc())
        .limit(1)
    )
    return list(row.buttons or []) if row is not None else []
