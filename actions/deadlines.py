"""Deadlines: "my card expires on…" → early, on time, late or expired, the rights kept
(bot.deadlines) and SMS alerts. The date is remembered: it ranks the person on the waitlist."""

from __future__ import annotations

import datetime as dt

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.booking_search import a_day_said, another_day
from actions.common import (
    FORM_DONE,
    GuichetAction,
    client,
    in_form,
    iso,
    language,
    now,
    phone,
    said_last_turn,
    say_refusal,
    say_unavailable,
)
from actions.reading import facts_of, names_a_demarche
from bot.booking.client import BookingRefused, BookingUnavailable
from bot.catalogue import Demarche
from bot.dates import parse_expiry
from bot.deadlines import DeadlineAssessment, DeadlineStatus, NoDeadline, assess
from bot.routing import route
from bot.timezone import PARIS
from bot.understanding import read_question, speaks_of_expiry

# The step "OUI" runs again after an apology when the booking service was down.
ALERTS_STEP = "deadline_alerts"


def assessed_today(expiry: dt.date | str, demarche: str | None) -> DeadlineAssessment | None:
    """Where a title ending on `expiry` stands today for `demarche`; None without a démarche,
    a filing window or a date that reads."""
    if not demarche:
        return None
    try:
        day = expiry if isinstance(expiry, dt.date) else dt.date.fromisoformat(expiry)
        return assess(day, demarche, now().astimezone(PARIS).date())
    except (NoDeadline, KeyError, ValueError):
        return None


def rights_end(expiry: str | None, demarche: str | None) -> str | None:
    """Last day of kept rights for the waitlist priority (the expiry itself when unknown)."""
    if not expiry:
        return None
    assessment = assessed_today(expiry, demarche)
    return assessment.rights_end.isoformat() if assessment else expiry


def waitlist_window(expiry: str | None, demarche: Demarche) -> tuple[dt.date, dt.date]:
    """From today to the rights-end date when the expiry is known, else to the démarche's
    booking horizon: said in the offer, never one silent day, never past the rights end."""
    today = now().astimezone(PARIS).date()
    end = rights_end(expiry, demarche.code)
    last = dt.date.fromisoformat(end) if end else None
    if last is None or last < today:
        horizon = demarche.booking.horizon_days if demarche.booking else 60
        last = today + dt.timedelta(days=horizon)
    return today, last


class ActionCheckExpiry(GuichetAction, action="action_check_expiry"):
    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        lang = language(tracker)
        text = tracker.latest_message.get("text") or ""
        if (day := another_day(tracker)) is not None:
            # « non plutôt le 5 janvier » at the waitlist offer, read as an expiry: it replaced
            # the one given and said the deadline again (session 29, as a phone).
            return day
        if _a_day_said_in_the_form(tracker, text, lang):
            # "в березні" ("in March") when asked the day or the département: a day, not the
            # card's end. Taken for the expiry, it got "too early" and the form stopped (as a
            # phone, session 22). The form runs next (data/rules.yml): asked the day, it takes
            # it; at another step, it asks its question again, the day after.
            if tracker.get_slot("requested_slot") != "date_text":
                dispatcher.utter_message(response="utter_day_asked_later")
            return []
        expiry = parse_expiry(text, lang, now())
        if expiry is None:
            if names_a_demarche(tracker):
                # "Mon titre de séjour a expiré": no date to read, but the démarche to route.
                return [FollowupAction("booking_form")]
            dispatcher.utter_message(response="utter_expiry_not_understood")
            return []
        events: list[EventType] = [SlotSet("expiry_date", expiry.isoformat())]
        demarche = tracker.get_slot("demarche")
        door_said = False
        if not demarche:
            # "My student residence permit expires next month": the sentence names the démarche.
            result = route(facts_of(tracker), tracker.get_slot("site"))
            door_said = result.resolved and result.demarche.booking is None
            if result.resolved:
                demarche = result.demarche.code
                if result.demarche.booking is not None and not in_form(tracker):
                    # Booked at the préfecture: the form names the démarche, then says where
                    # the person stands (the date is in this message) and goes on to book.
                    # Said here first, the deadline came twice and the name never on page one.
                    return [FollowupAction("booking_form")]
                events += [SlotSet(name, value) for name, value in facts_of(tracker).items()]
                if result.demarche.booking is None:
                    # The door with the démarche's name, as the form's end gives it.
                    dispatcher.utter_message(
                        response="utter_demarche_elsewhere",
                        demarche_name=result.demarche.name(lang),
                        route_text=result.render(lang),
                    )
                    events.append(SlotSet("door", demarche))
                else:
                    events.append(SlotSet("demarche", demarche))
        assessment = say_deadline(dispatcher, expiry, demarche, lang)
        if assessment is None:
            dispatcher.utter_message(response="utter_expiry_noted", expiry=expiry.isoformat())
        elif assessment.status is DeadlineStatus.EARLY and in_form(tracker):
            events.append(SlotSet("reschedule_code", FORM_DONE))  # too early: the form stops
        early = assessment is not None and assessment.status is DeadlineStatus.EARLY
        if not early and not door_said and names_a_demarche(tracker):
            # The deadline first, then the démarche the sentence names (or its one question).
            events.append(FollowupAction("booking_form"))
        return events


