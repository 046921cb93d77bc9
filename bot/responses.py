"""The response registry: what each Rasa response (`utter_*`) says, in French, with its buttons.

Rasa decides *which* response to send; `render` decides *how* it reads in the conversation's
language (gettext, `bot.i18n`), with the slots and arguments filled in and dates, times and
numbers written by `bot.formatting`. The NLG endpoint (`bot.gateway.nlg`) and the gateway (the
"service unavailable" apology when Rasa is down) both go through `render`; sentences sent
without Rasa (scheduler reminders, offers) go through `render_text`, the same path.

Adding a response: one entry in RESPONSES, French text in `N_()`, then `make i18n` and translate
the new entries in locales/en and locales/ar (tests/i18n fails until they are translated).
Writing rules: short sentences (an SMS answer fits in 2 segments), vouvoiement, no jargon
without its explanation, placeholders in `{name}` form, identical in every language.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.formatting import (
    Channel,
    format_date,
    format_number,
    format_time,
    format_when,
    isolate_ltr,
    rtl_paragraphs,
)
from bot.i18n import N_, gettext, normalise_language, safe_format
from bot.language_menu import LANGUAGE_PAGE, language_menu

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Button:
    """A choice offered with a message: a numbered line on SMS, a key on Telegram.

    `title` is a French msgid, unless `verbatim` (a language's own name, a code) where it is
    shown as written in every language.
    """

    title: str
    payload: str
    verbatim: bool = False


ButtonSpec = Button | tuple[str, str]


@dataclass(frozen=True)
class Response:
    text: str
    buttons: tuple[Button, ...] = ()

    # The language menu instead of fixed buttons: built for the conversation's language when
    # rendered (bot.language_menu), so a person sees their own language first.
    language_menu: bool = False

    def __init__(
        self, text: str, buttons: Sequence[ButtonSpec] = (), *, language_menu: bool = False
    ) -> None:
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "language_menu", language_menu)
        object.__setattr__(
            self,
            "buttons",
            tuple(
                b if isinstance(b, Button) else Button(title=b[0], payload=b[1]) for b in buttons
            ),
        )


def language_buttons(
    detected: str | None = None, prior: str | None = None, *, page: int = 1
) -> tuple[Button, ...]:
    """The language menu (bot.language_menu) as buttons: names shown as written everywhere."""
    return tuple(
        Button(title=e.title, payload=e.payload, verbatim=True)
        for e in language_menu(detected, prior, page=page)
    )


_MAIN_MENU: tuple[ButtonSpec, ...] = (
    (N_("Prendre rendez-vous"), "/book_appointment"),
    (N_("Documents à apporter"), "/ask_documents"),
    (N_("Mon rendez-vous"), "/my_appointment"),
    (N_("Annuler un rendez-vous"), "/cancel_appointment"),
    (N_("Aide"), "/help"),
)

# Values every response may use; kept out of the sentences so a number is never retyped by a
# translator, and so Arabic gets it isolated like any other left-to-right run.
COMMON_PARAMS: dict[str, object] = {
    # Source: seeds/002_15568d8a3b154eb0.txt ("par téléphone au 09 69 39 00 00").
    "defenseur_phone": "09 69 39 00 00",
}

# Said when the name Rasa asks for is not in the registry (a bug on our side, logged as error).
MISSING_RESPONSE = "utter_internal_error"

RESPONSES: dict[str, Response] = {
    "utter_greet": Response(
        # The language menu starts with the conversation's language; a French greeting (nothing
        # recognised) also offers «عربي» in Arabic script, which makes the SMS UCS-2: greeting
        # and menu fit its 70 characters in every language (tests/channels/test_segments_budget.py).
        N_("Bonjour ! RDV en préfecture."),
        language_menu=True,
    ),
    "utter_ask_language": Response(N_("Choisissez votre langue :"), language_menu=True),
    # The next question comes with the acknowledgement: a person who just chose must not be
    # left waiting for a question that never comes.
    "utter_language_changed": Response(
        N_("D'accord, je vous écris en français. Quelle démarche ? Dites-la en quelques mots.")
    ),
    # A language asked for by name in the middle of something ("vous parlez anglais ?"): said in
    # that language, then the question under way is asked again (actions/conversation.py).
    "utter_language_switched": Response(N_("D'accord, je vous écris en français.")),
    "utter_still_here": Response(N_("Oui, je suis là.")),
    # "jai pa dordi" (no computer) before any démarche: the whole point of the service.
    "utter_no_computer_needed": Response(
        N_(
            "Pas besoin d'ordinateur : je vous aide ici, par SMS. Quelle démarche ? Dites-la "
            "en quelques mots."
        )
    ),
    "utter_menu": Response(N_("Que voulez-vous faire ?"), _MAIN_MENU),
    # Facts from seeds/002_15568d8a3b154eb0.txt: PAN with mediators in préfectures, the
    # Défenseur des droits phone line, booking is free and paid sites are scams.
    "utter_help": Response(
        N_(
            "Besoin d'aide ? Dans un Point d'Accueil Numérique (PAN), à la préfecture, un "
            "médiateur vous aide gratuitement. Si vos droits sont bloqués : Défenseur des "
            "droits, {defenseur_phone}. Le rendez-vous est toujours gratuit : ne payez jamais "
            "un site."
        )
    ),
    # Two-stage fallback (Rasa's action_two_stage_fallback): first ask to rephrase, then offer a way out.
    "utter_ask_rephrase": Response(
        N_("Je n'ai pas compris. Pouvez-vous le dire autrement, en quelques mots ?")
    ),
    # An answer to a numbered question that says nothing readable ("?", "je sais pas").
    "utter_choice_not_understood": Response(
        N_("Je n'ai pas compris. Répondez par un numéro, ou AIDE pour savoir qui peut vous aider.")
    ),
    "utter_default": Response(
        N_(
            "Je n'ai toujours pas compris. Envoyez 0 pour voir le menu, ou AIDE pour savoir "
            "qui peut vous aider."
        )
    ),
    # Instead of a second "not understood" or help text in a row (actions/common.still_stuck):
    # a person who helps, the menu, another language. No buttons: the form's question follows.
    "utter_stuck": Response(
        N_(
            "Je vous explique mal, désolé. Un médiateur du Point d'Accueil Numérique (PAN) de la "
            "préfecture peut vous aider gratuitement. Envoyez 0 pour le menu, ou le nom de votre "
            "langue pour en changer."
        )
    ),
    "utter_goodbye": Response(N_("Au revoir. Vous pouvez nous écrire à tout moment.")),
    "utter_you_are_welcome": Response(N_("Avec plaisir.")),
    "utter_out_of_scope": Response(
        N_(
            "Je peux seulement vous aider pour vos rendez-vous et vos démarches à la "
            "préfecture. Envoyez 0 pour voir le menu."
        )
    ),
    "utter_insult": Response(N_("Je suis là pour vous aider. Restons polis, s'il vous plaît.")),
    "utter_service_unavailable": Response(
        N_(
            "Désolé, le service est momentanément indisponible. Votre message est gardé : "
            "nous vous répondrons dès que possible."
        )
    ),
    # --- the conversation (domain/, actions/): dispatched by custom actions -------------------
    # Routing: the sentences of bot.routing arrive already written in the person's language.
    "utter_ask_demarche": Response(
        N_(
            "Quelle est votre démarche ? Dites-le en quelques mots (ex. : renouveler ma carte de résident)."
        )
    ),
    "utter_route_question": Response("{question}"),
    "utter_route": Response("{route_text}"),
    "utter_demarche_found": Response(N_("Votre démarche : {demarche_name}.")),
    # "Combien ça coûte ?" in the middle of the form: the catalogue's fee (`fee_text`), or that
    # the sources give none; only the appointment itself is always free.
    "utter_fee": Response(N_("{fee_text} Le rendez-vous, lui, est gratuit.")),
    "utter_fee_unknown": Response(
        N_(
            "Mes sources officielles ne donnent pas le prix de cette démarche : demandez-le au guichet. Le rendez-vous, lui, est gratuit."
        )
    ),
    "utter_demarche_elsewhere": Response(N_("{demarche_name} : {route_text}")),
    # Documents, paged for SMS.
    "utter_documents_page": Response(N_("Documents à apporter ({page}/{pages}) :\n{items}")),
    "utter_documents_more": Response(
        N_("Envoyez SUITE pour la suite."),
        ((N_("Suite"), "/more"), (N_("J'ai déjà tout"), "/have_documents")),
    ),
    # Seed 000: come with every document listed; seed 003: incomplete files are turned away.
    "utter_ask_documents_confirmed": Response(
        N_("Avez-vous tous ces documents (originaux et copies) ?"),
        ((N_("Oui, j'ai tout"), "/affirm"), (N_("Pas encore"), "/missing_documents")),
    ),
    "utter_documents_last_page": Response(
        N_("C'est toute la liste. Écrivez RDV quand vous avez tout."),
        ((N_("Prendre rendez-vous"), "/book_appointment"),),
    ),
    "utter_documents_missing": Response(
        N_(
            "D'accord. Rassemblez d'abord :\n{items}\nUn dossier incomplet est refusé au guichet. "
            "Écrivez RDV quand vous avez tout."
        )
    ),
    # --- documents the person lacks (issue 10, item 6): named, how to get, book anyway -----
    # How to get each document is catalogue data (documents.yml `how_to_get`, with sources).
    "utter_document_how_to_get": Response("{document} : {how}"),
    "utter_documents_book_anyway": Response(
        N_(
            "Vous pouvez quand même réserver. Apportez-le le jour du rendez-vous ({documents}) : "
            "je vous le rappellerai."
        )
    ),
    "utter_documents_book_anyway_menu": Response(
        N_(
            "Vous pouvez déjà prendre rendez-vous et l'apporter le jour même ({documents}). "
            "Écrivez RDV pour réserver."
        ),
        ((N_("Prendre rendez-vous"), "/book_appointment"),),
    ),
    "utter_documents_gather_first": Response(
        N_(
            "Réservez quand vous l'aurez : un dossier incomplet est refusé au guichet. "
            "Écrivez RDV à ce moment-là."
        )
    ),
    "utter_bring_reminder": Response(
        N_("N'oubliez pas d'apporter : {documents}. Le rappel 48 h avant le redira.")
    ),
    # Deadlines (bot.deadlines writes the assessment in the person's language).
    "utter_deadline": Response("{deadline_text}"),
    "utter_expiry_noted": Response(N_("C'est noté : votre titre expire le {expiry}.")),
    "utter_expiry_not_understood": Response(
        N_("Je n'ai pas compris la date. Écrivez-la comme sur votre titre, par exemple 15/03/2026.")
    ),
    "utter_offer_alert_opening": Response(
        N_(
            "Envoyez RAPPEL et nous vous écrirons par SMS le {opens}, quand vous pourrez déposer votre demande."
        )
    ),
    "utter_offer_alert_closing": Response(
        N_("Envoyez RAPPEL pour un SMS le {alert_on}, avant la date limite du {closes}.")
    ),
    "utter_alerts_on": Response(
        N_(
            "C'est noté : un SMS le {opens}, quand vous pourrez déposer votre demande, puis un rappel le {alert_on}, avant la date limite du {closes}."
        )
    ),
    "utter_alert_closing_on": Response(
        N_("C'est noté : un rappel par SMS le {alert_on}, avant la date limite du {closes}.")
    ),
    "utter_alert_needs_expiry": Response(
        N_(
            "Pour vous prévenir, il me faut votre démarche et la date de fin de votre titre, par exemple : ma carte de résident expire le 15/03/2027."
        )
    ),
    "utter_alert_needs_phone": Response(
        N_(
            "Les rappels partent par SMS : écrivez-nous depuis votre téléphone portable, puis envoyez RAPPEL."
        )
    ),
    # Booking form.
    "utter_ask_site": Response(
        N_(
            "Dans quel département habitez-vous ? Écrivez son numéro, votre code postal ou votre ville."
        )
    ),
    "utter_site_not_found": Response(
        N_(
            "Je ne trouve pas de préfecture pour « {query} ». Écrivez le numéro du département (ex. : 38)."
        )
    ),
    # A sentence or a question with no place in it ("c'est quoi un département ?"): what to
    # write, rather than "no préfecture for « c'est quoi un département ? »".
    "utter_site_explain": Response(
        N_(
            "Le département, ce sont les 2 premiers chiffres de votre code postal (38000 : département 38). Écrivez-le, ou le nom de votre ville."
        )
    ),
    # The place is understood but Guichet books for none of its préfectures yet: saying "not
    # found" would send the person round in circles repeating a town we did read.
    "utter_site_not_served": Response(
        N_(
            "Je ne prends pas encore les rendez-vous de la préfecture de {city} ({code}). Prenez rendez-vous sur le site de cette préfecture, ou écrivez un autre département."
        )
    ),
    # A town name shared by several départements, one of them served ("Saint-Denis": 93, 974).
    "utter_site_among_several": Response(
        N_(
            "Je prends la {site_name} ({code}). Vous êtes ailleurs ({others}) ? Écrivez votre code postal."
        )
    ),
    "utter_site_noted": Response(N_("Je note la {site_name} ({code}).")),
    "utter_site_no_such_demarche": Response(
        N_(
            "La {site_name} ne prend pas cette démarche sur rendez-vous ici. Essayez un autre département."
        )
    ),
    "utter_ask_date_text": Response(
        N_(
            "Quel jour vous arrange ? Par exemple : mardi après-midi, la semaine prochaine, le 12 mars."
        )
    ),
    "utter_date_not_understood": Response(
        N_("Je n'ai pas compris le jour. Essayez : demain, lundi matin, la semaine prochaine.")
    ),
    "utter_ask_chosen_slot": Response(
        # One SMS segment with three dates: the numbered lines ask for the number themselves.
        N_("Créneaux libres à la {site_name} :")
    ),
    # The chosen slot was taken between the offer and the "oui": the next ones follow, numbered.
    "utter_slot_taken": Response(N_("Désolé, quelqu'un vient de prendre ce créneau.")),
    "utter_slot_choice_invalid": Response(
        N_("Répondez par le numéro d'un créneau (1 à {count}), ou donnez un autre jour.")
    ),
    # Asked where the channel proves no phone (Telegram): the contact its owner shares is the
    # proof; a number typed is refused (utter_phone_share_contact).
    "utter_ask_phone": Response(
        N_(
            "Pour recevoir la convocation par SMS, appuyez sur « Partager mon numéro » en bas de l'écran."
        )
    ),
    # A date said at another step of the form (the département, the documents): the day is
    # asked right after; the form's question follows.
    "utter_day_asked_later": Response(N_("Le jour, je vous le demande juste après.")),
    "utter_phone_share_contact": Response(
        N_(
            "Pour protéger vos rendez-vous, je ne prends pas un numéro écrit : n'importe qui peut écrire celui d'un autre. Appuyez sur « Partager mon numéro » en bas de l'écran."
        )
    ),
    "utter_phone_invalid": Response(
        N_("Ce numéro de téléphone n'est pas valide. Exemple : 06 12 34 56 78.")
    ),
    # Seed 004: a valid foreign-national number is checked at booking.
    "utter_ask_numero_etranger": Response(
        N_(
            "Quel est votre numéro étranger ? Ce sont les 10 chiffres écrits sur votre titre de séjour."
        )
    ),
    "utter_numero_etranger_invalid": Response(
        N_("Le numéro étranger compte exactement 10 chiffres. Vérifiez sur votre titre de séjour.")
    ),
    # The person's own phone number typed at the numéro question (both have 10 digits in
    # France): kept, it would have booked under a numéro that is no one's (session 28, as a phone).
    "utter_numero_etranger_is_phone": Response(
        N_("C'est votre numéro de téléphone, pas votre numéro étranger.")
    ),
    # Another numéro étranger said at the confirmation (« non je me suis trompé c'est … »):
    # taken, its last digits said (the rest never written back), the confirmation again.
    "utter_numero_etranger_noted": Response(N_("Je note le numéro étranger {numero}.")),
    # No digit at all at the numéro question: "je l'ai pas sur moi", a card stolen with it.
    "utter_numero_etranger_missing": Response(
        N_(
            "Il me faut votre numéro étranger (10 chiffres, sur votre titre de séjour). Pas sous "
            "la main ? Envoyez-le plus tard, ou demandez à un médiateur PAN de la préfecture."
        )
    ),
    "utter_ask_booking_confirmed": Response(
        N_("Je réserve : {demarche_name}, {when}, {site_name}. D'accord ?"),
        ((N_("Oui, je réserve"), "/affirm"), (N_("Non"), "/deny")),
    ),
    # A question at the confirmation, answered before it is asked again (never a booking).
    "utter_documents_to_bring": Response(N_("À apporter : {documents}.")),
    "utter_site_address": Response(N_("Le rendez-vous est à la {site_name}, {address}.")),
    # "C'est où ?" at the documents page, before the département is asked.
    "utter_place_after_site": Response(
        N_("Le lieu dépend de votre département : je vous le demande juste après.")
    ),
    # "C'est où la préfecture ?" or "j'habite à Grenoble" outside the form, once the démarche
    # is known (after "too early, come back in January"): its site there, or which place.
    "utter_site_of_demarche": Response(
        N_("Pour cette démarche, c'est à la {site_name}, {address}.")
    ),
    "utter_ask_site_for_address": Response(
        N_(
            "L'adresse dépend de votre département. Écrivez son numéro, votre code postal ou votre ville."
        )
    ),
    # "C koi anef ?", "je sais pas utiliser internet" after an online door (seed 002: PAN).
    "utter_online_help_ask_town": Response(
        N_(
            "Un médiateur d'un Point d'Accueil Numérique (PAN) fait la démarche en ligne avec vous, gratuitement. Écrivez votre ville : je vous donne le plus proche."
        )
    ),
    # "Pourquoi si tôt ?" after the deadline: the window (deadlines.yml, seed 002), in dates.
    "utter_filing_window": Response(
        N_(
            "La demande se dépose dans une période fixée avant la fin du titre : pour vous, du {opens} au {closes}."
        )
    ),
    # "What do I bring?", "how much?" asked at the routing question, before the démarche.
    "utter_aside_after_demarche": Response(
        N_("Cela dépend de votre démarche : répondez d'abord à cette question.")
    ),
    # "Et pour les photos ?": the catalogue's explanation of a document of the list.
    "utter_document_explained": Response("{document} : {explanation}"),
    "utter_document_not_listed": Response(
        N_(
            "{document} : ce document n'est pas dans la liste de cette démarche. En cas de doute, "
            "demandez au guichet."
        )
    ),
    "utter_ask_at_the_counter": Response(
        N_("Je ne peux pas répondre à cela par message : l'agent au guichet pourra le faire.")
    ),
    "utter_ask_reschedule_confirmed": Response(
        N_("Je déplace votre rendez-vous {code} au {when}, {site_name}. C'est d'accord ?"),
        ((N_("Oui, je déplace"), "/affirm"), (N_("Non"), "/deny")),
    ),
    # Seed 000: come on time with every document; seed 004: one booking per person, QR/code.
    "utter_convocation": Response(
        N_(
            "Rendez-vous confirmé. Code : {code}. {when}, {site_name}, {address}. Venez à l'heure "
            "avec tous vos documents. Gardez ce code : il prouve votre rendez-vous."
        )
    ),
    "utter_rescheduled": Response(
        N_(
            "Rendez-vous déplacé. Code : {code} (inchangé). Nouveau créneau : {when}, {site_name}, {address}."
        )
    ),
    "utter_booking_aborted": Response(N_("D'accord, je ne réserve rien. Envoyez 0 pour le menu.")),
    # The asked day has none but others have: the nearest ones follow (utter_ask_chosen_slot),
    # with the days the démarche opens, before any waitlist.
    "utter_no_slot_that_day": Response(
        N_(
            "Rien ce jour-là. Jours de réception : {opening_days}. Voici les plus proches ; "
            "aucun ne vous va ? Répondez NON."
        )
    ),
    # Seed 002: the référé "mesures utiles" needs dated proof that no slot was available.
    "utter_no_slot": Response(
        N_(
            "Aucun créneau libre. Votre recherche du {checked_at} est gardée : PREUVE donne vos "
            "recherches datées. Liste d'attente du {window_start} au {window_end} ?"
        ),
        ((N_("Oui, liste d'attente"), "/affirm"), (N_("Non"), "/deny")),
    ),
    # The nearest slots offered for a day without any, and refused: there were free slots, so
    # no "Aucun créneau libre" (session 29, as a phone); another day is read at this offer.
    "utter_slots_refused": Response(
        N_(
            "Aucun ne vous va : écrivez un autre jour, ou liste d'attente du {window_start} au "
            "{window_end} ? Votre recherche du {checked_at} est gardée : PREUVE donne vos "
            "recherches datées."
        ),
        ((N_("Oui, liste d'attente"), "/affirm"), (N_("Non"), "/deny")),
    ),
    # Slots found on the days asked, and refused: that search proves no lack of slots, and
    # PREUVE (searches without a slot) answered « aucune recherche » (session 30, as a phone).
    "utter_slots_refused_found": Response(
        N_(
            "Aucun ne vous va : écrivez un autre jour, ou liste d'attente du {window_start} au "
            "{window_end} ?"
        ),
        ((N_("Oui, liste d'attente"), "/affirm"), (N_("Non"), "/deny")),
    ),
    "utter_move_no_slot": Response(
        N_(
            "Aucun créneau libre pour déplacer votre rendez-vous : il reste inchangé. Pour un "
            "autre jour, écrivez par exemple « déplacer mon rendez-vous jeudi »."
        )
    ),
    "utter_waitlist_joined": Response(
        N_(
            "Inscrit en liste d'attente du {window_start} au {window_end}. Nous vous écrirons "
            "dès qu'un créneau se libère."
        )
    ),
    # "Which days?": the weekly days the démarche opens at the site, then the next free slots.
    "utter_opening_days": Response(
        N_("Jours de réception : {opening_days}. Prochains créneaux libres :\n{items}")
    ),
    "utter_opening_days_none_free": Response(
        N_(
            "Jours de réception : {opening_days}. Aucun créneau libre pour l'instant : écrivez "
            "RDV pour la liste d'attente."
        )
    ),
    "utter_opening_days_needs_details": Response(
        N_(
            "Les jours dépendent de la démarche et de la préfecture : dites-moi d'abord ce que "
            "vous devez faire et votre département."
        )
    ),
    "utter_waitlist_needs_booking_details": Response(
        N_(
            "Pour la liste d'attente, dites-moi d'abord votre démarche et votre département : écrivez RDV."
        )
    ),
    "utter_booking_refused": Response("{reason}"),
    "utter_booking_service_down": Response(
        N_(
            "Désolé, le service des rendez-vous ne répond pas. Rien n'est perdu : répondez OUI "
            "pour réessayer."
        ),
        ((N_("Réessayer"), "/affirm"),),
    ),
    # Cancel, move, my appointment, my proof.
    "utter_confirm_cancel": Response(
        N_("Annuler le rendez-vous {code} du {when}, {site_name} ?"),
        ((N_("Oui, annuler"), "/affirm"), (N_("Non, le garder"), "/deny")),
    ),
    "utter_cancelled": Response(
        N_("Rendez-vous {code} du {when} annulé. La place est proposée à une autre personne.")
    ),
    "utter_reschedule_intro": Response(
        N_(
            "Votre rendez-vous {code} : {when}, {site_name}. Il reste réservé tant que vous n'avez pas confirmé le nouveau."
        )
    ),
    "utter_kept": Response(N_("D'accord, rien n'est changé. Envoyez 0 pour le menu.")),
    "utter_no_booking_found": Response(
        N_(
            # Only the phone's own bookings are found: the code it asked for found nothing more
            # (a booking made on the préfecture's site or from another phone is not here).
            "Je ne vois que les rendez-vous pris avec ce numéro par cet assistant : aucun n'est actif. Pour en prendre un, écrivez votre démarche, ou AIDE pour savoir qui peut vous aider."
        )
    ),
    "utter_my_appointment": Response(
        N_("Votre rendez-vous : {demarche_name}, {when}, {site_name}, {address}. Code : {code}.")
    ),
    "utter_my_proof": Response(
        N_("Vos recherches datées ({count}, dont {without_slot} sans créneau) :\n{items}")
    ),
    "utter_no_proof": Response(N_("Aucune recherche de créneau enregistrée pour ce numéro.")),
    MISSING_RESPONSE: Response(
        N_("Désolé, je ne peux pas répondre pour le moment. Envoyez 0 pour voir le menu.")
    ),
}


def format_param(value: object, lang: str, channel: Channel = "chat") -> object:
    """One parameter as the sentence shows it: dates and numbers by babel, Latin runs isolated."""
    if isinstance(value, dt.datetime):
        return format_when(value, lang)
    if isinstance(value, dt.date):
        return format_date(value, lang)
    if isinstance(value, dt.time):
        return format_time(value, lang)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return format_number(value, lang)
    if isinstance(value, str):
        return isolate_ltr(value, lang, channel)
    return value


def render(
    name: str,
    lang: str | None,
    params: Mapping[str, Any] | None = None,
    *,
    channel: Channel = "chat",
) -> dict[str, Any]:
    """`{"text": ..., "buttons": [{"title", "payload"}]}` for response `name` in `lang`.

    Never raises for content reasons: an unknown name renders MISSING_RESPONSE (error logged),
    a missing parameter renders as `[name]` (warning logged), a missing translation as French.
    `None` values count as missing (an unset Rasa slot).
    """
    lang = normalise_language(lang)
    response = RESPONSES.get(name)
    if response is None:
        log.error("nlg: unknown response %r: sending %s", name, MISSING_RESPONSE)
        response = RESPONSES[MISSING_RESPONSE]
    buttons = (
        language_buttons(lang, page=_menu_page((params or {}).get(LANGUAGE_PAGE)))
        if response.language_menu
        else response.buttons
    )
    return {
        "text": render_text(response.text, lang, params, channel=channel),
        "buttons": [
            {
                "title": button.title
                if button.verbatim
                else render_text(button.title, lang, params, channel=channel),
                "payload": button.payload,
            }
            for button in buttons
        ],
    }


def _menu_page(value: object) -> int:
    """The language menu's page a person asked for ("Autres / Others" → 2…); 1 otherwise."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and text.isascii() and 0 < int(text) < 100 else 1


def render_text(
    msgid: str,
    lang: str | None,
    params: Mapping[str, Any] | None = None,
    *,
    channel: Channel = "chat",
) -> str:
    """One `N_()` sentence in `lang`, filled in like a response: for the texts the gateway and
    the scheduler send without Rasa (reminders, offers), so they read exactly like the rest.

    `params` may hold datetimes, dates and numbers (babel writes them in the language) and
    Latin strings (isolated in Arabic); `None` counts as missing.
    """
    lang = normalise_language(lang)
    values = {
        key: format_param(value, lang, channel)
        for key, value in {**COMMON_PARAMS, **(params or {})}.items()
        if value is not None
    }
    return rtl_paragraphs(safe_format(gettext(msgid, lang), values), lang)
