"""The applicant's proof: the journal of their dated searches, and those that found no slot as
a PDF (the scheduler's replies write them as a short text).

A référé "mesures utiles" (art. L521-3 of the code de justice administrative) needs dated proof
that no appointment could be had (seed 002_15568d8a3b154eb0.txt: one applicant won with 31 dated
screenshots). Every search the engine runs is journaled (`AvailabilityCheck`); this module is
the one place that journal is read. The PDF is in French, for a French court, whatever the
conversation's language; the phone and the numéro étranger appear masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.booking.applicants import find_applicant, phone_or_refuse
from bot.booking.identity import mask_numero_etranger, mask_phone
from bot.booking.models import AvailabilityCheck, DemarcheRow, SiteRow
from bot.catalogue import get_catalogue
from bot.formatting import format_when, to_paris

API_LIMIT = 200
JOURNAL_LIMIT = 1000


def searches_of(
    session: Session, phone: str, *, found_nothing: bool = False, limit: int = API_LIMIT
) -> list[AvailabilityCheck]:
    """This phone's journaled searches, oldest first: all of them (the API's `/proof`), or only
    those that found no slot (the proof proper)."""
    applicant = find_applicant(session, phone_or_refuse(phone))
    if applicant is None:
        return []
    query = select(AvailabilityCheck).where(AvailabilityCheck.applicant_id == applicant.id)
    if found_nothing:
        query = query.where(AvailabilityCheck.slots_found == 0)
    return list(
        session.scalars(
            query.order_by(AvailabilityCheck.checked_at, AvailabilityCheck.id).limit(limit)
        )
    )


@dataclass(frozen=True)
class ProofEntry:
    checked_at: datetime
    demarche: str
    site: str
    date_from: date
    date_to: date
    part_of_day: str | None = None  # "morning" | "afternoon" | "evening": what was wished


@dataclass(frozen=True)
class ProofJournal:
    phone_masked: str
    numero_masked: str
    entries: list[ProofEntry]

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def weeks(self) -> int:
        """How many different calendar weeks (Paris time) the searches fall in: the Conseil
        d'État (10 June 2020, n° 435594) wants attempts spread over time, not one burst."""
        return len({to_paris(e.checked_at).isocalendar()[:2] for e in self.entries})


def journal(session: Session, phone: str) -> ProofJournal:
    """The searches of this phone's applicant that found no slot, oldest first, with the names
    a reader needs (the démarche's, else its code; the site's)."""
    phone = phone_or_refuse(phone)
    applicant = find_applicant(session, phone)
    if applicant is None:
        return ProofJournal(mask_phone(phone), "-", [])
    checks = searches_of(session, phone, found_nothing=True, limit=JOURNAL_LIMIT)
    demarches = dict(session.execute(select(DemarcheRow.code, DemarcheRow.name)).tuples().all())
    sites = dict(session.execute(select(SiteRow.code, SiteRow.name)).tuples().all())
    entries = [
        ProofEntry(
            check.checked_at,
            demarches[check.demarche_code] or check.demarche_code,
            sites[check.site_code],
            check.date_from,
            check.date_to,
            check.part_of_day,
        )
        for check in checks
    ]
    return ProofJournal(
        mask_phone(phone), mask_numero_etranger(applicant.numero_etranger_last), entries
    )


# The PDF core fonts know Latin-1 only; typographic signs outside it get their plain form.
_LATIN1 = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
        "œ": "oe",
        "Œ": "OE",
        "…": "...",
        "\u202f": " ",
        "\u2009": " ",
    }
)


def _pdf_text(text: str) -> str:
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


# The days wished, as the PDF's "period searched" column ends (French: the PDF is for a court).
PART_OF_DAY_FR: dict[str, str] = {
    "morning": ", le matin",
    "afternoon": ", l'après-midi",
    "evening": ", en fin de journée",
}


def proof_pdf(proof: ProofJournal, *, generated_at: datetime) -> bytes:
    legal = get_catalogue().legal
    pdf = FPDF(format="A4")
    pdf.set_title("Recherches de rendez-vous sans créneau disponible")
    pdf.set_creator("Guichet")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(
        0,
        8,
        _pdf_text(
            "Justificatif de recherches de rendez-vous en préfecture sans créneau disponible"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    pdf.set_font("Helvetica", size=10)
    header = [
        f"Téléphone du demandeur : {proof.phone_masked}",
        f"Numéro étranger : {proof.numero_masked}",
        f"Document établi le {format_when(generated_at, 'fr')} (heure de Paris).",
        f"Nombre de recherches sans aucun créneau : {proof.count}.",
        f"Semaines différentes où ces recherches ont été faites : {proof.weeks}.",
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
            part = PART_OF_DAY_FR.get(entry.part_of_day or "", "")
            row.cell(f"du {entry.date_from:%d/%m/%Y} au {entry.date_to:%d/%m/%Y}{part}")
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(
        0,
        5,
        _pdf_text(
            "Chaque ligne est une recherche de créneau faite par le demandeur et journalisée par "
            "Guichet au moment même, qui n'a trouvé aucune place. Ce relevé peut être joint à une "
            f"requête en référé « mesures utiles » ({legal['refere_mesures_utiles'].reference}), "
            "par laquelle le juge peut ordonner à la préfecture de donner un rendez-vous ; le "
            f"{legal['attempts_over_weeks'].reference} attend des tentatives répétées à des "
            "dates différentes."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


def proof_pdf_for_phone(session: Session, phone: str, *, now: datetime) -> bytes:
    return proof_pdf(journal(session, phone), generated_at=now)
