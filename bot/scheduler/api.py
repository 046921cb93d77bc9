"""Deadline alerts over HTTP, for the action server (which never touches the database):
POST /api/deadline-alerts to agree to the alerts, POST /api/deadline-alerts/cancel to stop them.
Refusals use the booking API's envelope `{"error": {"code", "message"}}`."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlalchemy import update

from bot.booking.api.deps import (
    API_PREFIX,
    VERSIONED_PREFIX,
    TransactionalRoute,
    UnitDep,
    WriterDep,
    for_phone,
    identify,
)
from bot.booking.schemas import AlertOut, Day, DemarcheCode, Phone, StopOut, Strict
from bot.deadlines import NoDeadline, assess
from bot.i18n import normalise_language, translate
from bot.scheduler import messages
from bot.scheduler.models import DeadlineSubscription
from bot.scheduler.planning import subscribe_deadline
from bot.timezone import PARIS

# Commits in the endpoint's thread, like the booking API's routes (see bot/booking/api/deps.py): a
# commit left to the dependency's teardown can wait for a worker while holding row locks.
router = APIRouter(
    tags=["deadline alerts"], route_class=TransactionalRoute, dependencies=[Depends(identify)]
)


class AlertIn(Strict):
    phone: str = Phone
    demarche: str = DemarcheCode
    expiry: Day
    language: str | None = Field(default=None, max_length=8)


class StopIn(Strict):
    phone: str = Phone
    demarche: str = DemarcheCode


@router.post("/deadline-alerts", response_model=AlertOut, status_code=201)
def agree(
    request: Request, body: AlertIn, u: UnitDep, _caller: WriterDep
) -> AlertOut | JSONResponse:
    """The person gave their title's expiry date and agreed to two SMS: when the filing window
    opens, and two weeks before it closes."""
    phone = for_phone(request, body.phone)
    lang = normalise_language(body.language)
    try:
        row = subscribe_deadline(
            u.session, phone, body.demarche, body.expiry, language=lang, now=u.now
        )
    except (NoDeadline, KeyError):
        return JSONResponse(
            status_code=422,
            content={
                "error": {
                    "code": "no_filing_window",
                    "message": translate(messages.NO_FILING_WINDOW, lang),
                }
            },
        )
    rule = assess(body.expiry, body.demarche, u.now.astimezone(PARIS).date())
    return AlertOut(
        id=row.id,
        demarche=row.demarche_code,
        expiry=row.expiry,
        window_opens=rule.window_opens,
        window_closes=rule.window_closes,
        closing_alert_on=rule.closing_alert_on,
    )


@router.post("/deadline-alerts/cancel", response_model=StopOut)
def stop(request: Request, body: StopIn, u: UnitDep, _caller: WriterDep) -> StopOut:
    cancelled = u.session.execute(
        update(DeadlineSubscription)
        .where(
            DeadlineSubscription.phone == for_phone(request, body.phone),
            DeadlineSubscription.demarche_code == body.demarche,
            DeadlineSubscription.cancelled_at.is_(None),
        )
        .values(cancelled_at=u.now)
    ).rowcount  # type: ignore[attr-defined]
    return StopOut(cancelled=int(cancelled or 0))


def install(app: FastAPI) -> None:
    app.include_router(router, prefix=VERSIONED_PREFIX)
    app.include_router(router, prefix=API_PREFIX, include_in_schema=False)
