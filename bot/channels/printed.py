"""The convocation PDF a Telegram chat receives after a booking or a move: the same document a
PAN mediator prints (bot.booking.convocation), in the conversation's language and French, with
the signed QR code the counter checks.

The NLG puts the convocation code beside the answer that gives it (`custom.code` of
utter_convocation / utter_rescheduled, bot/gateway/nlg.py): the code comes from Rasa's answer
to this very chat, so the chat gets the document of the booking it just made, nobody else's.
SMS gets no document: the code in the text is the convocation there.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.booking.codes import display_code, normalise_code
from bot.booking.convocation import convocation_pdf_for
from bot.booking.errors import BookingError
from bot.channels import messages
from bot.channels.masking import mask
from bot.channels.outbound import Outgoing
from bot.config import Settings
from bot.formatting import isolate_ltr
from bot.i18n import translate

log = logging.getLogger(__name__)

# The answers that give a convocation code (bot/responses.py).
CONVOCATION_RESPONSES = frozenset({"utter_convocation", "utter_rescheduled"})


def convocation_codes(responses: Iterable[Mapping[str, Any]]) -> list[str]:
    """The codes (normalised, once each) of the convocations these answers just gave."""
    codes: list[str] = []
    for item in responses:
        custom = item.get("custom")
        if not isinstance(custom, Mapping) or custom.get("response") not in CONVOCATION_RESPONSES:
            continue
        code = normalise_code(str(custom.get("code") or ""))
        if code and code not in codes:
            codes.append(code)
    return codes


def convocation_document(
    settings: Settings,
    session_factory: sessionmaker[Session],
    channel: str,
    address: str,
    code: str,
    lang: str,
) -> Outgoing | None:
    """The PDF of this convocation as a message to send, None when there is none to send (the
    booking is gone already) or it cannot be made: the text answer never waits on it."""
    try:
        with session_factory() as session:
            document = convocation_pdf_for(session, code, settings.convocation_key(), lang=lang)
    except BookingError as refusal:
        log.info("no convocation PDF for chat %s: %s", mask(address), refusal.code)
        return None
    except Exception:  # a missing font, a database error: logged, the answer still goes
        log.exception("could not make the convocation PDF for chat %s", mask(address))
        return None
    return Outgoing(
        channel,
        address,
        # The code stays left to right inside an Arabic caption, as in every chat answer.
        translate(messages.CONVOCATION_PDF, lang, code=isolate_ltr(display_code(code), lang)),
        document=document,
        filename=f"convocation-{display_code(code)}.pdf",
    )
