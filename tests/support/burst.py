"""A burst of signed SMS to a real gateway process — `python -m bot.cli run --no-rasa
--no-worker`, the gateway as `guichet run` serves it, beside a real Rasa and action server —
SIGTERMed mid-burst and started again, then every message accounted for (issue 13).

The phones post as Twilio does with connection overrides (`#rc=…&rp=all`): a request that
reaches no gateway or gets a 5xx is sent again, same MessageSid, until a 200. A message is:
- answered: a reply that is not one of the gateway's apologies reached the phone, inline or
  through the REST API (the fake Twilio's record, tied to the message by channel_outbound);
- lost: Twilio heard 200 and, once the gateway settled, no real answer ever came;
- duplicated: more than one real answer came for it.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast
from urllib.parse import urlencode

import httpx
from sqlalchemy import select, text
from twilio.request_validator import RequestValidator

from bot.channels import messages
from bot.channels.models import InboundMessage, OutboundMessage
from bot.channels.shaping import sms_text
from bot.config import PROJECT_ROOT, Settings
from bot.db import make_engine, make_session_factory
from bot.i18n import translate
from tests.support import providers
from tests.support.channels import AUTH_TOKEN, TELEGRAM_SECRET
from tests.support.servers import free_port
from tests.support.skips import unavailable
from tests.support.stack import (
    BOOKING_SCRIPT,
    RASA,
    RasaServer,
    rasa_and_actions,
    stack_settings,
    trained_model,
    wait_until,
)

# What each phone says, one message after the other's answer: a booking up to the slots.
SCRIPT = (*(text for text, _ in BOOKING_SCRIPT[:7]), "MENU")
APOLOGIES = {
    sms_text(translate(msgid, language), language)
    for msgid in (messages.BUSY, messages.FAILED_TURN, messages.FLOOD, messages.DATABASE_DOWN)
    for language in ("fr", "en", "ar")
}
UNSETTLED = ("waiting", "queued", "received")


def gateway_env(settings: Settings) -> dict[str, str]:
    """What Settings.from_env reads to give the gateway process these settings."""
    return dict(
        os.environ,
        PYTHONPATH=str(PROJECT_ROOT),
        GUICHET_DATABASE_URL=settings.database_url,
        GUICHET_SECRET_KEY=settings.secret_key,
        GUICHET_SERVICE_TOKEN=settings.service_token,
        GUICHET_HOST="127.0.0.1",
        GUICHET_PORT=str(settings.port),
        GUICHET_PUBLIC_URL=settings.public_url,
        GUICHET_API_URL=settings.api_url,
        GUICHET_RASA_URL=settings.rasa_url,
        GUICHET_ACTIONS_PORT=str(settings.actions_port),
        GUICHET_SPOOL_DIR=settings.spool_dir,
        GUICHET_FLOOD_PER_MINUTE="0",
        GUICHET_SMS_REPLY_DEADLINE=str(settings.sms_reply_deadline_seconds),
        TWILIO_ACCOUNT_SID=settings.twilio_account_sid,
        TWILIO_AUTH_TOKEN=settings.twilio_auth_token,
        TWILIO_FROM=settings.twilio_from,
        TWILIO_API_BASE_URL=settings.twilio_api_base_url,
        TELEGRAM_BOT_TOKEN=settings.telegram_bot_token,
        TELEGRAM_SECRET_TOKEN=settings.telegram_secret_token,
        TELEGRAM_API_BASE_URL=settings.telegram_api_base_url,
    )


class GatewayProcess:
    def __init__(self, settings: Settings, log: Path):
        self.settings, self.log = settings, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "run", "--no-seed", "--no-rasa", "--no-worker"],
                cwd=PROJECT_ROOT,
                env=gateway_env(self.settings),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not wait_until(f"{self.settings.public_url}/health", 60, lambda _r: True):
            raise RuntimeError(f"the gateway did not start (see {self.log})")

    def terminate(self, timeout: float = 120) -> int | None:
        """SIGTERM, as systemd or a container runtime stops it; its exit code."""
        if self.process is None:
            return None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()
        finally:
            self.process = None


@contextlib.contextmanager
def shared_database(tmp: Path) -> Iterator[str]:
    """The database several gateway processes share: a fresh schema of PostgreSQL when
    GUICHET_BENCH_POSTGRES_URL (or GUICHET_TEST_POSTGRES_URL) names one, else SQLite in tmp."""
    url = os.environ.get("GUICHET_BENCH_POSTGRES_URL") or os.environ.get(
        "GUICHET_TEST_POSTGRES_URL"
    )
    if not url:
        yield f"sqlite:///{tmp / 'stack.db'}"
        return
    name = f"b_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url, pool_size=1)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
        separator = "&" if "?" in url else "?"
        yield f"{url}{separator}options=-csearch_path%3D{name}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


@contextlib.contextmanager
def gateway_process_stack(
    tmp: Path, gateways: int = 1
) -> Iterator[tuple[Settings, list[GatewayProcess], RasaServer, providers.Recorder]]:
    """Rasa, the action server and `gateways` gateway processes on one database (Rasa's NLG
    is the first gateway's)."""
    model = trained_model()
    if model is None or not RASA.exists():
        unavailable("no trained Rasa model (models/*.tar.gz) or no .venv-rasa: run `make train`")
    twilio, telegram = providers.twilio_server(), providers.telegram_server()
    processes: list[GatewayProcess] = []
    try:
        with shared_database(tmp) as url:
            settings = stack_settings(tmp, twilio.url, telegram.url, AUTH_TOKEN, TELEGRAM_SECRET)
            settings = replace(settings, database_url=url)
            for index in range(gateways):
                port = settings.port if index == 0 else free_port()
                own = replace(settings, port=port, public_url=f"http://127.0.0.1:{port}")
                processes.append(GatewayProcess(own, tmp / f"gateway-{index}.log"))
            with rasa_and_actions(tmp, model, settings) as rasa:
                for process in processes:
                    process.start()
                rasa.start()
                yield settings, processes, rasa, twilio
                for process in processes:
                    process.terminate()
    finally:
        for process in processes:
            process.terminate()
        twilio.stop()
        telegram.stop()


@dataclass
class Tally:
    sent: int = 0  # messages Twilio got a 200 for
    attempts: int = 0  # HTTP requests, retries included
    inline: dict[str, list[str]] = field(default_factory=dict)  # sid → replies in the TwiML
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def post_like_twilio(settings: Settings, phone: str, sid: str, body: str, tally: Tally) -> None:
    params = {"MessageSid": sid, "From": phone, "To": settings.twilio_from, "Body": body}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        f"{settings.public_url}/sms/twilio", params
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        with tally.lock:
            tally.attempts += 1
        try:
            response = httpx.post(
                f"{settings.public_url}/sms/twilio",
                data=params,
                headers={"X-Twilio-Signature": signature},
                timeout=60,
            )
        except httpx.HTTPError:
            time.sleep(0.3)  # no gateway there (yet): Twilio tries again
            continue
        if response.status_code >= 500:
            time.sleep(0.3)
            continue
        replies = [m.text or "" for m in ET.fromstring(response.text).iter("Message")]
        with tally.lock:
            tally.sent += 1
            tally.inline[sid] = replies
        return
    with tally.lock:
        tally.errors.append(f"{sid}: never taken")


def burst(
    settings: Settings,
    gateway: GatewayProcess,
    phones: int,
    kill_after: int,
    prefix: str = "+3361",
) -> tuple[Tally, int | None]:
    """Each phone plays SCRIPT; once `kill_after` messages were taken, the gateway gets
    SIGTERM and is started again at once. Returns the tally and the gateway's exit code."""
    tally = Tally()
    run = f"{time.time_ns() % 10**8:08d}"

    def play(index: int) -> None:
        phone = f"{prefix}{index:07d}"
        for step, body in enumerate(SCRIPT):
            post_like_twilio(settings, phone, f"SM{run}{index:04d}{step:02d}", body, tally)

    threads = [threading.Thread(target=play, args=(i,), daemon=True) for i in range(phones)]
    for thread in threads:
        thread.start()
    while tally.sent < kill_after and any(t.is_alive() for t in threads):
        time.sleep(0.05)
    code = gateway.terminate()
    gateway.start()
    for thread in threads:
        thread.join()
    return tally, code


@dataclass(frozen=True)
class Outcome:
    sent: int
    lost: list[str]
    duplicated: list[str]
    unsettled: int
    apologised: list[str]  # a turn failed (kept, answered later): none should while draining

    def line(self) -> str:
        return f"{self.sent} / {len(self.lost)} lost, {len(self.duplicated)} duplicated"


def account(settings: Settings, tally: Tally, settle: float = 120) -> Outcome:
    """Waits for the gateway to answer what it kept, then counts each message's answers."""
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    try:
        deadline = time.monotonic() + settle
        while True:
            with factory() as session:
                open_rows = session.scalars(
                    select(InboundMessage.id).where(InboundMessage.status.in_(UNSETTLED))
                ).all()
            spooled = list(Path(settings.spool_dir).glob("*.msg"))
            if (not open_rows and not spooled) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        with factory() as session:
            rows = session.execute(
                select(InboundMessage.external_id, OutboundMessage.body)
                .join(OutboundMessage, OutboundMessage.inbound_id == InboundMessage.id)
                .where(OutboundMessage.provider_id.is_not(None), OutboundMessage.status != "inline")
            ).all()
    finally:
        engine.dispose()
    answers: dict[str, int] = {sid: 0 for sid in tally.inline}
    apologised: set[str] = set()
    for sid, replies in tally.inline.items():
        answers[sid] += sum(1 for reply in replies if reply.strip() and reply not in APOLOGIES)
        apologised.update(sid for reply in replies if reply in APOLOGIES)
    for sid, body in rows:  # accepted by Twilio's REST API
        if sid in answers and body not in APOLOGIES:
            answers[sid] += 1
        elif sid in answers:
            apologised.add(sid)
    return Outcome(
        sent=tally.sent,
        lost=sorted(sid for sid, count in answers.items() if count == 0),
        duplicated=sorted(sid for sid, count in answers.items() if count > 1),
        unsettled=len(open_rows) + len(spooled),
        apologised=sorted(apologised),
    )


def sender_id(settings: Settings, phone: str) -> str:
    """Rasa's conversation id of an SMS sender (bot.channels.conversation.sender_id)."""
    from bot.channels.conversation import Conversations

    return Conversations.sender_id(cast(Any, SimpleNamespace(settings=settings)), "sms", phone)


def send_in_order(messages: list[tuple[Settings, dict[str, str]]], gap: float = 0.03) -> list[int]:
    """Signed SMS webhooks written to their gateways `gap` apart, in this exact order (the
    connections opened and the requests built beforehand: no client thread can overtake
    another), then every answer read; their HTTP statuses."""
    payloads, sockets = [], []
    for own, params in messages:
        body = urlencode(params).encode()
        signature = RequestValidator(AUTH_TOKEN).compute_signature(
            f"{own.public_url}/sms/twilio", params
        )
        head = (
            f"POST /sms/twilio HTTP/1.1\r\nHost: 127.0.0.1:{own.port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nX-Twilio-Signature: {signature}\r\n"
            "Connection: close\r\n\r\n"
        )
        payloads.append(head.encode() + body)
        sockets.append(socket.create_connection(("127.0.0.1", own.port), timeout=120))
    for sock, payload in zip(sockets, payloads, strict=True):
        sock.sendall(payload)
        time.sleep(gap)
    statuses = []
    for sock in sockets:
        answer = b""
        with sock:
            while chunk := sock.recv(65536):
                answer += chunk
        statuses.append(int(answer.split(b" ", 2)[1]) if answer else 0)
    return statuses


def alternate(
    settings: Settings, gateways: list[GatewayProcess], rasa: RasaServer, count: int = 12
) -> tuple[int, int, int]:
    """One sender's messages sent 30 ms apart to one gateway then the other, as a load balancer
    does: (taken, out of order, never heard) in the order Rasa heard them."""
    phone = f"+3362{time.time_ns() % 10**7:07d}"
    texts = [f"message {index}" for index in range(count)]
    run = f"{time.time_ns() % 10**10:010d}"
    messages = [
        (
            gateways[index % len(gateways)].settings,
            {
                "MessageSid": f"SMalt{run}{index:02d}",
                "From": phone,
                "To": settings.twilio_from,
                "Body": body,
            },
        )
        for index, body in enumerate(texts)
    ]
    statuses = send_in_order(messages)
    tally = Tally(sent=sum(status == 200 for status in statuses))
    account(settings, tally)
    events = rasa.tracker(sender_id(settings, phone), include="APPLIED")["events"]
    heard = [e.get("text") for e in events if e.get("event") == "user" and e.get("text") in texts]
    order = [texts.index(text) for text in heard]
    return tally.sent, len(order) - _longest_increasing(order), count - len(set(order))


def _longest_increasing(values: list[int]) -> int:
    """Length of the longest increasing subsequence: the messages already in their place."""
    tails: list[int] = []
    for value in values:
        position = bisect.bisect_left(tails, value)
        tails[position : position + 1] = [value]
    return len(tails)
