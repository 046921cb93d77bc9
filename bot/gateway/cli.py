"""`guichet run`: prepares the database (schema, catalogue, demo slots) and serves the gateway.

On an empty database it seeds the demo préfectures; on a prepared one it only migrates and
publishes the new days of the horizon (both idempotent). Then it starts Rasa and the action
server (unless --no-rasa) and the scheduler worker (unless --no-worker) under
bot/supervisor.py, and serves the gateway with uvicorn.
"""

from __future__ import annotations

import argparse
import logging
import re
from typing import Any

from bot.booking import demo
from bot.booking.config import EngineConfig
from bot.booking.identity import mask_phone
from bot.config import VAR, Settings
from bot.db import make_engine, make_session_factory, utcnow
from bot.pan import cli as pan_cli
from bot.secrets import SECRET_KEY_FILE
from bot.signing import public_key_text


def cmd_run(args: argparse.Namespace) -> int:
    import uvicorn

    from bot.gateway.app import create_app
    from bot.gateway.drain import DrainingServer

    settings = Settings.from_env()
    if settings.secret_key_created:
        print(f"guichet: created a random GUICHET_SECRET_KEY in {VAR / SECRET_KEY_FILE} (kept)")
    engine = make_engine(settings.database_url)
    print(f"guichet: database {engine.url.render_as_string(hide_password=True)}")
    if not args.no_seed:
        demo.seed(
            engine,
            EngineConfig.from_settings(settings),
            now=utcnow(),
            progress=lambda line: print(f"guichet: {line}"),
        )
    session_factory = make_session_factory(engine)
    app = create_app(settings, session_factory)
    base = f"http://{settings.host}:{settings.port}"
    if not args.no_seed:
        # Demo data only, like the slots above: a mediator of the PAN of Périgueux, with a new
        # password at every start (real accounts: guichet mediators add).
        with session_factory() as session:
            password = pan_cli.ensure_demo(session)
        print(f"guichet: PAN page {base}/pan  demo mediator {pan_cli.DEMO_LOGIN} / {password}")
    admin = "admin token on" if settings.admin_token else "préfecture keys: guichet apikeys create"
    print(f"guichet: gateway  {base}  (API docs {base}/docs, health {base}/health; {admin})")
    print(f"guichet: webhooks {base}/sms/twilio  {base}/telegram/webhook")
    # Read now rather than at the first booking: production without GUICHET_SIGNING_KEY stops here.
    public_key = public_key_text(settings.convocation_key())
    print(f"guichet: counter  {base}/verify  (convocations signed, public key {public_key})")
    if settings.twilio_from:
        print(f"guichet: SMS sender {mask_phone(settings.twilio_from)}")
    # The helper processes, restarted if they crash (bot/supervisor.py). uvicorn returns on
    # Ctrl-C; a kill or a closed terminal becomes SystemExit; either way `finally` stops them.
    from bot.supervisor import Supervisor, exit_on_signals, stack_children

    skipped = {"rasa", "actions"} if args.no_rasa else set()
    if args.no_worker:
        skipped.add("worker")
    children = [spec for spec in stack_children(settings) if spec.name not in skipped]
    # endpoints.yml keeps Rasa's conversations in var/rasa-tracker.db, whatever the database.
    VAR.mkdir(exist_ok=True)
    with exit_on_signals():
        supervisor = Supervisor(children) if children else None
        try:
            if supervisor is not None:
                supervisor.start_in_background()
            # ws="none": the gateway serves no websockets. On SIGTERM it drains first
            # (bot/gateway/drain.py): no new turn, the ones in flight finish.
            config = uvicorn.Config(
                app,
                host=settings.host,
                port=settings.port,
                log_level=args.log_level,
                ws="none",
                **proxy_options(settings),
            )
            logging.getLogger("uvicorn.access").addFilter(NoTokens())
            DrainingServer(config, app.state.channels.drain, settings.drain_seconds).run()
        finally:
            if supervisor is not None:
                supervisor.stop()
    return 0


class NoTokens(logging.Filter):
    """Rasa calls /nlg?token=…, a credential derived from the secret key: the access log
    (--log-level info) shows the path without its value (a failing-machine test, session 23)."""

    TOKEN = re.compile(r"(token=)[^&\s]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                self.TOKEN.sub(r"\1…", arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


def proxy_options(settings: Settings) -> dict[str, Any]:
    """X-Forwarded-For read only from the proxies named in GUICHET_TRUSTED_PROXIES: the per-IP
    limits (booking API, /verify, PAN login) count the client's own address otherwise."""
    trusted = settings.trusted_proxies.strip()
    if not trusted:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted}


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    run = subparsers.add_parser("run", help="serve the gateway (seeds the demo data when empty)")
    run.add_argument("--no-seed", action="store_true", help="do not migrate/seed/publish first")
    run.add_argument(
        "--log-level",
        default="warning",
        help="the gateway's log level (info also logs every request); default: warning",
    )
    run.add_argument(
        "--no-rasa", action="store_true", help="do not start Rasa and the action server"
    )
    run.add_argument("--no-worker", action="store_true", help="do not start the scheduler worker")
    run.set_defaults(func=cmd_run)
