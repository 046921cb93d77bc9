"""`guichet bench channels`: 20 concurrent signed SMS conversations through /sms/twilio, then
the same messages straight to Rasa's REST channel; prints messages/s, p50/p95 and the ratio,
for people answering at a human pace and for answers sent at once (capacity).

Needs Rasa and the action server running (`make run`); without them it says so and skips.
The gateway under test is started here, in-process, on its own SQLite file and port.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx
from twilio.request_validator import RequestValidator

from benchmarks.timing import percentile
from bot.channels import gsm7
from bot.config import Settings
from tests.support.servers import free_port, serve_in_thread

CONVERSATIONS = 20
# A full French booking then its cancellation, answered as a person would by SMS
# ({numero}: each conversation has its own numéro étranger — one booking per person).
SCRIPT = (
    "Bonjour",
    "1",
    "Je veux renouveler ma carte de résident",
    "2",
    "38000",
    "lundi",
    "1",
    "{numero}",
    "1",
    "Je veux annuler mon rendez-vous",
    "1",
)
BOOKED_AT = 9  # the messages of SCRIPT up to the convocation; the rest cancels it
BENCH_TOKEN = "bench-auth-token"


# How long a person takes to read an SMS and answer it: a quick typist on a basic phone. The
# paced run is the service people get; the saturated run (no pause) measures capacity.
THINK_SECONDS = (1.0, 4.0)


@dataclass
class Run:
    """One pass of the conversations: its identities are its own, so that no tracker, booking
    or numéro étranger of an earlier run (or of the other path) weighs on this one."""

    first: int  # phones +336<first + i>, numéros 75<first + i>
    think: tuple[float, float] | None
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0

    def phone(self, index: int) -> str:
        return f"+336{(self.first + index) % 10**8:08d}"

    def numero(self, index: int) -> str:
        return f"75{(self.first + index) % 10**8:08d}"

    async def pause(self, rng: random.Random) -> None:
        if self.think is not None:
            await asyncio.sleep(rng.uniform(*self.think))


async def _gateway_conversation(
    client: httpx.AsyncClient,
    base: str,
    public_url: str,
    run: Run,
    index: int,
    script: tuple[str, ...] = SCRIPT,
    segments: list[int] | None = None,
) -> None:
    validator = RequestValidator(BENCH_TOKEN)
    rng = random.Random(index)
    for turn, template in enumerate(script):
        await run.pause(rng)
        params = {
            "MessageSid": f"SMbench{run.first + index:010d}{turn:04d}",
            "From": run.phone(index),
            "To": "+33700000000",
            "Body": template.format(numero=run.numero(index)),
            "NumMedia": "0",
        }
        signature = validator.compute_signature(f"{public_url}/sms/twilio", params)
        started = time.perf_counter()
        response = await client.post(
            f"{base}/sms/twilio", data=params, headers={"X-Twilio-Signature": signature}
        )
        run.latencies.append(time.perf_counter() - started)
        response.raise_for_status()
        if segments is not None:
            for message in ET.fromstring(response.text).iter("Message"):
                segments[turn] += gsm7.sms_info(message.text or "").segments


async def _rasa_conversation(
    client: httpx.AsyncClient, rasa_url: str, run: Run, index: int
) -> None:
    sender = f"bench-direct-{run.first + index}"
    rng = random.Random(index)
    for template in SCRIPT:
        await run.pause(rng)
        started = time.perf_counter()
        response = await client.post(
            f"{rasa_url}/webhooks/rest/webhook",
            json={
                "sender": sender,
                "message": template.format(numero=run.numero(index)),
                "metadata": {"channel": "sms", "language": "fr", "phone": run.phone(index)},
            },
        )
        run.latencies.append(time.perf_counter() - started)
        response.raise_for_status()


async def _drive(
    kind: str, settings: Settings, base: str, run: Run, segments: list[int] | None = None
) -> Run:
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=100)) as client:
        if kind == "gateway":
            jobs = [
                _gateway_conversation(client, base, settings.public_url, run, i, SCRIPT, segments)
                for i in range(CONVERSATIONS)
            ]
        elif kind == "warm-up":
            jobs = [
                _gateway_conversation(client, base, settings.public_url, run, i, ("Bonjour",))
                for i in range(CONVERSATIONS)
            ]
        else:
            jobs = [
                _rasa_conversation(client, settings.rasa_url, run, i) for i in range(CONVERSATIONS)
            ]
        started = time.perf_counter()
        await asyncio.gather(*jobs)
        run.elapsed = time.perf_counter() - started
    return run


def _report(label: str, run: Run) -> None:
    print(
        f"      {label:<22} {len(run.latencies) / run.elapsed:7.1f} msg/s   "
        f"p50 {statistics.median(run.latencies) * 1000:6.0f} ms   "
        f"p95 {percentile(run.latencies, 0.95) * 1000:6.0f} ms"
    )


def _compare(title: str, gateway: Run, direct: Run) -> float:
    """Prints both paths of one load; returns the gateway's overhead ratio (p50 / p50)."""
    print(f"    {title}")
    _report("through /sms/twilio", gateway)
    _report("straight to Rasa REST", direct)
    ratio = statistics.median(gateway.latencies) / statistics.median(direct.latencies)
    print(f"      gateway overhead ratio (p50 gateway / p50 Rasa): {ratio:.2f}")
    return ratio


