"""The terminal chat: a conversation with the running stack, shaped like the real channel."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from sqlalchemy.orm import Session, sessionmaker

from bot.channels import gsm7
from bot.channels.conversation import Conversations
from bot.channels.models import Channel
from bot.channels.outbound import Outgoing
from bot.channels.turn import Incoming
from bot.config import VAR, Settings


def render(message: Outgoing) -> str:
    """A message as the phone shows it; for SMS, with its encoding and segment count."""
    lines = [f"  │ {line}" for line in message.text.splitlines() or [""]]
    if message.channel == Channel.SMS.value:
        info = gsm7.sms_info(message.text)
        plural = "s" if info.segments > 1 else ""
        header = f"  ┌─ SMS · {info.segments} segment{plural} · {info.encoding} · {len(message.text)} car."
    else:
        header = "  ┌─ Telegram"
    for row in message.keyboard or []:
        lines.extend(f"  │ [ {button['text']} ]" for button in row)
    if message.document is not None:
        lines.append(f"  │ 📎 {message.filename} ({len(message.document) // 1024} Ko)")
    return "\n".join([header, *lines, "  └─"])


class ConsoleOutbox:
    """Delivers late replies (a kept message answered after Rasa came back) to the terminal."""

    def __init__(self, out: TextIO, documents: Path = VAR / "chat-documents"):
        self.out = out
        self.documents = documents

    async def deliver(self, messages: Sequence[Outgoing]) -> None:
        for message in messages:
            print(render(message), file=self.out, flush=True)
            if message.document is not None:
                # What a Telegram user would download (the convocation PDF), kept to open.
                self.documents.mkdir(parents=True, exist_ok=True)
                path = self.documents / Path(message.filename or "document.pdf").name
                path.write_bytes(message.document)
                print(f"  (document enregistré : {path})", file=self.out, flush=True)


# On Telegram, what presses « Partager mon numéro » (the phone question's button).
SHARE_COMMAND = "/share"


async def chat(
    settings: Settings,
    session_factory: sessionmaker[Session],
    channel: str,
    address: str,
    language: str | None,
    read: Callable[[str], str] = input,
    out: TextIO | None = None,
    contact_phone: str = "+33612345678",
) -> int:
    """`contact_phone`: the number `/share` sends as the Telegram account's own contact."""
    out = out or sys.stdout  # read now: a default argument would keep the stdout of import time
    outbox = ConsoleOutbox(out)
    conversations = Conversations(
        settings, session_factory, {Channel.SMS.value: outbox, Channel.TELEGRAM.value: outbox}
    )
    if not await conversations.rasa.ready(conversations.http()):
        print(
            f"(Rasa ou le serveur d'actions ne répond pas ({settings.rasa_url}) : lancez `make run`. "
            "Vos messages seront gardés.)",
            file=out,
            flush=True,
        )
    loop = asyncio.get_running_loop()
    while True:
        try:
            text = await loop.run_in_executor(None, read, "vous › ")
        except (EOFError, KeyboardInterrupt):
            print(file=out)
            return 0
        if text.strip() in ("/quit", "/exit"):
            return 0
        incoming = Incoming(
            channel=channel,
            address=address,
            external_id=f"chat-{uuid.uuid4().hex}",
            text=text,
            language_hint=language,
            phone=address if channel == Channel.SMS.value else None,
        )
        if channel == Channel.TELEGRAM.value and text.strip() == "/start":
            incoming.payload, incoming.opt_in = "/greet", True
        if channel == Channel.TELEGRAM.value and text.strip() == SHARE_COMMAND:
            # The « Partager mon numéro » button: Telegram sends the account's own number, the
            # only phone a chat proves (a number typed is refused).
            incoming.text = incoming.phone = contact_phone
        await conversations.handle(incoming, deliver=outbox)
