"""The one way actions and tests talk to the booking API: async, typed, one client per process.

`httpx.AsyncClient` with a short timeout: a conversation must not hang on the backend, and an
action waiting for the API must not block the action server's other conversations. A refusal
(4xx) raises `BookingRefused(code, message)` — branch on `code`, show `message`; a network
error, a timeout or a 5xx raises `BookingUnavailable` — apologise and keep the request.
Results are the API's own pydantic models (bot/booking/schemas.py).

`shared_client(base_url)` gives the process's client for the running event loop (the action
server's Sanic loop, or a test's `asyncio.run`): its connection pool is reused by every call.
"""

from __future__ import annotations

import asyncio
import weakref
from datetime import date
from functools import cache
from typing import Any, TypeVar

import httpx
from pydantic import TypeAdapter, ValidationError

from bot.booking.schemas import (
    AlertOut,
    BookingOut,
    CheckOut,
    DemarcheOut,
    ExpireOut,
    JoinOut,
    OfferOut,
    PublishOut,
    SearchOut,
    SiteOut,
    StatsOut,
    StopOut,
    VerificationOut,
    WaitlistEntryOut,
)

T = TypeVar("T")


class BookingClientError(Exception):
    pass


class BookingRefused(BookingClientError):
    def __init__(self, code: str, message: str, status: int = 409) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


class BookingUnavailable(BookingClientError):
    pass


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


@cache
def _adapter(shape: Any) -> TypeAdapter[Any]:
    return TypeAdapter(shape)