def run_benchmark() -> None:
    from bot.db import make_engine, make_session_factory, upgrade
    from bot.gateway.app import create_app

    settings = Settings.from_env()
    try:
        httpx.get(f"{settings.rasa_url}/", timeout=2).raise_for_status()
    except httpx.HTTPError as exc:
        print(
            f"    channels: SKIPPED — Rasa is not reachable at {settings.rasa_url} "
            f"({type(exc).__name__}); start the stack with `make run` and run again."
        )
        return

    port = free_port()
    # Fresh identities on every run: 5 blocks of 1,000 numbers from a random start.
    first = random.SystemRandom().randrange(10**7) * 10
    runs = {
        name: Run(first + 1000 * n, think)
        for n, (name, think) in enumerate(
            [
                ("warm-up", None),
                ("paced gateway", THINK_SECONDS),
                ("paced rasa", THINK_SECONDS),
                ("saturated gateway", None),
                ("saturated rasa", None),
            ]
        )
    }
    segments = [0] * len(SCRIPT)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        bench_settings = replace(
            settings,
            public_url=f"http://127.0.0.1:{port}",
            twilio_auth_token=BENCH_TOKEN,
            twilio_account_sid="ACbench",
            flood_per_minute=0,
            # Every reply inline: the figure is the time to the answer, not Twilio's 15-s cut.
            sms_reply_deadline_seconds=120.0,
        )
        factory = make_session_factory(engine)
        app = create_app(bench_settings, factory)
        with serve_in_thread(app, port) as base:
            print(
                f"    {CONVERSATIONS} concurrent conversations × {len(SCRIPT)} messages, "
                f"gateway {base} → Rasa {settings.rasa_url}"
            )
            asyncio.run(_drive("warm-up", bench_settings, base, runs["warm-up"]))
            before = _sums()
            asyncio.run(_drive("gateway", bench_settings, base, runs["paced gateway"], segments))
            after = _sums()
            asyncio.run(_drive("rasa", bench_settings, base, runs["paced rasa"]))
            asyncio.run(_drive("gateway", bench_settings, base, runs["saturated gateway"]))
            asyncio.run(_drive("rasa", bench_settings, base, runs["saturated rasa"]))
        engine.dispose()

    low, high = THINK_SECONDS
    paced = runs["paced gateway"]
    ratio = _compare(
        f"paced — each person answers {low:.0f}–{high:.0f} s after a reply:",
        paced,
        runs["paced rasa"],
    )
    _compare(
        "saturated — every answer sent at once (capacity):",
        runs["saturated gateway"],
        runs["saturated rasa"],
    )
    print(f"    paced gateway overhead ratio: {ratio:.2f}  (target ≤ 1.3)")
    print(
        f"    paced gateway p95: {percentile(paced.latencies, 0.95) * 1000:.0f} ms  "
        f"(target ≤ 300 ms)"
    )
    count = after[2] - before[2]
    if count:
        own = ((after[0] - before[0]) - (after[1] - before[1])) / count
        print(
            f"    time spent in the gateway itself (reply minus Rasa wait, mean, paced): "
            f"{own * 1000:.1f} ms per message"
        )
    booking, cancelling = sum(segments[:BOOKED_AT]), sum(segments[BOOKED_AT:])
    print(
        f"    outbound segments per conversation: {booking / CONVERSATIONS:.1f} to book "
        f"({BOOKED_AT} messages; target ≤ 12) + {cancelling / CONVERSATIONS:.1f} to cancel"
    )


def _sums() -> tuple[float, float, float]:
    """Sums of the gateway's reply time and Rasa wait, and the reply count, from the
    metrics registry (the gateway under test runs in this process)."""
    from prometheus_client import REGISTRY

    def value(name: str, labels: dict[str, str] | None = None) -> float:
        return REGISTRY.get_sample_value(name, labels or {}) or 0.0

    return (
        value("guichet_reply_seconds_sum", {"channel": "sms"}),
        value("guichet_rasa_seconds_sum"),
        value("guichet_reply_seconds_count", {"channel": "sms"}),
    )
