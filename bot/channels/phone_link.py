"""Which phone a Telegram chat speaks for, so that reminders and waitlist offers for that phone
reach the chat instead of an SMS (`prefer`; the scheduler reads it back through
bot.scheduler.recipients).

Telegram gives a phone number only when its owner shares their own contact (the booking form's
phone question shows the button; a number typed is refused: actions.common.proven_phone). The
chat is linked at once then (bot/channels/telegram.py `own_contact_phone`, bot.channels.inbox),
and Rasa keeps the phone (the `phone` slot, sealed: bot.personal). When Rasa's answer shows that
the phone was just used for a booking, a move or a waitlist request, the NLG has put the slot
beside the response's name (`custom.response`, `custom.phone`: bot/gateway/nlg.py), and the
gateway links the chat to that phone again — without reading Rasa's tracker, whose HTTP API stays
off: the last chat that used the phone gets its messages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.booking.identity import InvalidPhone, mask_phone, normalise_phone
from bot.channels.masking import mask
from bot.channels.models import Channel, PreferredChannel
from bot.secrets import unseal

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


def forget(session: Session, channel: str, address: str) -> None:
    """The chat is gone (it blocked the bot, or was deleted): its phones go back to SMS."""
    session.execute(
        delete(PreferredChannel).where(
            PreferredChannel.channel == channel, PreferredChannel.address == address
        )
    )


def phone_of(session: Session, channel: str, address: str) -> str | None:
    """The phone behind a chat: the address itself for SMS, the linked phone for Telegram."""
    if channel == Channel.SMS.value:
        return address
    return session.scalar(
        select(PreferredChannel.phone).where(
            PreferredChannel.channel == channel, PreferredChannel.address == address
        )
    )


def _linking(responses: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    for item in responses:
        custom = item.get("custom")
        if isinstance(custom, Mapping) and custom.get("response") in LINKING_RESPONSES:
            yield custom


def confirms_phone(responses: Iterable[Mapping[str, Any]]) -> bool:
    return any(True for _ in _linking(responses))


def confirmed_phone(responses: Iterable[Mapping[str, Any]], key: str) -> str | None:
    """The phone (E.164) that a linking answer just used, from the sealed `phone` slot the NLG
    put beside it; None when no answer used one."""
    for custom in _linking(responses):
        value = unseal(custom.get("phone"), key)
        if value is None:
            continue
        try:
            return normalise_phone(value)
        except InvalidPhone:
            continue
    return None


def link_chat(
    session_factory: Callable[[], Session], channel: str, address: str, phone: str, now: datetime
) -> None:
    with session_factory() as session, session.begin():
        prefer(session, phone, channel, address, now=now)
    log.info(
        "%s chat %s now receives the messages for %s", channel, mask(address), mask_phone(phone)
    )
