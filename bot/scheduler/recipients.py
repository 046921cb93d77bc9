"""Who gets a message sent first, and where: SMS to the applicant's phone unless they linked a
Telegram chat (`prefer`), never to a contact who opted out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.channels.models import Channel
from bot.channels.outbound import opted_out
from bot.scheduler.models import PreferredChannel


@dataclass(frozen=True)
class Recipient:
    channel: str
    address: str
    phone: str


def recipient_for(session: Session, phone: str) -> Recipient:
    preferred = session.get(PreferredChannel, phone)
    if preferred is not None:
        return Recipient(preferred.channel, preferred.address, phone)
    return Recipient(Channel.SMS.value, phone, phone)


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


def silenced(session: Session, recipient: Recipient) -> bool:
    """Opted out on the channel we would use, or by SMS STOP on the phone itself."""
    if opted_out(session, recipient.channel, recipient.address):
        return True
    return opted_out(session, Channel.SMS.value, recipient.phone)
