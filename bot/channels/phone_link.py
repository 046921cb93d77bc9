"""Which phone a Telegram chat speaks for, so that reminders and waitlist offers for that phone
reach the chat instead of an SMS (`prefer`; the scheduler reads it back through
bot.scheduler.recipients).

Telegram gives no phone number: the person types it in the booking form, and only Rasa keeps it
(the `phone` slot). When Rasa's answer shows that the phone was just used for a booking, a move
or a waitlist request (the NLG names the response in `custom.response`), the gateway reads the
slot from Rasa's tracker and links the chat to that phone. It is the phone the person chose to
be convoked on, in the very chat that will be told about it. (A person who shares their own
Telegram contact is linked at once: bot/channels/telegram.py `own_contact_phone`.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.booking.identity import InvalidPhone, mask_phone, normalise_phone
from bot.channels.masking import mask
from bot.channels.models import Channel, PreferredChannel

log = logging.getLogger(__name__)

# The answers that follow a successful use of the form's phone (bot/responses.py).
LINKING_RESPONSES = frozenset({"utter_convocation", "utter_rescheduled", "utter_waitlist_joined"})


def prefer(session: Session, phone: str, channel: str, address: str, *, now: datetime) -> None:
    """Sends this phone's reminders and offers to `channel`/`address` from now on."""
    row = session.get(PreferredChannel, phone)
    if row is None:
        session.add(PreferredChannel(phone=phone, channel=channel, address=address, updated_at=now))
    else:
        row.channel, row.address, row.updated_at = channel, address, now
    session.flush()


def phone_of(session: Session, channel: str, address: str) -> str | None:
    """The phone behind a chat: the address itself for SMS, the linked phone for Telegram."""
    if channel == Channel.SMS.value:
        return address
    return session.scalar(
        select(PreferredChannel.phone).where(
            PreferredChannel.channel == channel, PreferredChannel.address == address
        )
    )


def confirms_phone(responses: Iterable[Mapping[str, Any]]) -> bool:
    for item in responses:
        custom = item.get("custom")
        if isinstance(custom, Mapping) and custom.get("response") in LINKING_RESPONSES:
            return True
    return False


async def phone_in_tracker(client: httpx.AsyncClient, rasa_url: str, sender: str) -> str | None:
    """The conversation's `phone` slot in E.164, read from Rasa's HTTP API (`--enable-api`)."""
    url = f"{rasa_url.rstrip('/')}/conversations/{quote(sender, safe='')}/tracker"
    try:
        response = await client.get(url, params={"include_events": "NONE"}, timeout=5.0)
        slots = response.json().get("slots") if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        log.warning("cannot read conversation %s from Rasa: %s", sender, type(exc).__name__)
        return None
    value = slots.get("phone") if isinstance(slots, Mapping) else None
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return normalise_phone(value)
    except InvalidPhone:
        return None


def link_chat(
    session_factory: Callable[[], Session], channel: str, address: str, phone: str, now: datetime
) -> None:
    with session_factory() as session, session.begin():
        prefer(session, phone, channel, address, now=now)
    log.info(
        "%s chat %s now receives the messages for %s", channel, mask(address), mask_phone(phone)
    )
