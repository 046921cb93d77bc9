"""Sentences the gateway says itself, without Rasa (French source, translated in locales/).

The help line cites 002_15568d8a3b154eb0.txt (PAN mediators, Défenseur des droits).
"""

from __future__ import annotations

from bot.i18n import N_

OPTED_OUT = N_(
    "Guichet ne vous enverra plus de message. Envoyez START pour recevoir de nouveau nos messages."
)
OPTED_IN = N_("C'est noté : Guichet peut de nouveau vous écrire. Envoyez MENU pour commencer.")
HELP = N_(
    "Aide : un médiateur du Point d'Accueil Numérique (PAN) de la préfecture peut vous aider. "
    "Défenseur des droits : 09 69 39 00 00. La conversation continue."
)
FLOOD = N_("Vous avez envoyé beaucoup de messages. Nous les gardons et les lirons dans une minute.")
BUSY = N_(
    "L'assistant est momentanément indisponible. Votre message est gardé : "
    "nous vous répondrons dès son retour."
)
# An empty answer from Rasa: the sentence ends, like every dead end, on the menu and the people
# who can help (the PAN mediators and the Défenseur des droits of HELP).
FAILED_TURN = N_(
    "Désolé, votre message n'a pas pu être traité. Il est gardé : nous vous répondrons dès que "
    "possible. Envoyez MENU pour le menu. Aide : PAN de la préfecture, "
    "Défenseur des droits 09 69 39 00 00."
)
DATABASE_DOWN = N_(
    "Le service est momentanément indisponible et votre message n'a pas été enregistré. "
    "Merci de le renvoyer dans quelques minutes."
)
REPLY_WITH_NUMBER = N_("Répondez par un numéro.")
NOT_IN_MENU = N_("Ce numéro n'est pas dans le dernier menu. Répondez par un numéro de 1 à {count}.")
MORE_HINT = N_("Envoyez SUITE pour la suite.")
TEXT_ONLY = N_("Je ne lis que le texte : écrivez votre message, ou envoyez MENU.")
# The caption of the convocation PDF sent in a Telegram chat after a booking or a move.
CONVOCATION_PDF = N_(
    "Votre convocation, à imprimer ou à montrer au guichet sur ce téléphone. Code : {code}."
)
# The button under the phone question on Telegram (KeyboardButton request_contact): Telegram
# then sends the account's own number, which a typed one is not (actions.common.proven_phone).
SHARE_CONTACT = N_("Partager mon numéro")
