"""Late replies (through Twilio's REST API, the Bot API) retried with back-off on a refused
connection, 5xx and 429 (Retry-After / retry_after honoured), and never sent twice once the
provider accepted them (issue 13). Only the providers' servers are played (tests/support)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

from bot.channels.models import OutboundMessage
from bot.channels.outbound import (
    Outgoing,
    TelegramSender,
    TwilioSender,
    record,
    resend_retrying,
)
from tests.support import providers
from tests.support.channels import PHONE
from tests.support.servers import free_port

CHAT = "987654321"
RETRY_AFTER = 1

TWILIO_FAILURES = [
    (500, {"code": 20500, "message": "Internal Server Error", "status": 500}, {}),
    (
        429,
        {"code": 20429, "message": "Too Many Requests", "status": 429},
        {"Retry-After": str(RETRY_AFTER)},
    ),
]
TELEGRAM_FAILURES = [
    (500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}, {}),
    (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": f"Too Many Requests: retry after {RETRY_AFTER}",
            "parameters": {"retry_after": RETRY_AFTER},
        },
        {},
    ),
]


def _row(factory, outbound_id: int) -> OutboundMessage:
    with factory() as session:
        row = session.get(OutboundMessage, outbound_id)
        assert row is not None
        return row


def _recorded(factory, channel: str, address: str) -> Outgoing:
    with factory.begin() as session:
        return record(session, Outgoing(channel, address, "Votre rendez-vous est confirmé."))


async def _deliver_through_outage(sender, message, factory, provider, failures, port):
    """Delivers while the provider's port refuses connections; once the sender has met the
    refusal (its row says so) the provider comes up, failing first as scripted."""
    task = asyncio.create_task(sender.deliver([message]))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        row = await asyncio.to_thread(_row, factory, message.outbound_id)
        if (row.status, row.error_code) == ("retrying", "network"):
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError(f"the refused send was not recorded for a retry: {row.status}")
    server = providers.failing(provider, failures, port)
    await task
    return server


def _retries_then_one_send(server, factory, message, sender) -> None:
    try:
        assert [status for _, status in server.answers] == [500, 429, 200]
        assert providers.accepted(server) == 1
        (_, _), (after_429, _), (retried, _) = server.answers
        assert retried - after_429 >= RETRY_AFTER  # the provider's wait was honoured
        row = _row(factory, message.outbound_id)
        assert row.provider_id and row.status in ("queued", "sent")
        # The same message delivered again (a replay, another process, the sweep): no send.
        asyncio.run(sender.deliver([message]))
        asyncio.run(resend_retrying({message.channel: sender}, factory))
        assert providers.accepted(server) == 1
        assert len(server.answers) == 3
    finally:
        server.stop()


def test_a_late_sms_is_retried_through_refusal_500_and_429_and_sent_once(settings, session_factory):
    port = free_port()
    settings = replace(
        settings, twilio_api_base_url=f"http://127.0.0.1:{port}", send_retry_first_seconds=0.1
    )
    sender = TwilioSender(settings, session_factory)
    message = _recorded(session_factory, "sms", PHONE)
    server = asyncio.run(
        _deliver_through_outage(sender, message, session_factory, "twilio", TWILIO_FAILURES, port)
    )
    _retries_then_one_send(server, session_factory, message, sender)


def test_a_late_telegram_message_is_retried_through_refusal_500_and_429_and_sent_once(
    settings, session_factory
):
    port = free_port()
    settings = replace(
        settings,
        telegram_api_base_url=f"http://127.0.0.1:{port}/bot",
        send_retry_first_seconds=0.1,
    )
    sender = TelegramSender(settings, session_factory)
    message = _recorded(session_factory, "telegram", CHAT)
    server = asyncio.run(
        _deliver_through_outage(
            sender, message, session_factory, "telegram", TELEGRAM_FAILURES, port
        )
    )
    _retries_then_one_send(server, session_factory, message, sender)


def test_a_send_whose_answer_was_lost_is_never_sent_again(settings, session_factory):
    """The connection dropped after the request left: the provider may have taken it, so it is
    marked uncertain and not resent (a duplicate SMS is worse than a visible uncertain row)."""
    server = providers.failing("twilio", [(0, {}, {})])
    try:
        settings = replace(settings, twilio_api_base_url=server.url, send_retry_first_seconds=0.1)
        sender = TwilioSender(settings, session_factory)
        message = _recorded(session_factory, "sms", PHONE)
        asyncio.run(sender.deliver([message]))
        asyncio.run(resend_retrying({"sms": sender}, session_factory))
        assert len(server.answers) == 1
        assert _row(session_factory, message.outbound_id).status == "uncertain"
    finally:
        server.stop()


def test_a_reply_left_retrying_by_a_dead_process_is_sent_once_by_the_sweep(
    settings, session_factory, twilio_api
):
    sender = TwilioSender(settings, session_factory)
    message = _recorded(session_factory, "sms", PHONE)
    with session_factory.begin() as session:
        session.get(OutboundMessage, message.outbound_id).status = "retrying"
    for _ in range(2):  # two replayer ticks, or two gateway processes
        asyncio.run(resend_retrying({"sms": sender}, session_factory, older_than=0))
    assert [c["Body"] for c in twilio_api.calls_to("Messages.json")] == [message.text]
    assert _row(session_factory, message.outbound_id).status == "queued"
