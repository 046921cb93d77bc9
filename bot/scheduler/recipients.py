"""Who gets a message sent first, and where: SMS to the applicant's phone unless they linked a
Telegram chat (bot.channels.phone_link.prefer), never to a contact who opted out."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.channels.models import Channel, PreferredChannel
from bot.channels.outbound import opted_out


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


def silenced(session: Session, recipient: Recipient) -> bool:
    """Opted out on the channel we would use, or by SMS STOP on the phone itself."""
    if opted_out(session, recipient.channel, recipient.address):
        return True
    return opted_out(session, Channel.SMS.value, recipient.phone)
