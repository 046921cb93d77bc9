"""Settings read from the environment, in one place, with defaults that run on a laptop."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bot import signing
from bot.secrets import SECRET_KEY_FILE, SERVICE_TOKEN_FILE, derive, secret_from_env

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# What the stack writes beside the code: the SQLite databases, the keys it generated.
VAR = PROJECT_ROOT / "var"


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"{name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'guichet.db'}"
    # Empty only in tests that build Settings by hand; from_env always gives a real key.
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"
    api_url: str = "http://127.0.0.1:8000/api"
    rasa_url: str = "http://127.0.0.1:5005"
    actions_port: int = 5055
    offer_hold_hours: int = 12
    # A slot offered to a person must start late enough for them to get there with their papers.
    min_lead_hours: float = 2.0
    rebook_cooldown_days: int = 90
    reminder_hours: int = 48
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from: str = ""
    twilio_messaging_service_sid: str = ""
    telegram_bot_token: str = ""
    telegram_secret_token: str = ""
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    flood_per_minute: int = 20
    twilio_api_base_url: str = "https://api.twilio.com"
    sms_reply_deadline_seconds: float = 10.0
    admin_token: str = ""
    # Who may call the booking API (bot/booking/credentials.py) and how often (bot/ratelimit.py).
    service_token: str = ""
    redis_url: str = ""
    rate_per_ip: str = "120/minute"  # callers without a credential
    rate_per_key: str = "20/second;1200/minute"  # a préfecture's API key, the admin token
    # Places taken (book, join the waitlist, accept an offer) by one key: a system booking
    # for many phones in a burst is the resale pattern. The service is bounded per phone.
    rate_new_bookings_per_key: str = "2/second;120/hour"
    rate_per_service: str = "200/second"  # the action server and the worker
    rate_per_phone: str = "30/minute"  # calls acting for one phone, whoever makes them
    # The mediator page (bot.pan): login attempts per IP, and how long a session lasts.
    pan_login_rate: str = "20/minute"
    pan_session_minutes: int = 60
    max_body_bytes: int = 64 * 1024  # every route but /nlg
    nlg_max_body_bytes: int = 4 * 1024 * 1024  # Rasa sends the whole session's tracker
    # The first wait before a late reply the provider did not take is sent again (doubling).
    send_retry_first_seconds: float = 1.0
    # On SIGTERM, how long the turns in flight may take to finish (bot/gateway/drain.py).
    drain_seconds: float = 25.0
    # The proxies whose X-Forwarded-For is believed (uvicorn `forwarded_allow_ips`), comma
    # separated; none by default: uvicorn trusted 127.0.0.1, so behind a proxy on the same host
    # any client could pick its address and pass the per-IP limits (session 22).
    trusted_proxies: str = ""
    # Messages received while the database cannot record them (bot/channels/spool.py).
    spool_dir: str = str(VAR / "spool")
    # True when from_env generated the key just now (var/secret-key): `guichet run` says so.
    secret_key_created: bool = False
    # The préfecture's convocation-signing secret (bot/signing.py); empty: GUICHET_SIGNING_KEY
    # or var/signing-key, read only when a convocation is signed or checked.
    signing_key: str = ""

    @property
    def nlg_token(self) -> str:
        """What Rasa sends to /nlg (endpoints.yml `token`): only Rasa gets it from us."""
        return derive(self.secret_key, "nlg")

    @property
    def rasa_api_token(self) -> str:
        """Rasa's HTTP API token (`--auth-token`): the gateway alone takes a failed turn back
        and sets the language slot through it; nobody else on the host reads a conversation."""
        return derive(self.secret_key, "rasa-api")

    def convocation_key(self) -> Ed25519PrivateKey:
        """The key that signs printed convocations. Read on first use, not at start: most
        processes never sign, and var/signing-key is created only when one does."""
        if self.signing_key:
            return signing.private_key(self.signing_key)
        return signing.signing_key(VAR)

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ.get
        port = _env_int("GUICHET_PORT", 8000)
        host = env("GUICHET_HOST", "127.0.0.1")
        public_url = env("GUICHET_PUBLIC_URL", f"http://{host}:{port}").rstrip("/")
        secret_key, created = secret_from_env("GUICHET_SECRET_KEY", VAR, SECRET_KEY_FILE)
        return cls(
            database_url=env("GUICHET_DATABASE_URL", cls.database_url),
            secret_key=secret_key,
            secret_key_created=created,
            host=host,
            port=port,
            public_url=public_url,
            api_url=env("GUICHET_API_URL", f"http://127.0.0.1:{port}/api").rstrip("/"),
            rasa_url=env("GUICHET_RASA_URL", cls.rasa_url).rstrip("/"),
            actions_port=_env_int("GUICHET_ACTIONS_PORT", 5055),
            offer_hold_hours=_env_int("GUICHET_OFFER_HOLD_HOURS", 12),
            min_lead_hours=float(env("GUICHET_MIN_LEAD_HOURS") or 2),
            rebook_cooldown_days=_env_int("GUICHET_REBOOK_COOLDOWN_DAYS", 90),
            reminder_hours=_env_int("GUICHET_REMINDER_HOURS", 48),
            twilio_account_sid=env("TWILIO_ACCOUNT_SID", ""),
            twilio_auth_token=env("TWILIO_AUTH_TOKEN", ""),
            twilio_from=env("TWILIO_FROM", ""),
            twilio_messaging_service_sid=env("TWILIO_MESSAGING_SERVICE_SID", ""),
            telegram_bot_token=env("TELEGRAM_BOT_TOKEN", ""),
            telegram_secret_token=env("TELEGRAM_SECRET_TOKEN", ""),
            telegram_api_base_url=env("TELEGRAM_API_BASE_URL", cls.telegram_api_base_url),
            flood_per_minute=_env_int("GUICHET_FLOOD_PER_MINUTE", 20),
            twilio_api_base_url=env("TWILIO_API_BASE_URL", cls.twilio_api_base_url).rstrip("/"),
            sms_reply_deadline_seconds=float(env("GUICHET_SMS_REPLY_DEADLINE", "10")),
            admin_token=env("GUICHET_ADMIN_TOKEN", ""),
            # Every process of the stack reads the same kept token (or the environment's).
            service_token=secret_from_env("GUICHET_SERVICE_TOKEN", VAR, SERVICE_TOKEN_FILE)[0],
            redis_url=env("GUICHET_REDIS_URL", ""),
            rate_per_ip=env("GUICHET_RATE_PER_IP", cls.rate_per_ip),
            rate_per_key=env("GUICHET_RATE_PER_KEY", cls.rate_per_key),
            rate_new_bookings_per_key=env(
                "GUICHET_RATE_NEW_BOOKINGS_PER_KEY", cls.rate_new_bookings_per_key
            ),
            rate_per_service=env("GUICHET_RATE_PER_SERVICE", cls.rate_per_service),
            rate_per_phone=env("GUICHET_RATE_PER_PHONE", cls.rate_per_phone),
            pan_login_rate=env("GUICHET_PAN_LOGIN_RATE", cls.pan_login_rate),
            pan_session_minutes=_env_int("GUICHET_PAN_SESSION_MINUTES", cls.pan_session_minutes),
            max_body_bytes=_env_int("GUICHET_MAX_BODY_BYTES", cls.max_body_bytes),
            nlg_max_body_bytes=_env_int("GUICHET_NLG_MAX_BODY_BYTES", cls.nlg_max_body_bytes),
            signing_key=env(signing.SIGNING_KEY_ENV, "").strip(),
            spool_dir=env("GUICHET_SPOOL_DIR", cls.spool_dir),
            drain_seconds=float(env("GUICHET_DRAIN_SECONDS") or cls.drain_seconds),
            trusted_proxies=env("GUICHET_TRUSTED_PROXIES", ""),
        )
