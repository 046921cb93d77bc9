"""Every sentence the scheduler sends or answers with (French source, translated in locales/)."""

from __future__ import annotations

from bot.i18n import N_, NP_

REMINDER = N_(
    "Rappel : rendez-vous {when} à {site}, {address}. Code {code}. "
    "Documents : répondez DOCS. Pour libérer votre place : répondez ANNULER."
)
OFFER = N_(
    "Une place s'est libérée : {date} à {site}. Répondez OUI avant {deadline} pour la prendre, "
    "NON pour la laisser."
)
OFFER_REMINDER = N_(
    "Plus que 2 heures : la place du {date} à {site} vous attend. Répondez OUI avant {deadline} "
    "pour la prendre, NON pour la laisser."
)
DEADLINE_OPEN = N_(
    "Votre titre expire le {expiry}. Vous pouvez demander son renouvellement dès maintenant et "
    "jusqu'au {closes}. Répondez RDV pour réserver."
)
DEADLINE_CLOSE = N_(
    "Attention : la période pour demander le renouvellement de votre titre se termine le {closes}. "
    "Répondez RDV pour réserver."
)

OFFER_ACCEPTED = N_("C'est réservé : {when} à {site}. Code {code}. Gardez ce message.")
OFFER_DECLINED = N_("Bien noté, la place passe à la personne suivante. Vous restez sur la liste.")
OFFER_GONE = N_("Cette proposition n'est plus valable. Vous restez sur la liste d'attente.")
CANCELLED = N_(
    "Rendez-vous du {when} annulé (code {code}). Votre place est offerte à quelqu'un d'autre."
)
# To the phone that booked under a numéro étranger its owner proved to be theirs (decision 0024).
NUMERO_RELEASED = N_(
    "Rendez-vous du {when} annulé (code {code}) : il avait été pris avec le numéro étranger "
    "d'une autre personne, qui a montré son titre de séjour. Si ce numéro est le vôtre, venez "
    "avec votre titre à la préfecture."
)
REMINDER_BRING = N_("N'oubliez pas ce qui vous manquait : {documents}.")
DOCUMENTS_HEADER = N_("Documents pour votre rendez-vous du {when} :")
PROOF_NONE = N_("Aucune recherche sans créneau n'est enregistrée pour ce numéro.")
# PREUVE: how many searches, over how many weeks, what a judge can do with them, then each one.
PROOF_SUMMARY = NP_(
    "{count} recherche sans créneau enregistrée, du {first} au {last}.",
    "{count} recherches sans créneau enregistrées, du {first} au {last}.",
)
# Conseil d'État, 10 June 2020, n° 435594 (data/catalogue/legal.yml): attempts over weeks.
PROOF_WEEKS = NP_(
    "Elles sont toutes dans la même semaine : le juge attend des essais sur plusieurs "
    "semaines ({decision}). Cherchez encore les semaines suivantes.",
    "Elles sont réparties sur {count} semaines différentes, comme l'attend le juge ({decision}).",
)
# Seed 002 and art. L521-3 CJA (data/catalogue/legal.yml).
PROOF_REFERE = N_(
    "Avec ces preuves, un avocat peut demander au juge d'obliger la préfecture à vous donner "
    "un rendez-vous : c'est le référé « mesures utiles » ({article})."
)
PROOF_LINE = N_("{number}. {when} : {demarche}, {site}, jours voulus {days}")
PROOF_DAYS: dict[str | None, str] = {
    None: N_("du {first} au {last}"),
    "morning": N_("du {first} au {last}, le matin"),
    "afternoon": N_("du {first} au {last}, l'après-midi"),
    "evening": N_("du {first} au {last}, en fin de journée"),
}
PROOF_PDF_CAPTION = N_("Justificatif de vos recherches sans créneau (PDF).")
NO_FILING_WINDOW = N_("Cette démarche n'a pas de période de dépôt : aucune alerte à programmer.")
