"""Préfecture staff commands: `guichet db upgrade`, `guichet seed`, `guichet slots publish`,
`guichet verify CODE`, `guichet stats`, `guichet waitlist expire`, `guichet apikeys …`."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from bot import signing
from bot.booking import convocation, credentials, demo, offers, publishing, reports
from bot.booking.codes import display_code
from bot.booking.config import EngineConfig
from bot.booking.messages import (
    VERIFY_CURRENT,
    VERIFY_INVALID,
    VERIFY_REASONS,
    VERIFY_SIGNED,
    VERIFY_VALID,
)
from bot.booking.models import Booking
from bot.config import Settings
from bot.db import make_engine, make_session_factory, upgrade, utcnow
from bot.i18n import translate
from bot.timezone import PARIS


def _engine(settings: Settings) -> Engine:
    return make_engine(settings.database_url)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    engine = _engine(settings)
    print(f"upgrading {engine.url.render_as_string(hide_password=True)} to {args.revision}")
    upgrade(engine, args.revision)
    print("done")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    demo.seed(_engine(settings), EngineConfig.from_settings(settings), now=utcnow(), progress=print)
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    factory = make_session_factory(_engine(settings))
    with factory.begin() as session:
        result = publishing.publish(
            session,
            EngineConfig.from_settings(settings),
            now=utcnow(),
            date_from=args.date_from,
            date_to=args.date_to,
            site_code=args.site,
            demarche_code=args.demarche,
        )
    print(
        f"{result.created} slots published, {result.already_published} already published, "
        f"{result.offers_made} offered to the waitlist"
    )
    return 0


def _public_key(given: str) -> signing.Ed25519PublicKey:
    """`--key`: the key itself ('ed25519:…' or PEM) or a file holding it."""
    path = Path(given)
    text = (
        path.read_text()
        if not given.startswith(signing.PUBLIC_KEY_PREFIX) and path.is_file()
        else given
    )
    return signing.load_public_key(text)


def cmd_verify_public_key(args: argparse.Namespace) -> int:
    """Prints the préfecture's public key: the counter verifies QR codes with it, offline."""
    key = Settings.from_env().convocation_key()
    print(signing.public_key_pem(key) if args.pem else signing.public_key_text(key))
    return 0


def cmd_verify_offline(args: argparse.Namespace) -> int:
    """The signature alone, with a public key and no database: valid means the préfecture
    issued this convocation for this slot, not that it is still booked."""
    try:
        key = _public_key(args.key)
    except (OSError, ValueError) as exc:
        print(f"guichet verify: --key: {exc}")
        return 2
    try:
        facts = signing.read(args.code, key)
    except signing.InvalidPayload:
        print(
            translate(
                VERIFY_INVALID,
                "fr",
                code="QR",
                reason=translate(VERIFY_REASONS["invalid_signature"], "fr"),
            )
        )
        return 1
    when = facts.starts_at.astimezone(PARIS).strftime("%d/%m/%Y à %H:%M")
    print(
        translate(
            VERIFY_VALID,
            "fr",
            code=display_code(facts.code),
            demarche=facts.demarche,
            site=facts.site,
            when=when,
        )
    )
    print(translate(VERIFY_SIGNED, "fr"))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Exit 0 when the convocation is valid, 1 otherwise (usable in a script at the counter).
    Takes the code or the QR payload of a printed convocation; a payload's signature is
    checked with the préfecture's key, then the booking in the database."""
    if args.public_key:
        return cmd_verify_public_key(args)
    if not args.code:
        print("guichet verify: give a code or a QR payload (or --public-key)")
        return 2
    if args.offline:
        if not args.key:
            print("guichet verify: --offline needs --key (the préfecture's public key)")
            return 2
        return cmd_verify_offline(args)
    settings = Settings.from_env()
    factory = make_session_factory(_engine(settings))
    try:
        public_key = _public_key(args.key) if args.key else settings.convocation_key().public_key()
    except (OSError, ValueError) as exc:
        print(f"guichet verify: --key: {exc}")
        return 2
    with factory() as session:
        result = convocation.verify_presented(session, args.code, public_key, now=utcnow())
        if args.json:
            from bot.booking.api.bookings import verification_out

            print(json.dumps(verification_out(result).model_dump(mode="json"), ensure_ascii=False))
        elif result.valid and result.booking is not None:
            print(translate(VERIFY_VALID, "fr", **_slot_of(result.booking)))
            if result.signed:
                print(translate(VERIFY_SIGNED, "fr"))
        else:
            reason = VERIFY_REASONS.get(result.reason or "")
            print(
                translate(
                    VERIFY_INVALID,
                    "fr",
                    code=display_code(result.code) or "-",
                    reason=translate(reason, "fr") if reason else result.reason,
                )
            )
            if result.booking is not None and result.reason == convocation.CONVOCATION_CHANGED:
                print(translate(VERIFY_CURRENT, "fr", **_slot_of(result.booking)))
    return 0 if result.valid else 1


