"""Every refusal the booking engine can give: a stable reason code and its French sentence.

Callers (actions, channels, a préfecture's system) branch on the code; people read the
sentence, translated through `bot.i18n.translate(message, lang)`.
"""

from __future__ import annotations

from bot.i18n import N_

REFUSALS: dict[str, str] = {
    "invalid_request": N_("La demande est incomplète ou mal formée : {detail}."),
    "invalid_phone": N_("Ce numéro de téléphone n'est pas valide. Exemple : 06 12 34 56 78."),
    "invalid_numero_etranger": N_(
        "Le numéro étranger doit compter exactement 10 chiffres (il figure sur votre titre de séjour)."
    ),
    "numero_etranger_required": N_(
        "Pour cette démarche, le numéro étranger (10 chiffres) est obligatoire."
    ),
    "invalid_code": N_("Ce code de convocation n'est pas valide : vérifiez les 8 caractères."),
    "invalid_dates": N_("Les dates demandées ne sont pas valides : {detail}."),
    "unknown_demarche": N_("Cette démarche n'existe pas ou ne se réserve pas en préfecture."),
    "unknown_site": N_("Ce lieu d'accueil n'existe pas."),
    "demarche_not_offered": N_("Cette démarche n'est pas proposée dans ce lieu d'accueil."),
    "site_not_found": N_("Aucune préfecture ne correspond à « {query} »."),
    "slot_not_found": N_("Ce créneau n'existe pas."),
    "slot_in_past": N_("Ce créneau est déjà passé."),
    "slot_beyond_horizon": N_(
        "Ce créneau n'est pas encore ouvert à la réservation (au plus {horizon_days} jours à l'avance)."
    ),
    "slot_full": N_(
        "Ce créneau vient d'être pris. Choisissez-en un autre ou inscrivez-vous en liste d'attente."
    ),
    "same_slot": N_("Vous avez déjà ce créneau."),
    "already_booked": N_(
        "Vous avez déjà un rendez-vous pour cette démarche. Un seul rendez-vous par personne : "
        "annulez ou déplacez celui-ci."
    ),
    "already_booked_numero_etranger": N_(
        "Un rendez-vous pour cette démarche existe déjà avec ce numéro étranger. "
        "Un seul rendez-vous par personne."
    ),
    "recently_served": N_(
        "Un rendez-vous pour cette démarche a déjà eu lieu il y a moins de {days} jours avec ce "
        "numéro de téléphone ou ce numéro étranger. Nouvelle demande possible à partir du {until}."
    ),
    "idempotency_conflict": N_("Cette clé de requête a déjà servi pour une autre réservation."),
    "booking_not_found": N_("Aucun rendez-vous ne correspond à ce code."),
    "not_your_booking": N_("Ce rendez-vous n'a pas été pris avec ce numéro de téléphone."),
    "booking_not_active": N_("Ce rendez-vous n'est plus actif (annulé ou déjà passé)."),
    "no_consent": N_(
        "Le médiateur n'a pas votre accord pour ce numéro : il ne peut rien faire pour vous."
    ),
    "wrong_demarche": N_("Ce créneau est pour une autre démarche que votre rendez-vous."),
    "already_waiting": N_("Vous êtes déjà en liste d'attente pour cette démarche."),
    "waitlist_entry_not_found": N_("Aucune inscription en liste d'attente ne correspond."),
    "offer_not_found": N_("Aucune proposition de créneau ne correspond."),
    "offer_expired": N_(
        "Cette proposition a expiré ; le créneau a été proposé à la personne suivante."
    ),
    "offer_closed": N_("Vous avez déjà répondu à cette proposition."),
    "numero_released": N_(
        "Ce numéro étranger appartient à une autre personne, qui a montré son titre de séjour : "
        "ce téléphone ne peut plus réserver avec lui."
    ),
    "nothing_to_release": N_(
        "Aucun rendez-vous à venir n'a été pris avec ce numéro étranger depuis un autre "
        "téléphone : il n'y a rien à libérer."
    ),
    "invalid_attendance": N_("Seul un rendez-vous réservé peut être marqué honoré ou non honoré."),
    "unauthorized": N_(
        "Jeton d'accès absent ou invalide : cette opération demande un appelant authentifié."
    ),
    "forbidden": N_("Ce jeton d'accès ne permet pas cette opération (il faut : {scope})."),
    "rate_limited": N_("Trop de demandes. Réessayez dans {seconds} secondes."),
    "body_too_large": N_("La demande est trop volumineuse (au plus {limit} octets)."),
    "not_found": N_("Adresse inconnue."),
}

# What `guichet verify CODE` prints at the counter.
VERIFY_VALID = N_("VALIDE : {code} — {demarche}, {site}, le {when} (heure de Paris).")
VERIFY_INVALID = N_("INVALIDE : {code} ({reason}).")
VERIFY_CURRENT = N_("Créneau actuel : {code} — {demarche}, {site}, le {when} (heure de Paris).")
VERIFY_SIGNED = N_("Signature de la préfecture vérifiée.")
# Why a convocation is refused at the counter (`guichet verify`, the /verify page).
VERIFY_REASONS: dict[str, str] = {
    "invalid_code": N_("Ce n'est pas un code de convocation : vérifiez les 8 caractères."),
    "booking_not_found": N_("Aucun rendez-vous ne correspond à ce code."),
    "cancelled": N_("Ce rendez-vous a été annulé."),
    "honoured": N_("Ce rendez-vous a déjà eu lieu."),
    "no_show": N_("Ce rendez-vous est passé : la personne n'est pas venue."),
    "slot_over": N_("L'heure de ce rendez-vous est passée."),
    "invalid_signature": N_(
        "Ce code QR n'a pas été signé par la préfecture, ou il a été modifié : refusé."
    ),
    "convocation_changed": N_(
        "Cette convocation imprimée n'est plus à jour : le rendez-vous a été déplacé. "
        "Le créneau actuel est indiqué."
    ),
}

# The HTTP status of each refusal; anything not listed is a 409 (a conflict with the state).
HTTP_STATUS: dict[str, int] = {
    "invalid_request": 422,
    "invalid_phone": 422,
    "invalid_numero_etranger": 422,
    "numero_etranger_required": 422,
    "invalid_code": 422,
    "invalid_dates": 422,
    "unknown_demarche": 404,
    "unknown_site": 404,
    "site_not_found": 404,
    "slot_not_found": 404,
    "booking_not_found": 404,
    "waitlist_entry_not_found": 404,
    "offer_not_found": 404,
    "nothing_to_release": 404,
    "not_found": 404,
    "not_your_booking": 403,
    "no_consent": 403,
    "unauthorized": 401,
    "forbidden": 403,
    "rate_limited": 429,
    "body_too_large": 413,
    "demarche_not_offered": 422,
    "slot_in_past": 422,
    "slot_beyond_horizon": 422,
    "offer_expired": 410,
}
