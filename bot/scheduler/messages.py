"""Every sentence the scheduler sends or answers with (French source, translated in locales/)."""

from __future__ import annotations

from bot.i18n import N_

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
REMINDER_BRING = N_("N'oubliez pas ce qui vous manquait : {documents}.")
DOCUMENTS_HEADER = N_("Documents pour votre rendez-vous du {when} :")
PROOF_NONE = N_("Aucune recherche sans créneau n'est enregistrée pour ce numéro.")
PROOF_SUMMARY = N_(
    "{count} recherches sans créneau enregistrées, du {first} au {last}. "
    "Le détail suit, à joindre à un référé « mesures utiles »."
)
PROOF_LINE = N_("{number}. {when} : {demarche}, {site}")
PROOF_PDF_CAPTION = N_("Justificatif de vos recherches sans créneau (PDF).")
NO_FILING_WINDOW = N_("Cette démarche n'a pas de période de dépôt : aucune alerte à programmer.")
