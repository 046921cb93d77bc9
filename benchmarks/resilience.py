"""Dead conversations among random ones: real-style message sequences (French, English, Arabic:
menu numbers, keywords, gibberish, dates, codes, emoji, greetings, booking and cancelling)
played through the signed /sms/twilio webhook against the real Rasa model and action server.

A conversation is dead when a message other than STOP, or one sent after STOP, gets no reply
at all. tests/channels/test_conversation_property.py draws the same messages with hypothesis;
`guichet bench resilience` plays ≥ 10,000 of them (GUICHET_BENCH_MESSAGES).
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from tests.support.stack import Phone, stack_with_fakes

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


def dead_turns(phone: Phone, sequence: Sequence[str]) -> list[str]:
    """The messages of `sequence` that got no reply (none is owed after STOP until START)."""
    dead: list[str] = []
    stopped = False
    for text in sequence:
        replies = phone.send(text)
        if text.upper() == STOP:
            stopped = True
            continue
        if text.upper() == "START":
            stopped = False
        if not stopped and not any(reply.strip() for reply in replies):
            dead.append(text)
    return dead


def random_sequence(rng: random.Random, length: int) -> list[str]:
    pool = (*MESSAGES, STOP)
    return [rng.choice(pool) for _ in range(length)]


def run_benchmark() -> None:
    messages = int(os.environ.get("GUICHET_BENCH_MESSAGES", "10000"))
    length = 8
    rng = random.Random(int(os.environ.get("GUICHET_BENCH_SEED", "14")))
    conversations = max(1, messages // length)
    with (
        tempfile.TemporaryDirectory() as tmp,
        stack_with_fakes(Path(tmp)) as (settings, rasa, gateway, _twilio, _telegram),
    ):
        rasa.start()
        dead = sent = answered = 0
        started = time.perf_counter()
        for index in range(conversations):
            phone = Phone(gateway, settings.public_url, f"+3361{5000000 + index:07d}")
            sequence = random_sequence(rng, length)
            silent = dead_turns(phone, sequence)
            sent += len(sequence)
            answered += len(sequence) - len(silent)
            dead += bool(silent)
            if silent:
                print(f"    dead: {sequence} (no reply to {silent})", flush=True)
        elapsed = time.perf_counter() - started
    print(f"    dead conversations: {dead} / {conversations} random ones")
    print(f"    messages sent / answered or owed nothing: {sent} / {answered}")
    print(f"    {sent / elapsed:.1f} messages/s")
