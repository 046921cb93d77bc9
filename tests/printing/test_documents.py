"""The printed papers (bot/printing): read back as a counter and a reader would — the text with
pypdf, the QR code with zxing-cpp — in the applicant's language and in French, Arabic included."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest

from bot import signing
from bot.catalogue import get_catalogue
from bot.formatting import format_when
from bot.i18n import translate, translate_plural
from bot.printing import (
    FontMissing,
    PrintedConvocation,
    TranscriptLine,
    checklist_pdf,
    convocation_pdf,
    messages,
    pdf,
    transcript_pdf,
)
from tests.support.qr import pdf_text, qr_payloads

KEY = signing.private_key("printing-test")
STARTS = datetime(2026, 1, 13, 13, 20, tzinfo=UTC)
RESIDENT = "carte_resident_renouvellement"


def _convocation() -> PrintedConvocation:
    facts = signing.ConvocationFacts("ABCDEFGH", STARTS, "pref-24", RESIDENT)
    return PrintedConvocation(
        code="ABCD-EFGH",
        starts_at=STARTS,
        site_name="Préfecture de la Dordogne",
        site_address="2 rue Paul-Louis Courier, 24000 Périgueux",
        demarche=RESIDENT,
        payload=signing.sign(facts, KEY),
    )


def _arabic_words(text: str) -> list[str]:
    """The words of a text written in Arabic letters only."""
    return [
        w
        for w in re.findall(r"\w+", text)
        if all(unicodedata.name(c, "").startswith("ARABIC") for c in w)
    ]


def _assert_printed(text: str, expected: str, lang: str) -> None:
    """An LTR line reads back whole; an Arabic one word by word (pypdf gives the runs of a
    right-to-left line in visual order, so only its words are sure to read back as written)."""
    if lang == "ar":
        words = _arabic_words(expected)
        assert words, expected
        missing = [w for w in words if w not in text]
        assert not missing, f"Arabic words not printed: {missing}"
    else:
        assert expected in text.replace("\n", " ")


def _convocation_lines(c: PrintedConvocation, lang: str) -> list[str]:
    demarche = get_catalogue().demarches[c.demarche].name(lang)
    return [
        translate(messages.CONVOCATION_TITLE, lang),
        translate(messages.CODE, lang, code=c.code),
        translate(messages.DEMARCHE, lang, demarche=demarche),
        translate(messages.WHEN, lang, when=format_when(c.starts_at, lang)),
        translate(messages.BRING, lang),
    ]


@pytest.mark.parametrize("lang", ["ar", "en", "fr"])
def test_the_convocation_is_in_the_applicants_language_and_french(lang: str) -> None:
    convocation = _convocation()
    text = pdf_text(convocation_pdf(convocation, lang))
    for line in _convocation_lines(convocation, "fr"):
        _assert_printed(text, line, "fr")
    assert "mardi 13 janvier à 14 h 20" in text  # 13:20 UTC is 14:20 in Paris in winter
    assert "2 rue Paul-Louis Courier, 24000 Périgueux" in text
    if lang == "fr":
        assert text.count(translate(messages.CONVOCATION_TITLE, "fr")) == 1
        return
    translated = _convocation_lines(convocation, lang)
    for line, french in zip(translated, _convocation_lines(convocation, "fr"), strict=True):
        assert line != french, f"no {lang} translation: {french}"
        _assert_printed(text, line, lang)
    assert "ABCD-EFGH" in text


def test_the_convocation_qr_code_reads_back_as_the_signed_payload() -> None:
    convocation = _convocation()
    for lang in ("ar", "fr"):
        payloads = qr_payloads(convocation_pdf(convocation, lang))
        assert payloads == [convocation.payload]
        facts = signing.read(payloads[0], KEY.public_key())
        assert (facts.code, facts.starts_at, facts.site, facts.demarche) == (
            "ABCDEFGH",
            STARTS,
            "pref-24",
            RESIDENT,
        )


def test_the_checklist_lists_every_document_in_both_languages() -> None:
    demarche = get_catalogue().demarches[RESIDENT]
    text = pdf_text(checklist_pdf(RESIDENT, "ar"))
    _assert_printed(
        text, translate(messages.CHECKLIST_TITLE, "fr", demarche=demarche.name("fr")), "fr"
    )
    _assert_printed(text, demarche.name("ar"), "ar")
    assert text.count("☐") == 2 * len(demarche.to_prepare)
    for requirement in demarche.to_prepare:
        for lang in ("fr", "ar"):
            _assert_printed(text, requirement.document.label(lang), lang)
        if requirement.copies:
            _assert_printed(text, translate_plural(messages.COPIES, requirement.copies, "fr"), "fr")
        if requirement.when is not None:
            _assert_printed(text, requirement.when("fr"), "fr")
            _assert_printed(text, requirement.when("ar"), "ar")


def test_the_checklist_in_french_prints_each_document_once() -> None:
    demarche = get_catalogue().demarches[RESIDENT]
    text = pdf_text(checklist_pdf(RESIDENT, "fr"))
    assert text.count("☐") == len(demarche.to_prepare)


def test_the_transcript_keeps_who_said_what_in_order_in_both_languages() -> None:
    lines = [
        TranscriptLine("applicant", "بغيت نجدد الكارط ديالي", "Je veux renouveler ma carte"),
        TranscriptLine("assistant", "واش عندكم جميع الوثائق؟", "Avez-vous tous les documents ?"),
        TranscriptLine("mediator", "نعم", "Oui"),
    ]
    printed_at = datetime(2026, 1, 12, 9, 30, tzinfo=UTC)
    text = pdf_text(transcript_pdf(lines, "ar", printed_at=printed_at))
    french = [line.text_fr for line in lines]
    positions = [text.index(f) for f in french]
    assert positions == sorted(positions)
    for line in lines:
        _assert_printed(text, line.text, "ar")
    for sender in ("applicant", "assistant", "mediator"):
        key = {"applicant": messages.SENDER_APPLICANT, "assistant": messages.SENDER_ASSISTANT}
        msgid = key.get(sender, messages.SENDER_MEDIATOR)
        _assert_printed(text, translate(msgid, "fr"), "fr")
        _assert_printed(text, translate(msgid, "ar"), "ar")
    _assert_printed(text, format_when(printed_at, "fr"), "fr")


def test_a_machine_without_the_font_is_told_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf, "FONT_DIRS", (tmp_path,))
    monkeypatch.delenv(pdf.FONT_DIR_ENV, raising=False)
    pdf.font_dir.cache_clear()
    try:
        with pytest.raises(FontMissing, match="fonts-dejavu-core"):
            convocation_pdf(_convocation(), "fr")
    finally:
        pdf.font_dir.cache_clear()


def test_a_long_transcript_runs_over_numbered_pages_and_loses_no_message() -> None:
    lines = [
        TranscriptLine("assistant", f"رسالة رقم {i} " * 12, f"Message numéro {i}. " * 8)
        for i in range(40)
    ]
    document = transcript_pdf(lines, "ar", printed_at=datetime(2026, 1, 12, 9, 30, tzinfo=UTC))
    pages = pypdf.PdfReader(io.BytesIO(document)).pages
    assert len(pages) > 2
    for number, page in enumerate(pages, start=1):
        assert f"Guichet · {number}/{len(pages)}" in page.extract_text()
    text = pdf_text(document)
    assert all(f"Message numéro {i}." in text for i in range(40))
