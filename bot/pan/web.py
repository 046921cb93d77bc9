"""The mediator page, /pan: server-rendered HTML (Jinja2), forms only — no script at all.

Every page answers `Cache-Control: no-store` (nothing of a session stays in the browser after
logout: no cached page, and the cookie is cleared), a strict Content-Security-Policy and
no framing. Every form carries a CSRF token: the session's own once logged in, a double-submit
cookie on the login form. Login is rate-limited per IP (bot.ratelimit, shared through Redis when
configured) and an account locks after five wrong passwords (bot.pan.accounts).

The page in three steps: the applicant's phone (a code is sent to it), the code the applicant
reads out, then the conversation and the applicant's bookings, waitlist and offers.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session, sessionmaker

from bot.booking import bookings, convocation
from bot.booking.api.deps import IdPath
from bot.booking.credentials import Caller
from bot.booking.errors import BookingError
from bot.booking.identity import InvalidPhone, normalise_phone
from bot.booking.mediators import Consent, ConsentStatus, Mediator, audit
from bot.booking.models import Booking
from bot.booking.proof import ProofJournal
from bot.catalogue import get_catalogue
from bot.channels.masking import mask
from bot.channels.rasa_client import EmptyAnswer, RasaUnavailable
from bot.formatting import format_date, format_when
from bot.i18n import SUPPORTED_LANGUAGES, is_rtl, normalise_language
from bot.locales import languages
from bot.pan import accounts, acting, consent, talk
from bot.pan.models import PanSession
from bot.pan.revoke import Revocation
from bot.printing import TranscriptLine, checklist_pdf, transcript_pdf
from bot.words import WORDS, Word

log = logging.getLogger(__name__)

SESSION_COOKIE = "pan_session"
LOGIN_CSRF_COOKIE = "pan_login_csrf"
_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
_CSS = (Path(__file__).parent / "templates" / "pan.css").read_text(encoding="utf-8")
_HEADERS = {
    "Cache-Control": "no-store, max-age=0",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}

# What the page says when it refuses (French: the mediators' language).
REFUSALS = {
    "csrf": "Le formulaire a expiré ou ne vient pas de cette page. Rechargez la page.",
    # One answer for a wrong password, an unknown login and a locked account: a distinct
    # « bloqué » (423) told which logins exist (an attacker's test, session 30).
    "login": "Identifiant ou mot de passe incorrect. Après 5 essais, le compte est bloqué 15 minutes.",
    "rate": "Trop d'essais depuis cet ordinateur. Réessayez dans une minute.",
    "expired": "Votre session a expiré. Connectez-vous de nouveau.",
    "phone": "Ce numéro de téléphone n'est pas valide.",
    "opted_out": "Ce numéro a demandé à ne plus recevoir de message (STOP).",
    "wrong_code": "Ce code n'est pas le bon. Vérifiez-le avec la personne.",
    "consent_locked": "Cinq codes faux : la demande est bloquée. Demandez un nouveau code.",
    "code_expired": "Ce code a expiré. Demandez un nouveau code.",
    "too_many_requests": (
        "Trois codes ont déjà été envoyés à ce numéro dans l'heure : réessayez plus tard."
    ),
    "consent_revoked": "La personne a retiré son accord : vous ne pouvez plus agir pour elle.",
    "consent_ended": "L'accord est terminé : demandez un nouveau code.",
    "consent_locked_status": "La demande est bloquée.",
    "no_consent": "Sans l'accord de la personne, rien n'est visible ni faisable pour ce numéro.",
    "rasa": "L'assistant ne répond pas pour le moment. Le message n'a pas été envoyé : réessayez.",
    "text": "Écrivez un message ou choisissez un bouton.",
    "unknown_demarche": "Cette démarche n'existe pas.",
    "card_not_seen": (
        "Cochez la case : on ne libère un rendez-vous qu'après avoir vu le titre de séjour ou le "
        "récépissé de la personne, avec ce numéro étranger."
    ),
}


def _secure(request: Request) -> bool:
    public = request.app.state.settings.public_url
    return request.url.scheme == "https" or public.startswith("https://")


def _page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = _TEMPLATES.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status, headers=_HEADERS)


def _redirect(to: str = "/pan") -> RedirectResponse:
    return RedirectResponse(to, status_code=303, headers=_HEADERS)


class Pan:
    """The page's state: the app's settings, database, clock and the channels (to send the
    code, and the Rasa client of the conversation)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.settings = app.state.settings
        self.session_factory: sessionmaker[Session] = app.state.session_factory
        self.clock: Callable[[], datetime] = app.state.clock

    @property
    def secret(self) -> str:
        return self.settings.secret_key

    def lifetime(self) -> timedelta:
        return timedelta(minutes=self.settings.pan_session_minutes)

    async def db(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await to_thread.run_sync(lambda: fn(*args))


def _form_field(form: Any, name: str, limit: int = 200) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def build_router(pan: Pan) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    # -- helpers needing the state ------------------------------------------------------------

    def current(session: Session, request: Request) -> PanSession | None:
        token = accounts.token_of(request.cookies.get(SESSION_COOKIE), pan.secret)
        return accounts.live_session(session, token, now=pan.clock())

    def login_page(request: Request, error: str | None = None, status: int = 200) -> Response:
        token = secrets.token_urlsafe(32)
        response = _page("login.html", status, csrf=token, error=REFUSALS.get(error or ""))
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=_secure(request),
            path="/pan",
        )
        if request.cookies.get(SESSION_COOKIE):
            response.delete_cookie(SESSION_COOKIE, path="/pan")
        return response

    def same(given: str, expected: str | None) -> bool:
        return bool(expected) and hmac.compare_digest(given.encode(), str(expected).encode())

    def view(session: Session, row: PanSession, error: str | None = None) -> dict[str, Any]:
        """Everything the logged-in page shows."""
        now = pan.clock()
        mediator = session.get(Mediator, row.mediator_id)
        context: dict[str, Any] = {
            "csrf": row.csrf,
            "mediator": mediator,
            "site": consent.site_name(mediator) if mediator else "",
            "languages": [lang for lang in languages() if lang.code in SUPPORTED_LANGUAGES],
            "error": REFUSALS.get(error or "", error),
            "revoke_words": _revoke_words(),
            "step": "phone",
        }
        held = session.get(Consent, row.consent_id) if row.consent_id else None
        if held is None:
            return context
        if held.status == ConsentStatus.PENDING.value and held.code_expires_at > now:
            context.update(step="code", masked=held.phone_masked)
            return context
        if not held.live(now):
            context["error"] = (
                context["error"]
                or REFUSALS.get(f"consent_{held.status}")
                or (REFUSALS["consent_ended"])
            )
            row.consent_id = None
            return context
        phone = consent.phone_of(held, pan.secret)
        caller = acting.caller_for(held, phone)
        overview = acting.overview(session, caller, now=now)
        lang = normalise_language(held.language)
        messages = [
            {
                "mine": m.from_applicant,
                "text": talk.shown(m.text),
                "text_fr": m.text_fr,
                "lang": m.language,
                "dir": "rtl" if is_rtl(m.language) else "ltr",
                "buttons": m.buttons,
            }
            for m in talk.transcript(session, held.id)
        ]
        last_buttons = next((m["buttons"] for m in reversed(messages) if not m["mine"]), [])
        context.update(
            step="talk",
            consent=held,
            phone=phone,  # in full: this mediator holds the consent
            lang=lang,
            dir="rtl" if is_rtl(lang) else "ltr",
            until=format_when(held.expires_at, "fr"),
            messages=messages,
            buttons=last_buttons,
            bookings=[
                {
                    "code": b.code,
                    "when": format_when(b.slot.starts_at, "fr"),
                    "site": b.slot.site.name,
                    "demarche": b.demarche_code,
                    "by_mediator": b.mediator_ref is not None,
                }
                for b in overview.bookings
            ],
            entries=[
                {"id": e.id, "demarche": e.demarche_code, "site": e.site_code, "position": pos}
                for e, pos in overview.entries
            ],
            offers=[
                {
                    "id": o.id,
                    "when": format_when(o.slot.starts_at, "fr"),
                    "until": format_when(o.expires_at, "fr"),
                }
                for o in overview.offers
            ],
        )
        return context

    # -- routes -------------------------------------------------------------------------------

    @router.get("/pan/pan.css")
    def css() -> Response:
        return Response(_CSS, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    @router.get("/pan")
    def home(request: Request) -> Response:
        with pan.session_factory.begin() as session:
            row = current(session, request)
            if row is None:
                expired = request.cookies.get(SESSION_COOKIE) is not None
                return login_page(request, "expired" if expired else None)
            return _page("pan.html", **view(session, row))

    @router.post("/pan/login")
    async def login(request: Request) -> Response:
        form = await request.form()
        if not same(_form_field(form, "csrf"), request.cookies.get(LOGIN_CSRF_COOKIE)):
            return login_page(request, "csrf", 403)
        ip = request.client.host if request.client else "unknown"
        verdict = request.app.state.limiter.hit(pan.settings.pan_login_rate, "pan-login", ip)
        if not verdict.allowed:
            return login_page(request, "rate", 429)
        login_name = _form_field(form, "login", 64)
        password = _form_field(form, "password", 256)

        def check() -> tuple[str | None, str | None]:
            with pan.session_factory.begin() as session:
                result = accounts.check_password(session, login_name, password, now=pan.clock())
                if result.mediator is None:
                    return None, "login"
                _row, token = accounts.open_session(
                    session, result.mediator, pan.lifetime(), now=pan.clock()
                )
                return token, None

        token, error = await pan.db(check)
        if token is None:
            return login_page(request, error, 401)
        response = _redirect()
        response.set_cookie(
            SESSION_COOKIE,
            accounts.cookie_value(token, pan.secret),
            max_age=int(pan.lifetime().total_seconds()),
            httponly=True,
            samesite="strict",
            secure=_secure(request),
            path="/pan",
        )
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/pan")
        return response

    async def guarded(
        request: Request, act: Callable[[Session, PanSession, Any], Response | None]
    ) -> Response:
        """A logged-in form: the session, the CSRF token, then `act` in one transaction."""
        form = await request.form()

        def run() -> Response:
            with pan.session_factory.begin() as session:
                row = current(session, request)
                if row is None:
                    return login_page(request, "expired", 401)
                if not same(_form_field(form, "csrf", 100), row.csrf):
                    audit(session, row.mediator_id, "csrf_refused", now=pan.clock())
                    return _page("pan.html", 403, **view(session, row, "csrf"))
                try:
                    result = act(session, row, form)
                except consent.ConsentRefused as refusal:
                    return _page("pan.html", 403, **view(session, row, refusal.reason))
                except BookingError as refusal:
                    return _page(
                        "pan.html", refusal.http_status, **view(session, row, refusal.message("fr"))
                    )
                return result or _redirect()

        return await pan.db(run)

    @router.post("/pan/logout")
    async def logout(request: Request) -> Response:
        def act(session: Session, row: PanSession, _form: Any) -> Response:
            now = pan.clock()
            held = session.get(Consent, row.consent_id) if row.consent_id else None
            if held is not None:
                consent.end(session, held, now=now)
            accounts.close_session(session, row, now=now)
            audit(session, row.mediator_id, "logout", now=now)
            response = _redirect()
            response.delete_cookie(SESSION_COOKIE, path="/pan")
            # Clear-Site-Data: the browser drops this origin's cache and cookies too.
            response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
            return response

        return await guarded(request, act)

    @router.post("/pan/consent")
    async def ask_consent(request: Request) -> Response:
        sent: list[consent.Asked] = []

        def act(session: Session, row: PanSession, form: Any) -> Response | None:
            try:
                phone = normalise_phone(_form_field(form, "phone", 32))
            except InvalidPhone:
                return _page("pan.html", 422, **view(session, row, "phone"))
            mediator = session.get(Mediator, row.mediator_id)
            language = _form_field(form, "language", 8)
            if language not in SUPPORTED_LANGUAGES:
                language = "fr"
            old = session.get(Consent, row.consent_id) if row.consent_id else None
            if old is not None:
                consent.end(session, old, now=pan.clock())
            asked = consent.ask(session, mediator, phone, language, pan.secret, now=pan.clock())
            row.consent_id = asked.consent.id
            sent.append(asked)
            return None

        response = await guarded(request, act)
        for asked in sent:  # after the commit: the code is delivered by the channel's outbox
            outbox = request.app.state.channels.conversations.outboxes[asked.message.channel]
            try:
                await outbox.deliver([asked.message])
            except Exception:
                log.exception("consent code to %s not delivered", mask(asked.message.address))
        return response

    @router.post("/pan/consent/code")
    async def give_code(request: Request) -> Response:
        def act(session: Session, row: PanSession, form: Any) -> Response | None:
            held = session.get(Consent, row.consent_id) if row.consent_id else None
            if held is None:
                raise consent.ConsentRefused("consent_ended")
            code = _form_field(form, "code", 20)
            try:
                consent.confirm(session, held, code, pan.secret, now=pan.clock())
            except consent.ConsentRefused as refusal:
                # Answered here, not raised: the transaction commits the wrong-code count.
                if refusal.reason == "consent_locked":
                    row.consent_id = None
                return _page("pan.html", 403, **view(session, row, refusal.reason))
            return None

        return await guarded(request, act)

    @router.post("/pan/consent/end")
    async def end_consent(request: Request) -> Response:
        def act(session: Session, row: PanSession, _form: Any) -> None:
            held = session.get(Consent, row.consent_id) if row.consent_id else None
            if held is not None:
                consent.end(session, held, now=pan.clock())
            row.consent_id = None

        return await guarded(request, act)

    def held_consent(session: Session, row: PanSession) -> tuple[Consent, str]:
        held = session.get(Consent, row.consent_id) if row.consent_id else None
        if held is None:
            raise consent.ConsentRefused("no_consent")
        if not held.live(pan.clock()):
            # An active consent past its end has no sentence of its own ("consent_active" was
            # shown as is to a mediator whose page outlived the consent): it ended.
            reason = f"consent_{held.status}"
            raise consent.ConsentRefused(reason if reason in REFUSALS else "consent_ended")
        return held, consent.phone_of(held, pan.secret)

    @router.post("/pan/say")
    async def say(request: Request) -> Response:
        form = await request.form()

        def check(session: Session, row: PanSession, _form: Any) -> Response | None:
            held_consent(session, row)
            return None

        # The checks first (session, CSRF, live consent), then Rasa outside any transaction.
        refused = await guarded(request, check)
        if refused.status_code != 303:
            return refused

        payload = _form_field(form, "payload", 200) or None

        def load() -> tuple[Consent, str, str]:
            with pan.session_factory() as session:
                row = current(session, request)
                held, phone = held_consent(session, row)  # type: ignore[arg-type]
                # A button shows in the transcript as the person saw it: its title.
                offered = talk.last_buttons(session, held.id)
                title = next((b["title"] for b in offered if b["payload"] == payload), "")
                return held, phone, title

        held, phone, title = await pan.db(load)
        typed = title if payload else _form_field(form, "text", 1000).strip()
        if not typed and not payload:
            return _redirect()
        conversations = request.app.state.channels.conversations
        try:
            await talk.say(conversations, held, phone, typed, payload, now=pan.clock())
        except (RasaUnavailable, EmptyAnswer):
            return await _error_page(request, "rasa", 503)

        def log_it() -> None:
            with pan.session_factory.begin() as session:
                audit(
                    session,
                    held.mediator_id,
                    "message",
                    now=pan.clock(),
                    masked=held.phone_masked,
                    detail="button" if payload else "text",
                )

        await pan.db(log_it)
        return _redirect("/pan#fin")

    async def _error_page(request: Request, error: str, status: int) -> Response:
        def render() -> Response:
            with pan.session_factory.begin() as session:
                row = current(session, request)
                if row is None:
                    return login_page(request, "expired", 401)
                return _page("pan.html", status, **view(session, row, error))

        return await pan.db(render)

    Step = Callable[[Session, Any, Caller, int, datetime], object]

    async def within_consent(request: Request, step: Step) -> Response:
        """A form acting for the applicant: the mediator's caller bound to the consented phone."""

        def act(session: Session, row: PanSession, _form: Any) -> None:
            held, phone = held_consent(session, row)
            config = request.app.state.booking_config
            step(session, config, acting.caller_for(held, phone), row.mediator_id, pan.clock())

        return await guarded(request, act)

    @router.post("/pan/bookings/{code}/cancel")
    async def cancel(request: Request, code: str) -> Response:
        return await within_consent(
            request, lambda s, c, who, m, now: acting.cancel(s, c, who, m, code[:32], now=now)
        )

    @router.post("/pan/numero/release")
    async def release_numero(request: Request) -> Response:
        """The owner of a numéro étranger shows their card: the bookings another phone holds
        under it are released. Answered with the page itself (not a redirect) so the mediator
        sees what was released; posted again, it says the same, released nothing more."""

        def act(session: Session, row: PanSession, form: Any) -> Response:
            held, phone = held_consent(session, row)
            if _form_field(form, "card_seen", 8) != "yes":
                return _page("pan.html", 422, **view(session, row, "card_not_seen"))
            done = acting.release_numero(
                session,
                request.app.state.booking_config,
                acting.caller_for(held, phone),
                row.mediator_id,
                _form_field(form, "numero", 32),
                now=pan.clock(),
            )
            context = view(session, row)
            context["release"] = {
                "released": [_released(b) for b in done.released],
                "already": [_released(b) for b in done.already_released],
            }
            return _page("pan.html", **context)

        return await guarded(request, act)

    # Ids bounded as the API's: 10**20 was a 500 (SQLite stops at 2**63; session 30).
    @router.post("/pan/waitlist/{entry_id}/leave")
    async def leave(request: Request, entry_id: IdPath) -> Response:
        return await within_consent(
            request, lambda s, c, who, m, now: acting.leave(s, c, who, m, entry_id, now=now)
        )

    @router.post("/pan/offers/{offer_id}/{answer}")
    async def offer(request: Request, offer_id: IdPath, answer: str) -> Response:
        if answer not in ("accept", "decline"):
            return Response("Not Found", status_code=404, headers=_HEADERS)
        accept = answer == "accept"
        return await within_consent(
            request,
            lambda s, c, who, m, now: acting.answer_offer(s, c, who, m, offer_id, accept, now=now),
        )

    @router.post("/pan/proof")
    async def proof(request: Request) -> Response:
        def act(session: Session, row: PanSession, _form: Any) -> Response:
            held, phone = held_consent(session, row)
            caller = acting.caller_for(held, phone)
            journal: ProofJournal = acting.proof(session, caller, row.mediator_id, now=pan.clock())
            context = view(session, row)
            context["proof"] = [
                {
                    "at": format_when(e.checked_at, "fr"),
                    "demarche": e.demarche,
                    "site": e.site,
                    "from": format_date(e.date_from, "fr") if e.date_from else "",
                    "to": format_date(e.date_to, "fr") if e.date_to else "",
                }
                for e in journal.entries
            ]
            return _page("pan.html", **context)

        return await guarded(request, act)

    async def printed(
        request: Request, make: Callable[[Session, Consent, str], tuple[bytes, str]]
    ) -> Response:
        """A printing form: the same checks as any form (session, CSRF, live consent), the PDF
        (applicant's language and French) as the answer, written to the audit."""

        def run(session: Session, row: PanSession, _form: Any) -> Response:
            held, phone = held_consent(session, row)
            content, name = make(session, held, phone)
            audit(session, row.mediator_id, "printed", now=pan.clock(), phone=phone, detail=name)
            headers = dict(_HEADERS)
            headers["Content-Disposition"] = f'inline; filename="{name}"'
            return Response(content, media_type="application/pdf", headers=headers)

        return await guarded(request, run)

    @router.post("/pan/print/convocation/{code}")
    async def print_convocation(request: Request, code: str) -> Response:
        def make(session: Session, held: Consent, phone: str) -> tuple[bytes, str]:
            booking = bookings.find_by_code(session, code[:32])
            if booking.applicant.phone != phone:  # the consented applicant's bookings only
                raise BookingError("no_consent")
            key = pan.settings.convocation_key()
            content = convocation.convocation_pdf_for(session, code[:32], key, lang=held.language)
            return content, f"convocation-{booking.code}.pdf"

        return await printed(request, make)

    @router.post("/pan/print/checklist/{demarche}")
    async def print_checklist(request: Request, demarche: str) -> Response:
        def make(_session: Session, held: Consent, _phone: str) -> tuple[bytes, str]:
            if demarche not in get_catalogue().demarches:
                raise consent.ConsentRefused("unknown_demarche")
            return checklist_pdf(demarche, held.language), f"documents-{demarche}.pdf"

        return await printed(request, make)

    @router.post("/pan/print/transcript")
    async def print_transcript(request: Request) -> Response:
        def make(session: Session, held: Consent, _phone: str) -> tuple[bytes, str]:
            lines = [
                TranscriptLine(
                    "applicant" if m.from_applicant else "assistant",
                    talk.shown(m.text),
                    m.text_fr if not m.from_applicant else talk.shown(m.text),
                )
                for m in talk.transcript(session, held.id)
            ]
            return transcript_pdf(lines, held.language, printed_at=pan.clock()), "conversation.pdf"

        return await printed(request, make)

    return router


def _released(booking: Booking) -> dict[str, str]:
    """A released booking as the mediator sees it: no phone (not the applicant's), no numéro."""
    return {
        "code": booking.code,
        "when": format_when(booking.slot.starts_at, "fr"),
        "site": booking.slot.site.name,
        "demarche": booking.demarche_code,
        "released_at": format_when(booking.cancelled_at, "fr") if booking.cancelled_at else "",
    }


def _revoke_words() -> str:
    return " / ".join(sorted(WORDS[Word.REVOKE]))


def install(app: FastAPI) -> None:
    """Mounts /pan (needs the channels: app.state.channels) and lets RETIRER / REVOKE / سحب
    end consents before any other reply word is read."""
    pan = Pan(app)
    app.include_router(build_router(pan))
    channels = getattr(app.state, "channels", None)
    if channels is not None:
        channels.conversations.quick_reply = Revocation(
            pan.session_factory, pan.secret, pan.clock, channels.conversations.quick_reply
        )
