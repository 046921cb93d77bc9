"""`guichet mediators add|disable|list|audit`: the PAN mediators' accounts and what they did."""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.booking.mediators import Mediator, MediatorAudit
from bot.config import Settings
from bot.db import make_engine, make_session_factory, utcnow
from bot.formatting import format_when
from bot.pan import accounts

DEMO_LOGIN = "demo.perigueux"
DEMO_SITE = "pref-24"


def _sessions() -> Session:
    settings = Settings.from_env()
    return make_session_factory(make_engine(settings.database_url))()


def new_password() -> str:
    return secrets.token_urlsafe(12)


def cmd_add(args: argparse.Namespace) -> int:
    password = args.password
    generated = password is None and not sys.stdin.isatty()
    if password is None:
        password = new_password() if generated else getpass.getpass("Mot de passe : ")
    with _sessions() as session:
        try:
            mediator = accounts.add(
                session, args.login, args.name or args.login, args.site, password, now=utcnow()
            )
        except accounts.AccountError as error:
            print(f"guichet mediators add: {error}", file=sys.stderr)
            return 2
        session.commit()
        print(f"mediator {mediator.id} {mediator.login} ({mediator.site_code}) added")
        if generated:
            print(f"password (shown once): {password}")
    return 0


def cmd_disable(args: argparse.Namespace) -> int:
    with _sessions() as session:
        try:
            mediator = accounts.disable(session, args.login, now=utcnow())
        except accounts.AccountError as error:
            print(f"guichet mediators disable: {error}", file=sys.stderr)
            return 2
        session.commit()
        print(f"mediator {mediator.login} disabled; their sessions ended")
    return 0


def cmd_list(_args: argparse.Namespace) -> int:
    with _sessions() as session:
        for m in session.scalars(select(Mediator).order_by(Mediator.id)):
            state = "disabled" if m.disabled_at else "active"
            print(f"{m.id:>4}  {m.login:<24} {m.site_code:<10} {state:<8} {m.name}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    """Who, which applicant (masked), what, when: newest first."""
    with _sessions() as session:
        logins = dict(session.execute(select(Mediator.id, Mediator.login)).tuples().all())
        query = select(MediatorAudit).order_by(MediatorAudit.id.desc()).limit(args.limit)
        if args.login:
            mediator = accounts.by_login(session, args.login)
            if mediator is None:
                print(f"guichet mediators audit: no mediator {args.login!r}", file=sys.stderr)
                return 2
            query = query.where(MediatorAudit.mediator_id == mediator.id)
        for row in session.scalars(query):
            who = logins.get(row.mediator_id, "-")
            print(
                f"{format_when(row.at, 'fr')}  {who:<20} {row.action:<20} "
                f"{row.applicant or '-':<16} {row.detail or ''}".rstrip()
            )
    return 0


def ensure_demo(session: Session) -> str:
    """The demo mediator of `guichet run` (demo data only) with a fresh password, returned."""
    password = new_password()
    mediator = accounts.by_login(session, DEMO_LOGIN)
    if mediator is None:
        accounts.add(
            session, DEMO_LOGIN, "Médiatrice de démonstration", DEMO_SITE, password, now=utcnow()
        )
    else:
        accounts.set_password(session, mediator, password)
        mediator.disabled_at = None
    session.commit()
    return password


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    mediators = subparsers.add_parser("mediators", help="PAN mediators: accounts and audit")
    sub = mediators.add_subparsers(dest="mediators_command", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="add a mediator attached to a PAN (a site of the catalogue)")
    add.add_argument("login")
    add.add_argument("--site", required=True, help="site code with a PAN, e.g. pref-24")
    add.add_argument("--name", help="the name shown on the page")
    add.add_argument(
        "--password", help="else asked (a terminal) or generated and printed once (no terminal)"
    )
    add.set_defaults(func=cmd_add)
    disable = sub.add_parser("disable", help="disable a mediator and end their sessions")
    disable.add_argument("login")
    disable.set_defaults(func=cmd_disable)
    sub.add_parser("list", help="every mediator").set_defaults(func=cmd_list)
    audit = sub.add_parser("audit", help="what mediators did (applicants masked)")
    audit.add_argument("--login", help="only this mediator")
    audit.add_argument("--limit", type=int, default=200)
    audit.set_defaults(func=cmd_audit)