def _a_day_said_in_the_form(tracker: Tracker, text: str, lang: str) -> bool:
    """A date without words of expiry, said while the form asks something: the classifier's
    "give_expiry" for any date is no reason to read it as a title's end."""
    return (
        in_form(tracker)
        # At the routing question a date alone is taken for the expiry (assessed once the
        # démarche is known: session 21).
        and tracker.get_slot("requested_slot") not in (None, "demarche")
        and not speaks_of_expiry(text, lang)
    )


def say_deadline(
    dispatcher: CollectingDispatcher, expiry: dt.date, demarche: str | None, lang: str
) -> DeadlineAssessment | None:
    """Where the person stands for `demarche` (early, on time, late…), the SMS offer, the rights
    kept; None, with nothing said, when the démarche has no deadline."""
    assessment = assessed_today(expiry, demarche)
    if assessment is None:
        return None
    # Where they stand, then the SMS offer, then the rights kept: on a phone the first SMS
    # page holds the date and the one word to send; the rest may wait behind SUITE.
    status, rights = assessment.sentences(lang)
    dispatcher.utter_message(
        response="utter_deadline", deadline_text=status, status=assessment.status.value
    )
    offer_alerts(dispatcher, assessment)
    dispatcher.utter_message(response="utter_deadline", deadline_text=rights)
    return assessment


def offer_alerts(dispatcher: CollectingDispatcher, assessment: DeadlineAssessment) -> None:
    """Too early, or in time with weeks to go: one word (RAPPEL) and the SMS will remind them.
    A keyword rather than a yes/no: the question often comes in the middle of the booking form."""
    if assessment.status is DeadlineStatus.EARLY:
        dispatcher.utter_message(
            response="utter_offer_alert_opening", opens=assessment.window_opens.isoformat()
        )
    elif (
        assessment.status is DeadlineStatus.ON_TIME
        and assessment.closing_alert_on > assessment.today
    ):
        dispatcher.utter_message(
            response="utter_offer_alert_closing",
            alert_on=assessment.closing_alert_on.isoformat(),
            closes=assessment.window_closes.isoformat(),
        )


def a_day_while_too_early(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """A day asked for after « too early » (« friday morning if possible »): it got « I did
    not understand » (session 30, as a phone). The answer is the day the window opens, and the
    RAPPEL offer unless it was taken. Answered: True."""
    demarche, expiry = tracker.get_slot("demarche"), tracker.get_slot("expiry_date")
    if not demarche or not expiry or in_form(tracker) or not a_day_said(tracker):
        return False
    assessment = assessed_today(expiry, demarche)
    if assessment is None or assessment.status is not DeadlineStatus.EARLY:
        return False
    status, _ = assessment.sentences(language(tracker))
    dispatcher.utter_message(
        response="utter_deadline", deadline_text=status, status=assessment.status.value
    )
    if "utter_alerts_on" not in said_last_turn(tracker, turns=None):
        offer_alerts(dispatcher, assessment)
    return True


_ALERT_OFFERS = frozenset({"utter_offer_alert_opening", "utter_offer_alert_closing"})


def accepts_the_alert_offer(tracker: Tracker) -> bool:
    """A yes, or "vous me prévenez ?", to the RAPPEL offer just made: the offer asks for one
    word, but "d'accord, vous me prévenez ?" got "not understood" (as a phone, session 21)."""
    if not _ALERT_OFFERS & said_last_turn(tracker):
        return False
    if (tracker.latest_message.get("intent") or {}).get("name") == "affirm":
        return True
    text = tracker.latest_message.get("text") or ""
    return read_question(text, language(tracker)) == "remind"


class ActionAgreeDeadlineAlerts(
    GuichetAction, action="action_agree_deadline_alerts", step=ALERTS_STEP
):
    """ "RAPPEL" (REMINDER, تذكير): SMS when the filing window opens, two weeks before it closes."""

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        lang = language(tracker)
        demarche, expiry = tracker.get_slot("demarche"), tracker.get_slot("expiry_date")
        number = phone(tracker)
        if not demarche or not expiry:
            dispatcher.utter_message(response="utter_alert_needs_expiry")
            return []
        if not number:
            dispatcher.utter_message(response="utter_alert_needs_phone")
            return []
        try:
            alert = await client().agree_to_deadline_alerts(
                number, demarche, dt.date.fromisoformat(expiry), language=lang
            )
        except BookingUnavailable as error:
            return [SlotSet("awaiting", say_unavailable(dispatcher, error, tracker, ALERTS_STEP))]
        except BookingRefused as refusal:
            say_refusal(dispatcher, refusal)
            return []
        if alert.window_opens > now().astimezone(PARIS).date():
            dispatcher.utter_message(
                response="utter_alerts_on",
                opens=iso(alert.window_opens),
                alert_on=iso(alert.closing_alert_on),
                closes=iso(alert.window_closes),
            )
        else:
            dispatcher.utter_message(
                response="utter_alert_closing_on",
                alert_on=iso(alert.closing_alert_on),
                closes=iso(alert.window_closes),
            )
        return []
