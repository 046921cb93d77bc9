"""Telegram's webhook (POST /telegram/webhook): secret token, update_id de-duplication,
200 once the message is kept, and the turn in the background; buttons become inline keyboards."""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.error import TelegramError

from bot.booking.identity import InvalidPhone, normalise_phone
from bot.channels import messages, metrics
from bot.channels.hub import ChannelService
from bot.channels.masking import mask
from bot.channels.models import Channel
from bot.channels.turn import Incoming
from bot.i18n import translate

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ("message", "callback_query")

# Commands → what the conversation receives: a keyword it knows or a Rasa payload.
COMMAND_TEXT = {"/aide": "AIDE", "/help": "AIDE", "/menu": "MENU", "/stop": "STOP"}
COMMAND_PAYLOAD = {
    "/start": "/greet",
    "/langue": "/change_language",
    "/language": "/change_language",
}


def secret_ok(expected: str, given: str | None) -> bool:
    if not expected or given is None:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def own_contact_phone(update: Update) -> str | None:
    """The sender's own number when they share their contact (Telegram's "share my phone"), in
    E.164. Someone else's contact is not the sender's phone: it stays unread."""
    message = update.message
    contact = message.contact if message is not None else None
    sender = message.from_user if message is not None else None
    if contact is None or sender is None or contact.user_id != sender.id:
        return None
    digits = contact.phone_number.strip()
    # Telegram sends international numbers without their "+" ("33612345678").
    raw = digits if digits.startswith(("+", "0")) else f"+{digits}"
    try:
        return normalise_phone(raw)
    except InvalidPhone:
        return None


def _chatless(update: Update) -> bool:
    """A message (or a button's message) without its chat: nothing could answer it, and reading
    its chat id was a 500."""
    message = _message_of(update)
    return message is not None and getattr(message, "chat", None) is None


def _message_of(update: Update) -> Any:
    return update.message or (update.callback_query.message if update.callback_query else None)


def _in_a_group(update: Update) -> bool:
    """The conversation is the chat's: in a group, one member could cancel the booking another
    made there, and the booker's reminders went to the group (an attacker's test, session 22).
    Guichet speaks in private chats only."""
    message = _message_of(update)
    chat = getattr(message, "chat", None)
    return chat is not None and chat.type != "private"


def incoming_of(update: Update) -> tuple[Incoming | None, str | None]:
    """The conversation input of an update, and the callback query id to answer if any."""
    external_id = str(update.update_id)
    if _in_a_group(update):
        return None, None
    if update.callback_query is not None:
        query = update.callback_query
        message = query.message
        if message is None or not query.data:
            return None, query.id
        incoming = Incoming(
            channel=Channel.TELEGRAM.value,
            address=str(message.chat.id),
            external_id=external_id,
            text="",
            language_hint=query.from_user.language_code if query.from_user else None,
            payload=query.data,
        )
        return incoming, query.id
    message = update.message
    if message is None:
        return None, None  # edits, channel posts, member updates: not a conversation turn
    # The secret proves Telegram sent it, not that each field has its type: a dict for the
    # text was a 500 (an attacker's test, session 30).
    text = message.text.strip() if isinstance(message.text, str) else ""
    language = message.from_user.language_code if message.from_user else None
    own_phone = own_contact_phone(update)
    incoming = Incoming(
        channel=Channel.TELEGRAM.value,
        address=str(message.chat.id),
        external_id=external_id,
        text=own_phone or text,  # the number answers the form's phone question
        language_hint=language,
        phone=own_phone,
    )
    command = text.split()[0].split("@")[0].lower() if text.startswith("/") else ""
    if command in COMMAND_TEXT:
        incoming.text = COMMAND_TEXT[command]
    elif command in COMMAND_PAYLOAD:
        incoming.payload = COMMAND_PAYLOAD[command]
        incoming.opt_in = command == "/start"
    return incoming, None


def build_telegram_router(service: ChannelService) -> APIRouter:
    router = APIRouter(tags=["channels"])

    async def process(update: Update) -> None:
        incoming, callback_id = incoming_of(update)
        if callback_id is not None:
            await service.telegram.answer_callback(callback_id)
        if incoming is None:
            return
        recorded = asyncio.Event()
        try:
            await service.conversations.handle(
                incoming, deliver=service.telegram, recorded=recorded
            )
        except SQLAlchemyError:
            log.exception("database unavailable for Telegram chat %s", mask(incoming.address))
            # Recorded, the replayer answers it; else kept on disk until the database is back.
            kept = recorded.is_set() or await service.conversations.keep_aside(incoming)
            msgid = messages.BUSY if kept else messages.DATABASE_DOWN
            text = translate(msgid, incoming.language_hint)
            try:
                await (await service.telegram.bot()).send_message(int(incoming.address), text)
            except TelegramError:
                log.warning(
                    "could not tell chat %s that the database is down", mask(incoming.address)
                )

    @router.post("/telegram/webhook")
    async def telegram_webhook(request: Request, background: BackgroundTasks) -> Response:
        if not secret_ok(
            service.settings.telegram_secret_token, request.headers.get(SECRET_HEADER)
        ):
            metrics.REJECTED.labels("telegram", "secret").inc()
            return JSONResponse({"ok": False}, status_code=403)
        try:
            data: Any = await request.json()
            update = Update.de_json(data, None) if isinstance(data, dict) else None
        except Exception:  # not JSON, or JSON that is not an Update
            update = None
        if update is None or not isinstance(update.update_id, int) or _chatless(update):
            metrics.REJECTED.labels("telegram", "malformed").inc()
            return JSONResponse({"ok": False}, status_code=400)
        service.ensure_replayer()
        incoming, _callback = incoming_of(update)
        # On disk before Telegram hears 200 (bot.channels.spool): a process that dies before
        # recording it leaves it to the replayer; recorded, the copy is dropped. Not kept at
        # all: a 503, and Telegram delivers the update again.
        if incoming is not None and not await service.conversations.keep_aside(incoming):
            return JSONResponse({"ok": False}, status_code=503)
        background.add_task(process, update)
        return JSONResponse({"ok": True})

    return router
