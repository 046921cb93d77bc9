"""Every sentence printed on a PDF for the applicant (French source, translated in locales/).

Each printed text appears twice: in the applicant's language, and in French for the counter
and for a mediator who does not read that language.
"""

from __future__ import annotations

from bot.i18n import N_, NP_

CONVOCATION_TITLE = N_("Convocation à la préfecture")
CODE = N_("Code de convocation : {code}")
DEMARCHE = N_("Démarche : {demarche}")
WHEN = N_("Date et heure : {when} (heure de Paris)")
WHERE = N_("Lieu : {site}, {address}")
BRING = N_(
    "Venez à l'heure avec cette convocation et tous les documents de la liste, originaux et copies."
)
QR_CAPTION = N_(
    "Le guichet lit ce code QR pour vérifier votre convocation. Ne le donnez à personne d'autre."
)
CHECKLIST_TITLE = N_("Documents à apporter : {demarche}")
CHECKLIST_INTRO = N_("Cochez chaque document quand vous l'avez.")
ORIGINAL = N_("l'original")
COPIES = NP_("{count} copie", "{count} copies")
ONLY_IF = N_("seulement si : {condition}")
TRANSCRIPT_TITLE = N_("Conversation avec l'assistant Guichet")
TRANSCRIPT_INTRO = N_(
    "Imprimée à la demande de la personne, le {when}. Chaque message est écrit dans sa langue, "
    "puis en français."
)
SENDER_APPLICANT = N_("La personne")
SENDER_ASSISTANT = N_("L'assistant")
SENDER_MEDIATOR = N_("Le médiateur")
