"""`guichet chat` (the terminal chat) and `guichet telegram set-webhook`."""

from __future__ import annotations

import argparse
import asyncio

from bot.config import Settings
from bot.i18n import SUPPORTED_LANGUAGES

DEFAULT_PHONE = "+33612345678"
DEFAULT_CHAT_ID = "100000001"


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.channels.console import chat
    from bot.channels.masking import mask
    from bot.db import make_engine, make_session_factory, upgrade

    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    address = args.sender or (DEFAULT_PHONE if args.channel == "sms" else DEFAULT_CHAT_ID)
    shown = mask(address) if args.channel == "sms" else address
    # A phone sends no language: without --lang the assistant reads it in the messages.
    lang = args.lang or "langue lue dans vos messages"
    print(f"guichet chat · {args.channel} · {shown} · {lang} · Rasa {settings.rasa_url}")
    print(
        "Écrivez comme sur le téléphone (MENU, AIDE, STOP, SUITE, un numéro…) ; /quit pour sortir."
    )
    if args.channel == "telegram":
        print(
            f"Sur Telegram, /share partage votre numéro ({mask(DEFAULT_PHONE)}), comme le bouton."
        )
    try:
        return asyncio.run(
            chat(settings, make_session_factory(engine), args.channel, address, args.lang)
        )
    finally:
        engine.dispose()


def cmd_set_webhook(args: argparse.Namespace) -> int:
    from telegram import Bot
    from telegram.error import TelegramError

    from bot.channels.telegram import ALLOWED_UPDATES

    settings = Settings.from_env()
    if not settings.telegram_bot_token or not settings.telegram_secret_token:
        print("error: set TELEGRAM_BOT_TOKEN and TELEGRAM_SECRET_TOKEN first")
        return 2
    url = args.url or f"{settings.public_url}/telegram/webhook"

    async def register() -> bool:
        async with Bot(settings.telegram_bot_token, base_url=settings.telegram_api_base_url) as bot:
            return await bot.set_webhook(
                url,
                secret_token=settings.telegram_secret_token,
                allowed_updates=list(ALLOWED_UPDATES),
            )

    print(f"registering {url} (updates: {', '.join(ALLOWED_UPDATES)})")
    try:
        ok = asyncio.run(register())
    except TelegramError as exc:
        print(f"error: Telegram refused: {exc}")
        return 1
    print("webhook registered" if ok else "Telegram answered false")
    return 0 if ok else 1


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    chat = subparsers.add_parser(
        "chat", help="talk to the running assistant as an SMS or Telegram user would"
    )
    chat.add_argument("--channel", choices=("sms", "telegram"), default="sms")
    chat.add_argument("--from", dest="sender", help="phone (E.164) or Telegram chat id")
    chat.add_argument(
        "--lang",
        choices=SUPPORTED_LANGUAGES,
        default=None,
        help="a language hint, as Telegram's language_code (a phone sends none: the default)",
    )
    chat.set_defaults(func=cmd_chat)

    telegram = subparsers.add_parser("telegram", help="Telegram bot administration")
    actions = telegram.add_subparsers(dest="telegram_command", metavar="ACTION", required=True)
    webhook = actions.add_parser(
        "set-webhook", help="register {GUICHET_PUBLIC_URL}/telegram/webhook with the secret"
    )
    webhook.add_argument("--url", help="another public URL for the webhook")
    webhook.set_defaults(func=cmd_set_webhook)
