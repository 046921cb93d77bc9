"""The real stack for end-to-end channel tests: the gateway (uvicorn), the action server
(rasa-sdk) and the Rasa server (.venv-rasa) with the project's trained model, on free ports.
Only Twilio's and Telegram's servers are played locally (tests/support/providers.py)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
from twilio.request_validator import RequestValidator

from bot.config import PROJECT_ROOT, Settings
from bot.supervisor import action_server_argv
from tests.support import providers
from tests.support.booking import SERVICE_TOKEN
from tests.support.channels import AUTH_TOKEN, TELEGRAM_SECRET
from tests.support.servers import free_port, serve_in_thread
from tests.support.skips import unavailable

RASA = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"


def trained_model() -> Path | None:
    """GUICHET_TEST_RASA_MODEL, else the newest models/*.tar.gz."""
    explicit = os.environ.get("GUICHET_TEST_RASA_MODEL")
    if explicit:
        return Path(explicit) if Path(explicit).exists() else None
    models = sorted((PROJECT_ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


# What `make train` trains from (the Makefile's RASA_SOURCES), and the stamp it leaves after.
RASA_SOURCES = (
    "config.yml",
    "domain/*.yml",
    "data/nlu/*.yml",
    "data/rules.yml",
    "data/stories.yml",
)
MODEL_STAMP = PROJECT_ROOT / "models" / ".trained"


def up_to_date_model() -> Path | None:
    """The newest model when `make train` trained it after the last change to its sources (as
    `make test` does first), else None: the caller trains one, as Rasa would, instead of paying
    a minute of Rasa's start and fingerprint to learn that nothing changed."""
    model = trained_model()
    if model is None or not MODEL_STAMP.exists():
        return None
    stamp = MODEL_STAMP.stat().st_mtime
    sources = [path for pattern in RASA_SOURCES for path in PROJECT_ROOT.glob(pattern)]
    return model if all(path.stat().st_mtime <= stamp for path in sources) else None


def wait_until(url: str, timeout: float, ready=lambda r: r.status_code < 500) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if ready(httpx.get(url, timeout=2)):
                return True
        time.sleep(0.5)
    return False


# The tests read Rasa's trackers (what Rasa stored); `guichet run` keeps the API off.
SECRET_KEY = "stack-test-key"
# How long a reply that missed the inline SMS deadline may take to come by REST.
LATE_REPLY_SECONDS = 45.0
# What the gateway derives from its key: the stack's Rasa is started with it.
RASA_API_TOKEN = Settings(secret_key=SECRET_KEY).rasa_api_token


class RasaServer:
    """A Rasa process that tests stop and start again (the restart scenario)."""

    def __init__(self, model: Path, endpoints: Path, port: int, log: Path, nlg_token: str = ""):
        self.model, self.endpoints, self.port, self.log = model, endpoints, port, log
        self.nlg_token = nlg_token
        self.process: subprocess.Popen[bytes] | None = None
        self.actions: ActionServer | None = None  # the action server Rasa calls, if the stack's

    def tracker(self, sender: str, include: str = "ALL") -> dict:
        """The conversation as Rasa stored it, every event included (through its token);
        `include="APPLIED"`: without the turns taken back."""
        response = httpx.get(
            f"{self.url}/conversations/{sender}/tracker",
            params={"token": RASA_API_TOKEN, "include_events": include},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        if self.process is not None:
            return
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(RASA),
                    "run",
                    "--model",
                    str(self.model),
                    "--endpoints",
                    str(self.endpoints),
                    "--interface",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--enable-api",
                    "--auth-token",
                    RASA_API_TOKEN,
                ],
                cwd=PROJECT_ROOT,
                env=dict(os.environ, GUICHET_NLG_TOKEN=self.nlg_token),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        ready = wait_until(
            f"{self.url}/status?token={RASA_API_TOKEN}",
            240,
            lambda r: r.status_code == 200 and bool(r.json().get("model_file")),
        )
        if not ready:
            self.stop()
            raise RuntimeError(f"Rasa did not load {self.model} (see {self.log})")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def stack_settings(tmp: Path, twilio_url: str, telegram_url: str, auth_token: str, secret: str):
    """The settings of a test stack on free ports, its SQLite database in `tmp`."""
    gateway_port, actions_port, rasa_port = free_port(), free_port(), free_port()
    gateway = f"http://127.0.0.1:{gateway_port}"
    return Settings(
        database_url=f"sqlite:///{tmp / 'stack.db'}",
        spool_dir=str(tmp / "spool"),
        secret_key=SECRET_KEY,
        port=gateway_port,
        public_url=gateway,
        api_url=f"{gateway}/api",
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        actions_port=actions_port,
        twilio_account_sid="ACtest",
        twilio_auth_token=auth_token,
        twilio_from="+33700000000",
        twilio_api_base_url=twilio_url,
        telegram_bot_token="123:ABC",
        telegram_secret_token=secret,
        telegram_api_base_url=f"{telegram_url}/bot",
        flood_per_minute=0,
        sms_reply_deadline_seconds=20.0,
        service_token=SERVICE_TOKEN,
    )


@contextlib.contextmanager
def rasa_and_actions(tmp: Path, model: Path, settings: Settings) -> Iterator[RasaServer]:
    """The stack's database migrated and seeded, the action server started and Rasa ready to
    start (RasaServer.start), both talking to the gateway at settings.public_url."""
    from bot.booking import demo
    from bot.booking.config import EngineConfig
    from bot.db import make_engine, upgrade, utcnow

    engine = make_engine(settings.database_url)
    upgrade(engine)
    demo.seed(engine, EngineConfig.from_settings(settings), now=utcnow())
    engine.dispose()
    endpoints = tmp / "endpoints.yml"
    # As endpoints.yml: the NLG token from the environment Rasa is started with (unquoted:
    # Rasa expands ${VAR} only in plain scalars).
    endpoints.write_text(
        f'nlg:\n  url: "{settings.public_url}/nlg"\n  token: ${{GUICHET_NLG_TOKEN}}\n'
        f'action_endpoint:\n  url: "http://127.0.0.1:{settings.actions_port}/webhook"\n'
    )
    env = dict(
        os.environ,
        GUICHET_API_URL=settings.api_url,
        GUICHET_SECRET_KEY=settings.secret_key,
        GUICHET_SERVICE_TOKEN=SERVICE_TOKEN,
        SANIC_HOST="127.0.0.1",
    )
    actions = ActionServer(settings.actions_port, env, tmp / "actions.log")
    rasa_port = int(settings.rasa_url.rsplit(":", 1)[1])
    rasa = RasaServer(model, endpoints, rasa_port, tmp / "rasa.log", settings.nlg_token)
    rasa.actions = actions
    try:
        actions.start()
        yield rasa
    finally:
        rasa.stop()
        actions.stop()


class ActionServer:
    """The action server, which tests stop and start again (the failing-machine scenario)."""

    def __init__(self, port: int, env: dict[str, str], log: Path):
        self.port, self.env, self.log = port, env, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        if self.process is not None:
            return
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                action_server_argv(self.port),
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not wait_until(f"http://127.0.0.1:{self.port}/health", 60):
            raise RuntimeError(f"action server did not start (see {self.log})")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        self.process.wait(timeout=20)
        self.process = None


@contextlib.contextmanager
def running_stack(
    tmp: Path, model: Path, twilio_url: str, telegram_url: str, auth_token: str, secret: str
) -> Iterator[tuple[Settings, RasaServer, str]]:
    from bot.db import make_engine, make_session_factory
    from bot.gateway.app import create_app

    settings = stack_settings(tmp, twilio_url, telegram_url, auth_token, secret)
    with rasa_and_actions(tmp, model, settings) as rasa:
        engine = make_engine(settings.database_url)
        try:
            app = create_app(settings, make_session_factory(engine))
            with serve_in_thread(app, settings.port):
                yield settings, rasa, settings.public_url
        finally:
            engine.dispose()


@contextlib.contextmanager
def stack_with_fakes(
    tmp: Path, telegram_server: Callable[[], providers.Recorder] = providers.telegram_server
) -> Iterator[tuple[Settings, RasaServer, str, providers.Recorder, providers.Recorder]]:
    """running_stack with its fake Twilio and Telegram servers; skips when Rasa cannot run.
    `telegram_server=providers.telegram_with_documents` also takes documents (sendDocument)."""
    model = trained_model()
    if model is None or not RASA.exists():
        unavailable("no trained Rasa model (models/*.tar.gz) or no .venv-rasa: run `make train`")
    twilio, telegram = providers.twilio_server(), telegram_server()
    try:
        with running_stack(tmp, model, twilio.url, telegram.url, AUTH_TOKEN, TELEGRAM_SECRET) as (
            settings,
            rasa,
            gateway,
        ):
            yield settings, rasa, gateway, twilio, telegram
    finally:
        twilio.stop()
        telegram.stop()


class Phone:
    """A phone texting the running gateway over HTTP, each SMS signed like Twilio signs it."""

    def __init__(
        self,
        gateway: str,
        public_url: str,
        number: str,
        twilio: providers.Recorder | None = None,
    ):
        self.gateway, self.public_url, self.number = gateway, public_url, number
        self.twilio = twilio
        self.count = 0

    @classmethod
    def on(cls, stack: tuple[Settings, RasaServer, str, Any, Any], number: str) -> Phone:
        """A phone on a stack_with_fakes stack, Rasa started again if a test stopped it. It also
        reads what the fake Twilio REST API sent to it: a reply later than the inline deadline
        goes that way under load, and is still this message's reply."""
        settings, rasa, gateway, twilio, _telegram = stack
        rasa.start()
        return cls(gateway, settings.public_url, number, twilio)

    def _rest(self) -> list[str]:
        assert self.twilio is not None
        return [
            str(call.get("Body") or "")
            for call in self.twilio.calls_to("Messages.json")
            if call.get("To") == self.number
        ]

    def send(self, body: str) -> list[str]:
        before = len(self._rest()) if self.twilio is not None else 0
        texts = self._inline(body)
        if self.twilio is None:
            return texts
        # No inline reply: it went by REST, which can take the whole late-reply budget.
        deadline = time.monotonic() + (0.0 if texts else LATE_REPLY_SECONDS)
        while True:
            late = self._rest()[before:]
            if late or time.monotonic() >= deadline:
                return texts + late
            time.sleep(0.2)

    def _inline(self, body: str) -> list[str]:
        self.count += 1
        params = {
            "MessageSid": f"SM{self.number[-6:]}{self.count:04d}{time.time_ns() % 10**6}",
            "From": self.number,
            "To": "+33700000000",
            "Body": body,
            "NumMedia": "0",
        }
        signature = RequestValidator(AUTH_TOKEN).compute_signature(
            f"{self.public_url}/sms/twilio", params
        )
        response = httpx.post(
            f"{self.gateway}/sms/twilio",
            data=params,
            headers={"X-Twilio-Signature": signature},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        return [m.text or "" for m in ET.fromstring(response.text).iter("Message")]


class TelegramUser:
    """A Telegram chat posting to the running gateway's webhook; its answers are what the fake
    Bot API received for this chat."""

    def __init__(self, gateway: str, api: providers.Recorder, chat_id: int):
        self.gateway, self.api, self.chat_id = gateway, api, chat_id
        self.update_id = chat_id * 1000

    def _post(self, body: dict) -> list[dict]:
        before = len(self._mine())
        response = httpx.post(
            f"{self.gateway}/telegram/webhook",
            json=body,
            headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
            timeout=60,
        )
        assert response.status_code == 200
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(self._mine()) == before:
            time.sleep(0.05)
        time.sleep(0.3)  # the rest of this turn's messages
        return self._mine()[before:]

    def _mine(self) -> list[dict]:
        return [
            c for c in self.api.calls_to("/sendMessage") if str(c["chat_id"]) == str(self.chat_id)
        ]

    def _message(self, **content: Any) -> list[dict]:
        """A message of this chat's user, with `content` (its text, a contact…)."""
        self.update_id += 1
        return self._post(
            {
                "update_id": self.update_id,
                "message": {
                    "message_id": self.update_id,
                    "date": 0,
                    "chat": {"id": self.chat_id, "type": "private"},
                    **content,
                    "from": {
                        "id": self.chat_id,
                        "is_bot": False,
                        "first_name": "A",
                        "language_code": "fr",
                    },
                },
            }
        )

    def say(self, text: str) -> list[dict]:
        return self._message(text=text)

    def share_contact(self, sent: list[dict], phone: str) -> list[dict]:
        """Presses the reply keyboard's "share my number" button: Telegram sends the account's
        own contact (its user_id is the sender's), the digits without their "+"."""
        markup = sent[-1]["reply_markup"]
        markup = json.loads(markup) if isinstance(markup, str) else markup
        assert markup["keyboard"][0][0]["request_contact"] is True, markup
        contact = {"phone_number": phone.lstrip("+"), "first_name": "A", "user_id": self.chat_id}
        return self._message(contact=contact)

    def press(self, sent: list[dict], index: int) -> list[dict]:
        markup = sent[-1]["reply_markup"]
        markup = json.loads(markup) if isinstance(markup, str) else markup
        data = markup["inline_keyboard"][index - 1][0]["callback_data"]
        self.update_id += 1
        return self._post(
            {
                "update_id": self.update_id,
                "callback_query": {
                    "id": f"cb{self.update_id}",
                    "chat_instance": "c",
                    "data": data,
                    "from": {
                        "id": self.chat_id,
                        "is_bot": False,
                        "first_name": "A",
                        "language_code": "fr",
                    },
                    "message": {
                        "message_id": 1,
                        "date": 0,
                        "chat": {"id": self.chat_id, "type": "private"},
                        "text": ".",
                    },
                },
            }
        )


def telegram_booking(user: TelegramUser, *, language: int, phone: str, numero: str) -> list[dict]:
    """A Telegram booking of a carte de résident renewal in Isère, the language picked from the
    first menu (a French greeting: 1 Français, 2 عربي, 3 Autres / Others — bot.language_menu; a
    choice sticks whatever is typed next), up to the
    confirmation question: what it answered last (press 1 to book)."""
    sent = telegram_until_the_phone(user, language=language)
    sent = user.share_contact(sent, phone)
    return user.say(numero)


def telegram_until_the_phone(user: TelegramUser, *, language: int) -> list[dict]:
    """telegram_booking up to the phone question (Telegram proves no phone until its owner
    shares the contact): what it answered last."""
    sent = user.say("/start")
    sent = user.press(sent, language)
    sent = user.say("Je veux renouveler ma carte de résident")
    sent = user.press(sent, 2)  # J'ai déjà tout
    sent = user.say("38000")
    sent = user.say(BOOKED_DAY)
    return user.press(sent, 1)  # the first slot


# A Monday more than 48 h away whenever the tests run: « lundi » on a Saturday afternoon booked
# a slot under 48 h away, which rightly gets no 48 h reminder, and the reminder tests failed on
# weekends (session 30).
BOOKED_DAY = "lundi en huit"


# A French booking by SMS, answered the way a person on a basic phone would: menu numbers,
# a postal code, a day, the numéro étranger. (text, a word the replies must contain)
BOOKING_SCRIPT = (
    ("Bonjour", None),
    ("1", None),  # Français
    ("Je veux renouveler ma carte de résident", None),
    ("2", None),  # J'ai déjà tout
    ("38000", None),
    (BOOKED_DAY, None),
    ("1", None),  # the first free slot
    ("{numero}", None),
    ("1", "Code"),  # Oui, je réserve
)
CODE = re.compile(r"Code : ([0-9A-Z]{4}-[0-9A-Z]{4})")


def book_by_sms(phone: Phone, numero_etranger: str = "7501234567") -> tuple[str, list[str]]:
    """Runs BOOKING_SCRIPT (with this numéro étranger); returns the convocation code and the
    transcript ("> " marks what the phone sent)."""
    transcript: list[str] = []
    for text, expected in BOOKING_SCRIPT:
        text = text.format(numero=numero_etranger)
        replies = phone.send(text)
        transcript += [f"> {text}", *replies]
        if expected:
            assert any(expected in r for r in replies), "\n".join(transcript)
    match = CODE.search("\n".join(transcript))
    assert match, "\n".join(transcript)
    return match.group(1), transcript
