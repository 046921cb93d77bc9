"""The one way actions, channels and the scheduler talk to the booking API.

Synchronous httpx with a short timeout: a conversation must not hang on the backend. A refusal
(4xx) raises `BookingRefused(code, message)` — branch on `code`, show `message`; a network
error, a timeout or a 5xx raises `BookingUnavailable` — apologise and keep the request.
Results are plain dicts shaped as the API's JSON (see bot/booking/schemas.py or /docs).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

JSON = dict[str, Any]


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


class BookingClient:
    def __init__(
        self,
        base_url: str,
        timeout: float = 3.0,
        *,
        language: str | None = None,
        admin_token: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """`base_url` is Settings.api_url (".../api"); the client adds the version."""
        headers = {"Accept-Language": language} if language else {}
        if admin_token:
            headers["Authorization"] = f"Bearer {admin_token}"
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + "/v1",
            timeout=timeout,
            headers=headers,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> BookingClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
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
        return response.json()

    # --- catalogue -------------------------------------------------------------------------
    def demarches(self) -> list[JSON]:
        return self._call("GET", "/demarches")

    def sites_for(self, demarche: str) -> list[JSON]:
        return self._call("GET", f"/demarches/{demarche}/sites")

    def resolve_site(self, query: str, demarche: str | None = None) -> list[JSON]:
        return self._call(
            "GET", "/sites/resolve", params=_without_none({"q": query, "demarche": demarche})
        )

    # --- slots and bookings ----------------------------------------------------------------
    def search(
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
    ) -> JSON:
        return self._call(
            "POST",
            "/slots/search",
            json=_without_none(
                {
                    "demarche": demarche,
                    "site": site,
                    "phone": phone,
                    "date_from": _iso(date_from),
                    "date_to": _iso(date_to),
                    "part_of_day": part_of_day,
                    "limit": limit,
                    "language": language,
                }
            ),
        )

    def book(
        self,
        slot_id: int,
        phone: str,
        *,
        numero_etranger: str | None = None,
        language: str | None = None,
        mediator_ref: str | None = None,
        idempotency_key: str | None = None,
    ) -> JSON:
        return self._call(
            "POST",
            "/bookings",
            json=_without_none(
                {
                    "slot_id": slot_id,
                    "phone": phone,
                    "numero_etranger": numero_etranger,
                    "language": language,
                    "mediator_ref": mediator_ref,
                    "idempotency_key": idempotency_key,
                }
            ),
        )

    def my_bookings(self, phone: str) -> list[JSON]:
        return self._call("POST", "/bookings/mine", json={"phone": phone})

    def verify(self, code: str) -> JSON:
        return self._call("GET", f"/bookings/{code}/verify")

    def cancel(
        self, code: str, *, phone: str | None = None, mediator_ref: str | None = None
    ) -> JSON:
        return self._call(
            "POST",
            f"/bookings/{code}/cancel",
            json=_without_none({"phone": phone, "mediator_ref": mediator_ref}),
        )

    def reschedule(
        self,
        code: str,
        new_slot_id: int,
        *,
        phone: str | None = None,
        mediator_ref: str | None = None,
    ) -> JSON:
        return self._call(
            "POST",
            f"/bookings/{code}/reschedule",
            json=_without_none(
                {
                    "new_slot_id": new_slot_id,
                    "phone": phone,
                    "mediator_ref": mediator_ref,
                }
            ),
        )

    # --- waitlist ----------------------------------------------------------------------------
    def join_waitlist(
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
    ) -> JSON:
        return self._call(
            "POST",
            "/waitlist",
            json=_without_none(
                {
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
            ),
        )

    def my_waitlist(self, phone: str) -> list[JSON]:
        return self._call("POST", "/waitlist/mine", json={"phone": phone})

    def leave_waitlist(self, entry_id: int, phone: str) -> JSON:
        return self._call("POST", f"/waitlist/{entry_id}/leave", json={"phone": phone})

    def my_offers(self, phone: str) -> list[JSON]:
        return self._call("POST", "/offers/mine", json={"phone": phone})

    def accept_offer(self, offer_id: int, phone: str) -> JSON:
        return self._call("POST", f"/offers/{offer_id}/accept", json={"phone": phone})

    def decline_offer(self, offer_id: int, phone: str) -> JSON:
        return self._call("POST", f"/offers/{offer_id}/decline", json={"phone": phone})

    def proof(self, phone: str) -> list[JSON]:
        return self._call("POST", "/proof", json={"phone": phone})

    # --- deadline alerts (bot/scheduler/api.py) ----------------------------------------------
    def agree_to_deadline_alerts(
        self, phone: str, demarche: str, expiry: date, *, language: str | None = None
    ) -> JSON:
        """Records the person's agreement to two SMS: when the filing window opens, and two
        weeks before it closes. Refused with `no_filing_window` for a démarche without one."""
        return self._call(
            "POST",
            "/deadline-alerts",
            json=_without_none(
                {
                    "phone": phone,
                    "demarche": demarche,
                    "expiry": _iso(expiry),
                    "language": language,
                }
            ),
        )

    def stop_deadline_alerts(self, phone: str, demarche: str) -> JSON:
        """`{"cancelled": n}`: how many agreements were stopped (0 when there were none)."""
        return self._call(
            "POST", "/deadline-alerts/cancel", json={"phone": phone, "demarche": demarche}
        )

    # --- admin (needs admin_token) -----------------------------------------------------------
    def publish(
        self,
        *,
        site: str | None = None,
        demarche: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> JSON:
        return self._call(
            "POST",
            "/admin/publish",
            json=_without_none(
                {
                    "site": site,
                    "demarche": demarche,
                    "date_from": _iso(date_from),
                    "date_to": _iso(date_to),
                }
            ),
        )

    def expire_offers(self) -> JSON:
        return self._call("POST", "/admin/offers/expire")

    def stats(self, site: str | None = None) -> JSON:
        return self._call("GET", "/admin/stats", params=_without_none({"site": site}))
