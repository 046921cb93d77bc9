"""Twilio's Messaging webhooks: POST /sms/twilio and POST /sms/twilio/status."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping

from anyio import to_thread
from fastapi import APIRouter, Request, Response
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot.channels import messages, metrics
from bot.channels.hub import ChannelService
from bot.channels.language import decide
from bot.channels.masking import mask
from bot.channels.models import Channel, OutboundMessage
from bot.channels.outbound import Outgoing, count_sms, update_status
from bot.channels.shaping import sms_text
from bot.channels.turn import Incoming
from bot.db import utcnow
from bot.i18n import translate

log = logging.getLogger(__name__)

TWIML = "application/xml"
# Twilio's delivery statuses in the order they happen; a late callback never goes back.
STATUS_RANK = {
    "accepted": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "inline": 3,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "read": 5,
}


# The id we put in the status callback URL: a database integer id (at most 2**31 - 1).
_OUTBOUND_ID = re.compile(r"[0-9]{1,9}")


async def read_form(request: Request) -> dict[str, str]:
    """The posted form, or nothing when the body is not a form (wrong content type, garbage)."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return {}
    try:
        form = await request.form()
    except Exception:  # malformed multipart or encoding: a client error, not ours
        return {}
    return {key: value for key, value in form.items() if isinstance(value, str)}


def signature_valid(service: ChannelService, request: Request, form: Mapping[str, str]) -> bool:
    token = service.settings.twilio_auth_token
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    # Behind a proxy the request URL is the proxy's; Twilio signed the public one.
    url = service.settings.public_url + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    return bool(RequestValidator(token).validate(url, dict(form), signature))


def twiml(texts: list[tuple[str, str | None]]) -> Response:
    response = MessagingResponse()
    for text, action in texts:
        response.message(text, action=action) if action else response.message(text)
    return Response(str(response), media_type=TWIML)


def build_sms_router(service: ChannelService) -> APIRouter:
    router = APIRouter(tags=["channels"])
    settings = service.settings

    def mark_inline(replies: list[Outgoing]) -> list[tuple[str, str | None]]:
        rendered = []
        for reply in replies:
            update_status(service.session_factory, reply.outbound_id, "inline")
            action = f"{settings.public_url}/sms/twilio/status?outbound={reply.outbound_id}"
            rendered.append((reply.text, action))
            metrics.MESSAGES_OUT.labels("sms", "inline").inc()
            count_sms(reply.text)
        return rendered

    def deliver_late(task: asyncio.Task[list[Outgoing] | None]) -> None:
        if task.cancelled() or task.exception() is not None:
            log.error(
                "late SMS turn failed", exc_info=None if task.cancelled() else task.exception()
            )
            return
        replies = task.result()
        if replies:
            service.spawn(service.twilio.deliver(replies))

    def apology(incoming: Incoming, msgid: str) -> Response:
        """The gateway's own sentence, without the database: in the language the text reads."""
        language = decide(incoming.text, "fr", None).language
        return twiml([(sms_text(translate(msgid, language), language), None)])

    @router.post("/sms/twilio")
    async def twilio_inbound(request: Request) -> Response:
        # The message's place among its sender's, whichever gateway process gets the next.
        arrived = utcnow()
        form = await read_form(request)
        if not signature_valid(service, request, form):
            metrics.REJECTED.labels("sms", "signature").inc()
            return Response("invalid signature", status_code=403)
        message_sid = form.get("MessageSid") or form.get("SmsSid") or ""
        sender = form.get("From", "")
        if not message_sid or not sender:
            metrics.REJECTED.labels("sms", "incomplete").inc()
            return Response("MessageSid and From are required", status_code=400)
        service.ensure_replayer()
        incoming = Incoming(
            channel=Channel.SMS.value,
            address=sender[:64],
            external_id=message_sid[:64],
            text=form.get("Body", ""),
            phone=sender[:64],
            arrived=arrived,
        )
        recorded = asyncio.Event()
        task = service.spawn(service.conversations.handle(incoming, recorded=recorded))
        try:
            replies = await asyncio.wait_for(
                asyncio.shield(task), timeout=settings.sms_reply_deadline_seconds
            )
        except TimeoutError:
            # Twilio gives up after 15 s: answer now, the reply follows through the REST API.
            # A message still not recorded (the database locked) is kept on disk first: the
            # 200 below must never stand for a message nobody has.
            log.info("reply to %s not ready in time, will go by REST", mask(sender))
            if not recorded.is_set() and not await service.conversations.keep_aside(incoming):
                return apology(incoming, messages.DATABASE_DOWN)
            task.add_done_callback(deliver_late)
            return twiml([])
        except SQLAlchemyError:
            log.exception("database unavailable for SMS from %s", mask(sender))
            # Recorded, the replayer answers it; else kept on disk, recorded and answered once
            # the database takes writes again.
            if recorded.is_set() or await service.conversations.keep_aside(incoming):
                return apology(incoming, messages.BUSY)
            return apology(incoming, messages.DATABASE_DOWN)
        if not replies:
            return twiml([])
        try:
            rendered = await to_thread.run_sync(mark_inline, replies)
        except SQLAlchemyError:
            rendered = [(reply.text, None) for reply in replies]
        return twiml(rendered)

    def record_status(form: Mapping[str, str], outbound: str | None) -> bool:
        sid = form.get("MessageSid") or form.get("SmsSid") or ""
        status = form.get("MessageStatus") or form.get("SmsStatus") or ""
        with service.session_factory.begin() as session:
            row = None
            # ASCII digits only: str.isdigit() also takes "²" and "٣", and int() reads "٣" as 3.
            if outbound and _OUTBOUND_ID.fullmatch(outbound):
                row = session.get(OutboundMessage, int(outbound))
            if row is None and sid:
                row = session.scalar(
                    select(OutboundMessage).where(OutboundMessage.provider_id == sid)
                )
            if row is None:
                return False
            if STATUS_RANK.get(status, 0) >= STATUS_RANK.get(row.status, 0):
                row.status = status[:24] or row.status
            row.provider_id = sid[:64] or row.provider_id
            if form.get("ErrorCode"):
                row.error_code = form["ErrorCode"][:16]
            return True

    @router.post("/sms/twilio/status")
    async def twilio_status(request: Request) -> Response:
        form = await read_form(request)
        if not signature_valid(service, request, form):
            metrics.REJECTED.labels("sms", "signature").inc()
            return Response("invalid signature", status_code=403)
        try:
            found = await to_thread.run_sync(
                record_status, form, request.query_params.get("outbound")
            )
        except SQLAlchemyError:
            return Response("database unavailable", status_code=503)
        return Response(status_code=204 if found else 404)

    return router
