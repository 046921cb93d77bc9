"""`guichet bench understanding` keeps working: its machinery plays two openings and one
conversation on the real stack. Not a figures gate: the figures are the benchmark's business."""

from __future__ import annotations

import pytest

from benchmarks.understanding import (
    load_conversations,
    load_openings,
    play_conversation,
    report,
)
from benchmarks.understanding.play import SmsPhone, play_opening
from benchmarks.understanding.stack import StackUnavailable, target
from tests.support.skips import unavailable

pytestmark = pytest.mark.rasa


def test_the_bench_plays_openings_and_a_conversation_through_the_sms_webhook(capsys):
    try:
        with target(None) as stack:
            openings = [
                play_opening(
                    SmsPhone(stack.gateway, stack.public_url, stack.auth_token, stack.rest),
                    variety,
                    entry,
                )
                for variety, entry in load_openings(("fr",), 2)
            ]
            conversations = [play_conversation(stack, c) for c in load_conversations(("fr",), 1)]
    except StackUnavailable as exc:
        unavailable(str(exc))

    assert len(openings) == 2 and len(conversations) == 1
    for opening in openings:
        assert opening.replies and opening.replies[0].strip(), opening
        assert opening.reply_lang is not None and isinstance(opening.first, bool), opening
    conversation = conversations[0]
    assert conversation.replies_checked >= 1 and conversation.transcript, conversation
    assert conversation.reached or conversation.stalled, conversation

    figures = report(openings, conversations, stack.model)
    printed = capsys.readouterr().out
    assert "fr" in [row["group"] for row in figures["varieties"]]
    assert "door 1st %" in printed and "segs/booking" in printed
