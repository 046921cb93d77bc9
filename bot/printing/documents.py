"""The papers Guichet prints for a person, each in their language and in French: the
convocation with its signed QR code, the documents checklist of a démarche, and the transcript
of a conversation. Pure functions returning the PDF's bytes: no database, no web.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.catalogue import get_catalogue
from bot.formatting import format_when
from bot.i18n import SOURCE_LANGUAGE, normalise_language, translate, translate_plural
from bot.printing import messages
from bot.printing.pdf import Page, qr_png

QR_WIDTH_MM = 55  # about 1.1 mm per module at version 8: any phone or USB scanner reads it


@dataclass(frozen=True)
class PrintedConvocation:
    """What a convocation shows. `code` as people read it ("ABCD-EFGH"); `payload` the signed
    QR payload (bot.signing.sign)."""

    code: str
    starts_at: datetime  # aware UTC (naive means UTC)
    site_name: str
    site_address: str
    demarche: str  # catalogue code
    payload: str


@dataclass(frozen=True)
class TranscriptLine:
    """One message of a conversation: who said it, in the applicant's language and in French."""

    sender: str  # "applicant", "assistant" or "mediator"
    text: str
    text_fr: str


SENDERS = {
    "applicant": messages.SENDER_APPLICANT,
    "assistant": messages.SENDER_ASSISTANT,
    "mediator": messages.SENDER_MEDIATOR,
}


def _demarche_name(code: str, lang: str) -> str:
    demarche = get_catalogue().demarches.get(code)
    return demarche.name(lang) if demarche is not None else code


def _langs(lang: str | None) -> tuple[str, ...]:
    """The languages a page is written in: the applicant's first, then French."""
    lang = normalise_language(lang)
    return (lang,) if lang == SOURCE_LANGUAGE else (lang, SOURCE_LANGUAGE)


def convocation_pdf(convocation: PrintedConvocation, lang: str | None) -> bytes:
    """The convocation in the applicant's language, then in French, with the signed QR code."""
    page = Page(translate(messages.CONVOCATION_TITLE, "fr"))
    for index, language in enumerate(_langs(lang)):
        if index:
            page.rule()
        page.text(translate(messages.CONVOCATION_TITLE, language), language, size=16, bold=True)
        page.text(
            translate(messages.CODE, language, code=convocation.code), language, size=14, bold=True
        )
        details = (
            translate(
                messages.DEMARCHE,
                language,
                demarche=_demarche_name(convocation.demarche, language),
            ),
            translate(messages.WHEN, language, when=format_when(convocation.starts_at, language)),
            translate(
                messages.WHERE,
                language,
                site=convocation.site_name,
                address=convocation.site_address,
            ),
            translate(messages.BRING, language),
        )
        for line in details:
            page.text(line, language, size=12)
    page.rule()
    page.image(qr_png(convocation.payload), width=QR_WIDTH_MM)
    for language in _langs(lang):
        page.text(translate(messages.QR_CAPTION, language), language, size=9, grey=True)
    return page.output()


def checklist_pdf(demarche_code: str, lang: str | None) -> bytes:
    """The documents of a démarche (catalogue), each in the applicant's language then French,
    with a box to tick, the original or the copies asked, and when it is needed."""
    demarche = get_catalogue().demarches[demarche_code]
    lang = normalise_language(lang)
    page = Page(translate(messages.CHECKLIST_TITLE, "fr", demarche=demarche.name("fr")))
    page.both(
        translate(messages.CHECKLIST_TITLE, lang, demarche=demarche.name(lang)),
        translate(messages.CHECKLIST_TITLE, "fr", demarche=demarche.name("fr")),
        lang,
        size=15,
        bold=True,
    )
    page.both(
        translate(messages.CHECKLIST_INTRO, lang),
        translate(messages.CHECKLIST_INTRO, "fr"),
        lang,
        size=10,
    )
    page.rule()
    for requirement in demarche.to_prepare:
        texts = {}
        for language in _langs(lang):
            kinds = []
            if requirement.original:
                kinds.append(translate(messages.ORIGINAL, language))
            if requirement.copies:
                kinds.append(translate_plural(messages.COPIES, requirement.copies, language))
            line = f"☐ {requirement.document.label(language)} — {' + '.join(kinds)}"
            detail = requirement.document.explanation(language)
            if requirement.when is not None:
                condition = translate(
                    messages.ONLY_IF, language, condition=requirement.when(language)
                )
                detail = f"{detail} ({condition})"
            texts[language] = (line, detail)
        line, detail = texts.get(lang, texts[SOURCE_LANGUAGE])
        line_fr, detail_fr = texts[SOURCE_LANGUAGE]
        page.both(line, line_fr, lang, size=12, bold=True)
        page.both(detail, detail_fr, lang, size=10)
        page.pdf.ln(2)
    return page.output()


def transcript_pdf(
    lines: Sequence[TranscriptLine], lang: str | None, *, printed_at: datetime
) -> bytes:
    """A conversation, each message in the applicant's language then French, with who said it."""
    lang = normalise_language(lang)
    page = Page(translate(messages.TRANSCRIPT_TITLE, "fr"))
    page.both(
        translate(messages.TRANSCRIPT_TITLE, lang),
        translate(messages.TRANSCRIPT_TITLE, "fr"),
        lang,
        size=15,
        bold=True,
    )
    page.both(
        translate(messages.TRANSCRIPT_INTRO, lang, when=format_when(printed_at, lang)),
        translate(messages.TRANSCRIPT_INTRO, "fr", when=format_when(printed_at, "fr")),
        lang,
        size=10,
    )
    page.rule()
    for line in lines:
        sender = SENDERS.get(line.sender)
        if sender is not None:
            page.both(translate(sender, lang), translate(sender, "fr"), lang, size=10, bold=True)
        page.both(line.text, line.text_fr, lang, size=11)
        page.pdf.ln(2)
    return page.output()
