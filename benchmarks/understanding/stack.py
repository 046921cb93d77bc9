"""What the bench talks to: the real stack started here as tests/support/stack.py starts it
(Twilio faked at its HTTP boundary), or a stack already running (`make run`) given by URL."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks.understanding.play import RestMessages, numero_for
from bot.booking.client import BookingClient
from bot.config import Settings
from tests.support import providers
from tests.support.booking import booking_call
from tests.support.channels import AUTH_TOKEN, TELEGRAM_SECRET
from tests.support.stack import RASA, running_stack, trained_model

# The démarche of the appointment a conversation about an existing one starts with.
WORLD_DEMARCHE = "carte_resident_renouvellement"


@dataclass(frozen=True)
class Target:
    gateway: str  # where the phones post
    public_url: str  # what Twilio signs
    auth_token: str
    api_url: str
    rest: RestMessages | None  # the SMS sent through Twilio's REST API, when we can see them
    model: str


class StackUnavailable(RuntimeError):
    pass


@contextlib.contextmanager
def target(url: str | None) -> Iterator[Target]:
    if url:
        yield _running(url)
        return
    model = trained_model()
    if model is None or not RASA.exists():
        raise StackUnavailable(
            "no trained Rasa model (models/*.tar.gz) or no .venv-rasa: run `make train`, "
            "or give the URL of a running stack (--url)"
        )
    twilio, telegram = providers.twilio_server(), providers.telegram_server()
    try:
        with (
            tempfile.TemporaryDirectory(prefix="bench-understanding-") as tmp,
            running_stack(
                Path(tmp), model, twilio.url, telegram.url, AUTH_TOKEN, TELEGRAM_SECRET
            ) as (settings, rasa, gateway),
        ):
            rasa.start()

            def rest(number: str) -> list[str]:
                return [
                    str(call.get("Body") or "")
                    for call in twilio.calls_to("Messages.json")
                    if call.get("To") == number
                ]

            yield Target(
                gateway, settings.public_url, AUTH_TOKEN, settings.api_url, rest, model.name
            )
    finally:
        twilio.stop()
        telegram.stop()


def _running(url: str) -> Target:
    """A stack started with `make run`: the environment it runs with (TWILIO_AUTH_TOKEN,
    GUICHET_PUBLIC_URL) says how Twilio signs. Replies later than its SMS deadline go through
    the real Twilio and are not seen here: they count as missing."""
    settings = Settings.from_env()
    url = url.rstrip("/")
    if not settings.twilio_auth_token:
        raise StackUnavailable("set TWILIO_AUTH_TOKEN as the running stack has it, to sign SMS")
    return Target(
        gateway=url,
        public_url=(settings.public_url or url).rstrip("/"),
        auth_token=settings.twilio_auth_token,
        api_url=f"{url}/api",
        rest=None,
        model="(running stack)",
    )


def book_for(api_url: str, phone: str) -> str:
    """An appointment made beforehand for `phone` (`booking_code: from_world`): its code."""

    async def book(api: BookingClient) -> str:
        for site in await api.sites_for(WORLD_DEMARCHE):
            found = await api.search(WORLD_DEMARCHE, site.code, phone=phone)
            if found.slots:
                booking = await api.book(
                    found.slots[0].id, phone, numero_etranger=numero_for(phone), language="fr"
                )
                return booking.display_code
        raise StackUnavailable(f"no free slot for {WORLD_DEMARCHE} to set up an appointment")

    return booking_call(api_url, book)
