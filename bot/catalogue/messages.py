"""The sentences of routing and deadlines (French source, translated through locales/).

Facts of the catalogue (names, documents, places) are translated in the YAML itself; these are
the conversational sentences around them, so they go through gettext like every other sentence.
"""

from __future__ import annotations

from bot.i18n import N_

# Keyed by the question ids of data/catalogue/routing.yml.
QUESTIONS: dict[str, str] = {
    "subject": N_("Votre demande concerne :"),
    "road": N_("Pour quoi exactement ?"),
    "procedure": N_("Que voulez-vous faire pour votre titre de séjour ?"),
    "pickup_or_lost": N_("Votre titre est prêt à retirer, ou il est perdu ou volé ?"),
    "title": N_("Quel titre de séjour avez-vous, ou demandez-vous ?"),
    "other_title": N_("Lequel de ces titres ?"),
}

# Keyed by the option labels of data/catalogue/routing.yml. Short: they become buttons or
# numbered SMS lines.
OPTION_LABELS: dict[str, str] = {
    "residence": N_("Un titre de séjour"),
    "nationality": N_("Devenir français"),
    "road": N_("Permis ou carte grise"),
    "vehicle": N_("Carte grise d'un véhicule"),
    "driving_licence": N_("Visite médicale du permis"),
    "renewal": N_("Le renouveler"),
    "first": N_("Première demande"),
    "pickup_or_lost": N_("Le retirer, ou perdu/volé"),
    "pickup": N_("Retirer mon titre (SMS reçu)"),
    "lost": N_("Titre perdu ou volé"),
    "carte_resident": N_("Carte de résident (10 ans)"),
    "conjoint_francais": N_("Conjoint de Français"),
    "other_title": N_("Un autre titre"),
    "none": N_("Aucun titre, jamais eu"),
    "etudiant": N_("Étudiant"),
    "talent": N_("Passeport talent"),
    "recepisse": N_("Récépissé"),
    "vpf": N_("Vie privée et familiale"),
}

# The next step once a démarche is known.
NEXT_STEPS: dict[str, str] = {
    "book": N_(
        "Cette démarche se fait sur rendez-vous à la {site}. Je peux prendre le rendez-vous avec vous ici."
    ),
    "book_request": N_(
        "À la {site}, vous faites une demande et la préfecture vous attribue un créneau. Je peux faire la demande avec vous ici."
    ),
    "book_elsewhere": N_(
        "Cette démarche se fait sur rendez-vous à la préfecture, mais pas ici à la {site}. Regardez le site {website}."
    ),
    "book_ask_site": N_(
        "Cette démarche se fait sur rendez-vous à la préfecture. Dans quel département habitez-vous ?"
    ),
    "online": N_(
        "Cette démarche ne se fait pas à la préfecture : elle se fait en ligne sur {service} ({url})."
    ),
    # data/catalogue/demarches.yml `fee`: the amount and what it pays, or on what it depends.
    "fee": N_("La démarche coûte {amount} € : {pays}."),
    "fee_varies": N_("La démarche est payante : {pays}. Le montant varie {varies}."),
    "walk_in": N_("Venez sans rendez-vous : {place}. Horaires : {hours}."),
    "walk_in_generic": N_(
        "Venez à l'accueil de la préfecture aux horaires donnés dans le SMS ou sur le site de la préfecture."
    ),
    "campus_desk": N_("Pour les étudiants : {place}. Horaires : {hours}."),
    "email": N_("{place} : {email}"),
    "pan": N_("Besoin d'aide pour la démarche en ligne ? {pan} : {place}. Horaires : {hours}."),
}

NOT_COVERED: str = N_(
    "Je ne connais pas encore cette démarche. Un médiateur du Point d'Accueil Numérique de la préfecture peut vous aider."
)

# Keyed by DeadlineStatus values.
DEADLINE_STATUS: dict[str, str] = {
    "early": N_("C'est encore trop tôt : vous pourrez déposer votre demande à partir du {opens}."),
    "on_time": N_("C'est le bon moment : déposez votre demande au plus tard le {closes}."),
    "late": N_(
        "Le délai de dépôt est passé depuis le {closes}. Déposez votre demande tout de suite : votre titre expire le {expiry}."
    ),
    "expired": N_("Votre titre a expiré le {expiry}. Déposez votre demande tout de suite."),
}

# Keyed by `kept_rights` of data/catalogue/deadlines.yml.
KEPT_RIGHTS: dict[str, str] = {
    "no_extra_time": N_(
        "Après la fin de votre titre, il n'y a pas de délai en plus : seul un récépissé protège vos droits (travail, aides)."
    ),
    "three_months_with_proof": N_(
        "Avec une preuve de votre demande, vous gardez vos droits 3 mois après la fin de votre carte, jusqu'au {rights_end}."
    ),
}
