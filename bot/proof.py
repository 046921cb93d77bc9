"""The applicant's proof: the dated searches that found no slot, as short texts and as a PDF.

A référé "mesures utiles" (art. L521-3 of the code de justice administrative) needs dated proof
that no appointment could be had (seed 002_15568d8a3b154eb0.txt: one applicant won with 31 dated
screenshots). Every search the engine runs is journaled (`AvailabilityCheck`); this module
writes those that found nothing. The PDF is in French, for a French court, whatever the
conversation's language; the phone and the numéro étranger appear masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.booking.engine import find_applicant, phone_or_refuse
from bot.booking.identity import mask_numero_etranger, mask_phone
from bot.booking.models import AvailabilityCheck, Demarche, Site
from bot.formatting import format_date, format_when, to_paris
from bot.i18n import translate
from bot.scheduler import messages

JOURNAL_LIMIT = 1000


@dataclass(frozen=True)
class ProofEntry:
    checked_at: datetime
    demarche: str
    site: str
    date_from: date
    date_to: date


@dataclass(frozen=True)
class ProofJournal:
    phone_masked: str
    numero_masked: str
    entries: list[ProofEntry]

    @property
    def count(self) -> int:
        return len(self.entries)


def journal(session: Session, phone: str) -> ProofJournal:
    """The searches of this phone's applicant that found no slot, oldest first."""
    phone = phone_or_refuse(phone)
    applicant = find_applicant(session, phone)
    if applicant is None:
        return ProofJournal(mask_phone(phone), "-", [])
    rows = session.execute(
        select(AvailabilityCheck, Demarche.name, Site.name)
        .join(Demarche, Demarche.code == AvailabilityCheck.demarche_code)
        .join(Site, Site.code == AvailabilityCheck.site_code)
        .where(AvailabilityCheck.applicant_id == applicant.id, AvailabilityCheck.slots_found == 0)
        .order_by(AvailabilityCheck.checked_at, AvailabilityCheck.id)
        .limit(JOURNAL_LIMIT)
    ).all()
    entries = [
        ProofEntry(check.checked_at, demarche or check.demarche_code, site, check.date_from, check.date_to)
        for check, demarche, site in rows
    ]
    return ProofJournal(
        mask_phone(phone), mask_numero_etranger(applicant.numero_etranger_last), entries
    )


def proof_text(proof: ProofJournal, lang: str) -> str:
    """Count, first and last dates, then the list (the channel pages it)."""
    if not proof.entries:
        return translate(messages.PROOF_NONE, lang)
    summary = translate(
        messages.PROOF_SUMMARY,
        lang,
        count=proof.count,
        first=format_date(proof.entries[0].checked_at, lang),
        last=format_date(proof.entries[-1].checked_at, lang),
    )
    lines = [
        translate(
            messages.PROOF_LINE,
            lang,
            number=index,
            when=format_when(entry.checked_at, lang),
            demarche=entry.demarche,
            site=entry.site,
        )
        for index, entry in enumerate(proof.entries, start=1)
    ]
    return "\n".join([summary, *lines])


# The PDF core fonts know Latin-1 only; typographic signs outside it get their plain form.
_LATIN1 = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "œ": "oe",
                         "Œ": "OE", "…": "...", "\u202f": " ", "\u2009": " "})


def _pdf_text(text: str) -> str:
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def proof_pdf(proof: ProofJournal, *, generated_at: datetime) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title("Recherches de rendez-vous sans créneau disponible")
    pdf.set_creator("Guichet")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 8, _pdf_text("Justificatif de recherches de rendez-vous en préfecture "
                                   "sans créneau disponible"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", size=10)
    header = [
        f"Téléphone du demandeur : {proof.phone_masked}",
        f"Numéro étranger : {proof.numero_masked}",
        f"Document établi le {format_when(generated_at, 'fr')} (heure de Paris).",
        f"Nombre de recherches sans aucun créneau : {proof.count}.",
    ]
    if proof.entries:
        header.append(
            f"Première recherche : {format_when(proof.entries[0].checked_at, 'fr')} ; "
            f"dernière : {format_when(proof.entries[-1].checked_at, 'fr')}."
        )
    for line in header:
        pdf.multi_cell(0, 6, _pdf_text(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    widths = (12, 48, 52, 48, 30)
    pdf.set_font("Helvetica", "B", 9)
    with pdf.table(col_widths=widths, text_align="LEFT") as table:
        row = table.row()
        for title in ("N°", "Date et heure (Paris)", "Démarche", "Préfecture", "Période cherchée"):
            row.cell(_pdf_text(title))
        pdf.set_font("Helvetica", size=9)
        for index, entry in enumerate(proof.entries, start=1):
            row = table.row()
            row.cell(str(index))
            row.cell(_pdf_text(to_paris(entry.checked_at).strftime("%d/%m/%Y %H:%M")))
            row.cell(_pdf_text(entry.demarche))
            row.cell(_pdf_text(entry.site))
            row.cell(f"du {entry.date_from:%d/%m/%Y} au {entry.date_to:%d/%m/%Y}")
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(
        0,
        5,
        _pdf_text(
            "Chaque ligne est une recherche de créneau faite par le demandeur et journalisée par "
            "Guichet au moment même, qui n'a trouvé aucune place. Ce relevé peut être joint à une "
            "requête en référé « mesures utiles » (article L521-3 du code de justice administrative)."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


def proof_pdf_for_phone(session: Session, phone: str, *, now: datetime) -> bytes:
    return proof_pdf(journal(session, phone), generated_at=now)