class BookingClient:
    """`language` on a call is the person's: refusals come back in it (Accept-Language), and
    the calls that remember it (search, book, waitlist, alerts) store it."""

    def __init__(
        self,
        base_url: str,
        timeout: float = 3.0,
        *,
        token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """`base_url` is Settings.api_url (".../api"); the client adds the version. `token` is
        the caller's credential (the stack's service token, an API key): without one only the
        catalogue, searches without a phone and `verify` answer."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/v1",
            timeout=timeout,
            headers=headers,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> BookingClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def _call(
        self, shape: type[T], method: str, path: str, *, language: str | None = None, **kwargs: Any
    ) -> T:
        headers = {"Accept-Language": language} if language else None
        try:
            response = await self._http.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise BookingUnavailable(f"{type(exc).__name__} calling the booking API") from exc
        if response.status_code >= 500:
            raise BookingUnavailable(f"booking API answered {response.status_code}")
        if response.status_code >= 400:
            try:
                error = response.json()["error"]
                code, message = str(error["code"]), str(error["message"])
            except (ValueError, KeyError, TypeError):
                code, message = "http_error", response.text[:200]
            raise BookingRefused(code, message, response.status_code)
        try:
            return _adapter(shape).validate_json(response.content)
        except ValidationError as exc:
            # Another version of the API on the other end: as unusable as no answer at all.
            raise BookingUnavailable(f"unexpected answer from {path}: {exc}") from exc

    # --- catalogue -------------------------------------------------------------------------
    async def demarches(self) -> list[DemarcheOut]:
        return await self._call(list[DemarcheOut], "GET", "/demarches")

    async def sites_for(self, demarche: str) -> list[SiteOut]:
        return await self._call(list[SiteOut], "GET", f"/demarches/{demarche}/sites")

    async def resolve_site(self, query: str, demarche: str | None = None) -> list[SiteOut]:
        params = _without_none({"q": query, "demarche": demarche})
        return await self._call(list[SiteOut], "GET", "/sites/resolve", params=params)

    # --- slots and bookings ----------------------------------------------------------------
    async def search(
        self,
        demarche: str,
        site: str,
        *,
        phone: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        part_of_day: str | None = None,
        limit: int = 10,
        language: str | None = None,
    ) -> SearchOut:
        body = {
            "demarche": demarche,
            "site": site,
            "phone": phone,
            "date_from": _iso(date_from),
            "date_to": _iso(date_to),
            "part_of_day": part_of_day,
            "limit": limit,
            "language": language,
        }
        return await self._call(
            SearchOut, "POST", "/slots/search", language=language, json=_without_none(body)
        )

    async def book(
        self,
        slot_id: int,
        phone: str,
        *,
        numero_etranger: str | None = None,
        language: str | None = None,
        mediator_ref: str | None = None,
        idempotency_key: str | None = None,
        bring: list[str] | None = None,
    ) -> BookingOut:
        body = {
            "slot_id": slot_id,
            "phone": phone,
            "numero_etranger": numero_etranger,
            "language": language,
            "mediator_ref": mediator_ref,
            "idempotency_key": idempotency_key,
            "bring": bring or None,
        }
        return await self._call(
            BookingOut, "POST", "/bookings", language=language, json=_without_none(body)
        )

    async def my_bookings(self, phone: str, *, language: str | None = None) -> list[BookingOut]:
        return await self._call(
            list[BookingOut], "POST", "/bookings/mine", language=language, json={"phone": phone}
        )

    async def verify(self, code: str) -> VerificationOut:
        return await self._call(VerificationOut, "GET", f"/bookings/{code}/verify")

    async def cancel(
        self,
        code: str,
        *,
        phone: str | None = None,
        mediator_ref: str | None = None,
        language: str | None = None,
    ) -> BookingOut:
        body = _without_none({"phone": phone, "mediator_ref": mediator_ref})
        return await self._call(
            BookingOut, "POST", f"/bookings/{code}/cancel", language=language, json=body
        )

    async def reschedule(
        self,
        code: str,
        new_slot_id: int,
        *,
        phone: str | None = None,
        mediator_ref: str | None = None,
        language: str | None = None,
    ) -> BookingOut:
        body = {"new_slot_id": new_slot_id, "phone": phone, "mediator_ref": mediator_ref}
        return await self._call(
            BookingOut,
            "POST",
            f"/bookings/{code}/reschedule",
            language=language,
            json=_without_none(body),
        )

    # --- waitlist ----------------------------------------------------------------------------
    async def join_waitlist(
        self,
        phone: str,
        demarche: str,
        site: str,
        *,
        rights_end: date | None = None,
        not_before: date | None = None,
        not_after: date | None = None,
        part_of_day: str | None = None,
        numero_etranger: str | None = None,
        language: str | None = None,
        mediator_ref: str | None = None,
    ) -> JoinOut:
        body = {
            "phone": phone,
            "demarche": demarche,
            "site": site,
            "rights_end": _iso(rights_end),
            "not_before": _iso(not_before),
            "not_after": _iso(not_after),
            "part_of_day": part_of_day,
            "numero_etranger": numero_etranger,
            "language": language,
            "mediator_ref": mediator_ref,
        }
        return await self._call(
            JoinOut, "POST", "/waitlist", language=language, json=_without_none(body)
        )

    async def my_waitlist(self, phone: str) -> list[WaitlistEntryOut]:
        return await self._call(
            list[WaitlistEntryOut], "POST", "/waitlist/mine", json={"phone": phone}
        )

    async def leave_waitlist(self, entry_id: int, phone: str) -> WaitlistEntryOut:
        return await self._call(
            WaitlistEntryOut, "POST", f"/waitlist/{entry_id}/leave", json={"phone": phone}
        )

    async def my_offers(self, phone: str) -> list[OfferOut]:
        return await self._call(list[OfferOut], "POST", "/offers/mine", json={"phone": phone})

    async def accept_offer(self, offer_id: int, phone: str) -> BookingOut:
        return await self._call(
            BookingOut, "POST", f"/offers/{offer_id}/accept", json={"phone": phone}
        )

    async def decline_offer(self, offer_id: int, phone: str) -> OfferOut:
        return await self._call(
            OfferOut, "POST", f"/offers/{offer_id}/decline", json={"phone": phone}
        )

    async def proof(self, phone: str, *, language: str | None = None) -> list[CheckOut]:
        return await self._call(
            list[CheckOut], "POST", "/proof", language=language, json={"phone": phone}
        )

    # --- deadline alerts (bot/scheduler/api.py) ----------------------------------------------
    async def agree_to_deadline_alerts(
        self, phone: str, demarche: str, expiry: date, *, language: str | None = None
    ) -> AlertOut:
        """Records the person's agreement to two SMS: when the filing window opens, and two
        weeks before it closes. Refused with `no_filing_window` for a démarche without one."""
        body = {"phone": phone, "demarche": demarche, "expiry": _iso(expiry), "language": language}
        return await self._call(
            AlertOut, "POST", "/deadline-alerts", language=language, json=_without_none(body)
        )

    async def stop_deadline_alerts(self, phone: str, demarche: str) -> StopOut:
        """How many agreements were stopped (0 when there were none)."""
        body = {"phone": phone, "demarche": demarche}
        return await self._call(StopOut, "POST", "/deadline-alerts/cancel", json=body)

    # --- admin (needs a token with the admin scope) -----------------------------------------------------------
    async def publish(
        self,
        *,
        site: str | None = None,
        demarche: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> PublishOut:
        body = {
            "site": site,
            "demarche": demarche,
            "date_from": _iso(date_from),
            "date_to": _iso(date_to),
        }
        return await self._call(PublishOut, "POST", "/admin/publish", json=_without_none(body))

    async def expire_offers(self) -> ExpireOut:
        return await self._call(ExpireOut, "POST", "/admin/offers/expire")

    async def stats(self, site: str | None = None) -> StatsOut:
        params = _without_none({"site": site})
        return await self._call(StatsOut, "GET", "/admin/stats", params=params)


# One client per event loop and base URL: an AsyncClient's connections belong to the loop that
# opened them. Keyed weakly so a finished loop (a test's asyncio.run) takes its clients along.
_shared: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[str, str | None], BookingClient]
] = weakref.WeakKeyDictionary()


def shared_client(base_url: str, token: str | None = None) -> BookingClient:
    """The running loop's client for `base_url` and `token` (3 s timeout), created once and
    then reused."""
    clients = _shared.setdefault(asyncio.get_running_loop(), {})
    client = clients.get((base_url, token))
    if client is None:
        client = clients[(base_url, token)] = BookingClient(base_url, token=token)
    return client


async def close_shared_clients() -> None:
    """Closes the running loop's clients (at shutdown, before the loop stops)."""
    for client in _shared.pop(asyncio.get_running_loop(), {}).values():
        await client.aclose()
