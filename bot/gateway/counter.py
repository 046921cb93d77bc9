"""The counter's page, /verify: préfecture staff type a convocation code, or scan the printed
convocation's QR code with a USB scanner (it types the payload into the field and presses
Enter), and read VALIDE or INVALIDE with the slot — date, time, site, démarche — never the phone.

Server-rendered (Jinja2), no script; large text, labelled field, focus kept on the field for the
next person. A check changes nothing, so the form needs no session nor CSRF token; it is
rate-limited per IP like the public API (GUICHET_RATE_PER_IP), and bad input gets a 4xx page.
Staff read French: the page is in French.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData

from bot import signing
from bot.booking import convocation
from bot.booking.bookings import Verification
from bot.booking.codes import display_code
from bot.booking.messages import REFUSALS, VERIFY_REASONS, VERIFY_SIGNED
from bot.formatting import format_date, format_time
from bot.i18n import translate

PATH = "/verify"
FIELD = "presented"
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
# Nothing of a check stays in a browser cache or leaks to another site.
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
EMPTY = "Entrez un code de convocation ou scannez le code QR."


@dataclass(frozen=True)
class ShownSlot:
    date: str
    time: str
    site: str
    demarche: str


@dataclass(frozen=True)
class Shown:
    """What the page shows of a check: never the phone nor the numéro étranger."""

    valid: bool
    code: str
    reason: str | None
    signed: bool
    signed_text: str
    slot: ShownSlot | None
    moved: bool


def shown(result: Verification) -> Shown:
    booking = result.booking
    slot = None
    if booking is not None:
        starts = booking.slot.starts_at
        slot = ShownSlot(
            date=format_date(starts, "fr"),
            time=format_time(starts, "fr"),
            site=f"{booking.slot.site.name}, {booking.slot.site.address}".rstrip(", "),
            demarche=booking.slot.demarche.name or booking.demarche_code,
        )
    reason = VERIFY_REASONS.get(result.reason or "")
    changed = result.reason == convocation.CONVOCATION_CHANGED
    return Shown(
        valid=result.valid,
        code=display_code(result.code) if result.code else "",
        reason=translate(reason, "fr") if reason else result.reason,
        signed=result.signed,
        signed_text=translate(VERIFY_SIGNED, "fr"),
        # Only a moved booking shows its slot when refused: the counter may redirect the person.
        slot=slot if result.valid or changed else None,
        moved=changed,
    )


def _page(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    public_key = signing.public_key_text(request.app.state.settings.convocation_key())
    html = TEMPLATES.get_template("verify.html").render(
        action=PATH,
        max_length=convocation.MAX_PRESENTED,
        public_key=public_key,
        result=context.get("result"),
        error=context.get("error"),
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _check(request: Request, presented: str) -> Shown:
    state = request.app.state
    public_key = state.settings.convocation_key().public_key()
    with state.session_factory() as session:
        result = convocation.verify_presented(session, presented, public_key, now=state.clock())
        return shown(result)  # read while the session is open


async def _presented(request: Request) -> str | None:
    """The field's text, or None when the body is not a form with one text field."""
    try:
        form: FormData = await request.form(max_files=0, max_fields=5)
    except Exception:  # a malformed body is bad input, never a 500
        return None
    value = form.get(FIELD)
    return value if isinstance(value, str) else None


def build_router() -> APIRouter:
    router = APIRouter(tags=["counter"], include_in_schema=False)

    @router.get(PATH)
    def verify_form(request: Request) -> HTMLResponse:
        return _page(request)

    @router.post(PATH)
    async def verify_check(request: Request) -> HTMLResponse:
        settings = request.app.state.settings
        verdict = request.app.state.limiter.hit(
            settings.rate_per_ip, "counter", _client_ip(request)
        )
        if not verdict.allowed:
            error = translate(REFUSALS["rate_limited"], "fr", seconds=verdict.retry_after)
            response = _page(request, 429, error=error)
            response.headers["Retry-After"] = str(verdict.retry_after)
            return response
        presented = await _presented(request)
        if presented is None or not presented.strip():
            return _page(request, 422, error=EMPTY)
        if len(presented) > convocation.MAX_PRESENTED:
            return _page(request, 413, error=translate(REFUSALS["invalid_code"], "fr"))
        result = await to_thread.run_sync(_check, request, presented)
        return _page(request, result=result)

    return router


def install(app: FastAPI) -> None:
    app.include_router(build_router())