def _slot_of(booking: Booking) -> dict[str, str]:
    """What the counter reads of a booking: code, démarche, site and time, never the phone."""
    slot = booking.slot
    local = slot.starts_at.replace(tzinfo=slot.starts_at.tzinfo or UTC)
    return {
        "code": display_code(booking.code),
        "demarche": slot.demarche.name or slot.demarche_code,
        "site": slot.site.name,
        "when": local.astimezone(ZoneInfo(slot.site.timezone)).strftime("%d/%m/%Y à %H:%M"),
    }


def cmd_stats(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    factory = make_session_factory(_engine(settings))
    with factory() as session:
        figures = reports.stats(session, now=utcnow(), site_code=args.site)
    for name, value in figures.model_dump().items():
        print(f"{name:40} {value}")
    return 0


def cmd_expire(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    factory = make_session_factory(_engine(settings))
    with factory.begin() as session:
        expired = offers.expire_offers(session, EngineConfig.from_settings(settings), now=utcnow())
    print(f"{len(expired)} offers expired and passed on")
    return 0


def cmd_apikeys_create(args: argparse.Namespace) -> int:
    factory = make_session_factory(_engine(Settings.from_env()))
    try:
        with factory.begin() as session:
            key, token = credentials.create_key(session, args.name, args.scope, now=utcnow())
            key_id = key.id
    except ValueError as exc:
        print(f"guichet apikeys: {exc}")
        return 2
    print(f"key {key_id} ({args.name}; {' '.join(sorted(set(args.scope)))})")
    print(f"token (shown once, keep it secret): {token}")
    print("use it as the header  Authorization: Bearer <token>")
    return 0


def cmd_apikeys_revoke(args: argparse.Namespace) -> int:
    factory = make_session_factory(_engine(Settings.from_env()))
    with factory.begin() as session:
        revoked = credentials.revoke_key(session, args.id, now=utcnow())
    print(f"key {args.id} revoked" if revoked else f"no active key {args.id}")
    return 0 if revoked else 1


def cmd_apikeys_list(args: argparse.Namespace) -> int:
    factory = make_session_factory(_engine(Settings.from_env()))
    with factory() as session:
        for key in credentials.list_keys(session):
            state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
            print(f"{key.id:>4}  {key.name:30} {' '.join(key.scopes):40} {state}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    db = subparsers.add_parser("db", help="database schema (Alembic)")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_sub.add_parser("upgrade", help="migrate GUICHET_DATABASE_URL to the latest schema")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(func=cmd_db_upgrade)

    seed = subparsers.add_parser(
        "seed", aliases=["demo"], help="schema + catalogue sites/ranges + slots for the horizon"
    )
    seed.set_defaults(func=cmd_seed)

    slots = subparsers.add_parser("slots", help="slot publication")
    slots_sub = slots.add_subparsers(dest="slots_command", metavar="ACTION", required=True)
    publish = slots_sub.add_parser("publish", help="turn opening ranges into slots (idempotent)")
    publish.add_argument("--site")
    publish.add_argument("--demarche")
    publish.add_argument("--from", dest="date_from", type=date.fromisoformat)
    publish.add_argument("--to", dest="date_to", type=date.fromisoformat)
    publish.set_defaults(func=cmd_publish)

    verify = subparsers.add_parser(
        "verify", help="check a convocation code or QR payload (exit 0 = valid)"
    )
    verify.add_argument("code", nargs="?", help="the code (ABCD-EFGH) or the QR payload (G1.…)")
    verify.add_argument("--json", action="store_true")
    verify.add_argument(
        "--public-key",
        action="store_true",
        help="print the préfecture's public key (what counters verify QR codes with) and stop",
    )
    verify.add_argument("--pem", action="store_true", help="with --public-key: as PEM")
    verify.add_argument(
        "--offline",
        action="store_true",
        help="check a QR payload's signature alone, without the database (needs --key)",
    )
    verify.add_argument("--key", help="the public key ('ed25519:…' or PEM) or a file holding it")
    verify.set_defaults(func=cmd_verify)

    stats = subparsers.add_parser("stats", help="publication→booking delay, no-show rate, waitlist")
    stats.add_argument("--site")
    stats.set_defaults(func=cmd_stats)

    wl = subparsers.add_parser("waitlist", help="waitlist maintenance")
    wl_sub = wl.add_subparsers(dest="waitlist_command", metavar="ACTION", required=True)
    expire = wl_sub.add_parser("expire", help="expire offers past their hold and pass them on")
    expire.set_defaults(func=cmd_expire)

    keys = subparsers.add_parser("apikeys", help="API keys of a préfecture's systems (scoped)")
    keys_sub = keys.add_subparsers(dest="apikeys_command", required=True)
    create = keys_sub.add_parser("create", help="create a key; its token is shown once")
    create.add_argument("--name", required=True, help="whose system it is")
    create.add_argument(
        "--scope",
        nargs="+",
        required=True,
        metavar="SCOPE",
        help=f"what it may do: {', '.join(sorted(credentials.ALL_SCOPES))}",
    )
    create.set_defaults(func=cmd_apikeys_create)
    revoke = keys_sub.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(func=cmd_apikeys_revoke)
    keys_sub.add_parser("list", help="the keys, their scopes, active or revoked").set_defaults(
        func=cmd_apikeys_list
    )
