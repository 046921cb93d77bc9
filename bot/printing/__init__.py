"""What Guichet prints for a person (PDF): the convocation with its signed QR code, the
documents checklist and the conversation's transcript, in the person's language and in French.

Pure: no database, no web. The callers (bot.booking.convocation, the mediator page, the
Telegram channel) gather the facts and sign the payload."""

from bot.printing import messages, pdf
from bot.printing.documents import (
    PrintedConvocation,
    TranscriptLine,
    checklist_pdf,
    convocation_pdf,
    transcript_pdf,
)
from bot.printing.pdf import FontMissing, qr_png

__all__ = [
    "FontMissing",
    "PrintedConvocation",
    "TranscriptLine",
    "checklist_pdf",
    "messages",
    "pdf",
    "convocation_pdf",
    "qr_png",
    "transcript_pdf",
]
