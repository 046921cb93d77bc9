"""The bench's reading of replies (benchmarks/understanding/replies.py): a "not understood"
the assistant can say is counted as one, or a loop on it is never seen as a dead end."""

from __future__ import annotations

import pytest

from actions.common import STUCK_RESPONSES
from benchmarks.understanding.replies import NOT_UNDERSTOOD, Reply
from bot.i18n import gettext
from bot.responses import RESPONSES

# Stuck replies that are not a "not understood": the help text, the escape offered instead of a
# second "not understood" in a row (utter_stuck), what a département is. They are the way out
# of a loop, not a turn of it.
WAYS_OUT = frozenset({"utter_help", "utter_stuck", "utter_site_explain"})


def test_every_not_understood_the_actions_count_is_one_for_the_bench() -> None:
    assert STUCK_RESPONSES - WAYS_OUT <= NOT_UNDERSTOOD, STUCK_RESPONSES - WAYS_OUT - NOT_UNDERSTOOD


@pytest.mark.parametrize("lang", ["fr", "en", "ar", "fa"])
def test_a_choice_not_understood_is_read_as_not_understood(lang: str) -> None:
    # "ما فهمتش" at a numbered question: "Je n'ai pas compris. Répondez par un numéro…"
    said = gettext(RESPONSES["utter_choice_not_understood"].text, lang)
    reply = Reply.read([said])
    assert "utter_choice_not_understood" in reply.names and reply.not_understood, reply.names
