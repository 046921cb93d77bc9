"""`guichet bench resilience`: every count of issue 13 from one run (the booking API's from
benchmarks/resilience_api.py; the messages' against the real Rasa and action server and two
gateway processes as `guichet run` serves them, tests/support/burst.py), each but the attempts
0. The dead conversations: real-style message sequences (French, English, Arabic: menu numbers,
keywords, gibberish, dates, codes, emoji, greetings, booking and cancelling) played through
the signed /sms/twilio webhook.

A conversation is dead when a message other than STOP, or one sent after STOP, gets no reply
at all. tests/channels/test_conversation_property.py draws the same messages with hypothesis;
`guichet bench resilience` plays ≥ 10,000 of them (GUICHET_BENCH_MESSAGES).
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.resilience_api import resilience_figures
from tests.support.burst import account, alternate, burst, gateway_process_stack
from tests.support.providers import Recorder, sms_to
from tests.support.stack import Phone

MESSAGES: tuple[str, ...] = (
    # menu numbers and keywords
    "0",
    "1",
    "2",
    "3",
    "4",
    "5",
    "9",
    "12",
    "MENU",
    "menu",
    "AIDE",
    "HELP",
    "SUITE",
    "OUI",
    "NON",
    "ANNULER",
    "DOCS",
    "PREUVE",
    "RAPPEL",
    "START",
    "oui",
    "non",
    "ok",
    # greetings
    "Bonjour",
    "bonsoir",
    "salut",
    "Hello",
    "hi",
    "السلام عليكم",
    "salam",
    "مرحبا",
    # booking, documents, cancelling, moving
    "je veux un rdv",
    "Je veux renouveler ma carte de résident",
    "renouveler mon titre de sejour",
    "I want an appointment",
    "renew my residence permit",
    "bghit rdv l carte de sejour",
    "bghit njded lkart dyali",
    "أريد موعدا لتجديد بطاقة الإقامة",
    "quels documents apporter",
    "what documents do I need",
    "Je veux annuler mon rendez-vous",
    "cancel my appointment",
    "déplacer mon rendez-vous",
    "mon rendez-vous",
    "naturalisation",
    "permis de conduire",
    "j'ai déjà tout",
    "pas encore",
    "38000",
    "Grenoble",
    "Lyon",
    "75001",
    "Paris",
    # dates and codes
    "lundi",
    "demain",
    "la semaine prochaine",
    "next monday",
    "12/03/2027",
    "ma carte expire le 01/02/2027",
    "7501234567",
    "06 11 11 00 04",
    "ABCD-1234",
    "K7P2-9QXM",
    # gibberish and emoji
    "azertyuiop",
    "????",
    "...",
    "qsdfghjklm wxcvbn",
    "😀",
    "👍👍",
    "🙏",
    "asdf 123",
    "ههههه",
    "merci",
    "thanks",
    "شكرا",
    "au revoir",
    "bye",
    "tu es nul",
    "quel temps fait-il ?",
)
STOP = "STOP"
# How long a reply that went through the REST API may take (Rasa's own timeout is 30 s).
LATE_REPLY_WAIT = 45.0


def dead_turns(phone: Phone, sequence: Sequence[str], twilio: Recorder | None = None) -> list[str]:
    """The messages of `sequence` that got no reply (none is owed after STOP until START).
    With `twilio` (the fake REST API), a reply that missed the inline deadline and went through
    the REST API counts: it is waited for (a slow turn on a loaded machine is not a dead one)."""
    dead: list[str] = []
    stopped = False
    for text in sequence:
        if text.upper() in (STOP, "START"):
            stopped = text.upper() == STOP
        # No reply is owed to STOP nor after it: waiting out LATE_REPLY_WAIT for one would
        # only make the run slower (it was most of the property test's 12 minutes).
        owed = not stopped
        before = len(sms_to(twilio, phone.number)) if twilio is not None else 0
        replies = phone.send(text)
        if owed and twilio is not None and not any(reply.strip() for reply in replies):
            deadline = time.monotonic() + LATE_REPLY_WAIT
            while time.monotonic() < deadline and len(sms_to(twilio, phone.number)) == before:
                time.sleep(0.1)
            replies = sms_to(twilio, phone.number)[before:]
        if owed and not any(reply.strip() for reply in replies):
            dead.append(text)
    return dead


def random_sequence(rng: random.Random, length: int) -> list[str]:
    pool = (*MESSAGES, STOP)
    return [rng.choice(pool) for _ in range(length)]


@dataclass(frozen=True)
class Scale:
    fuzzed: int = 10_000  # requests to every route of the OpenAPI
    forged: int = 2_000  # calls acting for an applicant without a credential
    burst_phones: int = 20  # phones texting during the SIGTERM, SCRIPT (8 messages) each
    kill_after: int = 40  # messages taken before the SIGTERM
    alternate: int = 12  # one sender's messages, alternately to two gateways
    messages: int = 10_000  # random messages, in conversations of 8


# What `make test` plays (tests/test_bench_resilience.py): every count, a few of each.
SMOKE = Scale(fuzzed=300, forged=100, burst_phones=4, kill_after=8, alternate=8, messages=48)


@dataclass(frozen=True)
class Count:
    label: str
    tried: int
    failed: int  # must be 0

    def line(self) -> str:
        return f"{self.label:<62} {self.tried} / {self.failed}"


def resilience_counts(
    scale: Scale, seed: int = 14, show: Callable[[Count], None] = lambda _count: None
) -> list[Count]:
    """Every count of issue 13 from one run: the API in process, then one stack (Rasa, the
    action server, two gateway processes on one database) for the messages."""
    api = resilience_figures(scale.fuzzed, scale.forged)
    counts: list[Count] = []

    def add(count: Count) -> None:
        counts.append(count)
        show(count)

    for count in [
        Count(
            "forged requests tried / not refused",
            api.forged_tried,
            api.forged_tried - api.forged_refused,
        ),
        Count("fuzzed requests / 5xx", api.fuzzed, api.server_errors),
        Count(
            "unauthenticated calls / that acted for a phone",
            api.forged_tried,
            api.acted_for_a_phone,
        ),
    ]:
        add(count)
    rng = random.Random(seed)
    with (
        tempfile.TemporaryDirectory() as tmp,
        gateway_process_stack(Path(tmp), gateways=2) as (settings, gateways, rasa, twilio),
    ):
        sent, out_of_order, unheard = alternate(settings, gateways, rasa, scale.alternate)
        add(Count("messages of one sender to two gateways / out of order", sent, out_of_order))
        add(Count("  … of which never reached Rasa", sent, unheard))
        tally, _code = burst(settings, gateways[0], scale.burst_phones, scale.kill_after)
        outcome = account(settings, tally)
        add(
            Count(
                "messages sent during a gateway SIGTERM / lost",
                outcome.sent,
                len(outcome.lost) + len(tally.errors),
            )
        )
        add(Count("  … answered twice", outcome.sent, len(outcome.duplicated)))
        add(
            Count(
                "  … whose turn failed (apology, answered later)",
                outcome.sent,
                len(outcome.apologised),
            )
        )
        conversations = max(1, scale.messages // 8)
        dead = 0
        for index in range(conversations):
            url = gateways[0].settings.public_url
            phone = Phone(url, url, f"+3361{5000000 + index:07d}")
            silent = dead_turns(phone, random_sequence(rng, 8), twilio)
            dead += bool(silent)
            if silent:
                print(f"    dead conversation: no reply to {silent}", flush=True)
        add(
            Count(
                f"random conversations ({conversations * 8} messages) / dead", conversations, dead
            )
        )
    return counts


def run_benchmark() -> None:
    scale = Scale(messages=int(os.environ.get("GUICHET_BENCH_MESSAGES", "10000")))
    started = time.perf_counter()
    print(f"    {'count':<62} tried / failed (must be 0)", flush=True)
    counts = resilience_counts(
        scale,
        int(os.environ.get("GUICHET_BENCH_SEED", "14")),
        show=lambda count: print(f"    {count.line()}", flush=True),
    )
    failed = [count.label for count in counts if count.failed]
    print(f"    {'every count 0' if not failed else 'FAILED: ' + '; '.join(failed)}")
    print(f"    {time.perf_counter() - started:.0f} s")
