"""What the applicant receives about a mediator's consent (French source, translated in
locales/): the code and what it allows, and the answers to RETIRER / REVOKE / سحب."""

from __future__ import annotations

from bot.i18n import N_

CONSENT_CODE = N_(
    "Code {code}. Donnez ce code au médiateur du PAN de {site} : il pourra prendre, déplacer "
    "ou annuler vos rendez-vous pendant {hours} heures. Pour retirer votre accord : RETIRER."
)
CONSENT_REVOKED = N_(
    "Votre accord est retiré : le médiateur du PAN ne peut plus rien faire pour vous."
)
NOTHING_TO_REVOKE = N_("Aucun médiateur n'a votre accord : il n'y a rien à retirer.")
