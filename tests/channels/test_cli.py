from __future__ import annotations

import io

from bot.channels import messages
from bot.channels.cli import cmd_chat  # noqa: F401  (the module registers itself)
from bot.cli import main
from bot.i18n import translate
from tests.support.channels import TELEGRAM_SECRET
from tests.support.servers import closed_port


def test_set_webhook_registers_url_secret_and_allowed_updates(monkeypatch, telegram_api, capsys):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:ABC")
    monkeypatch.setenv("TELEGRAM_SECRET_TOKEN", TELEGRAM_SECRET)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", f"{telegram_api.url}/bot")
    monkeypatch.setenv("GUICHET_PUBLIC_URL", "https://guichet.example.fr")
    assert main(["telegram", "set-webhook"]) == 0
    [call] = telegram_api.calls_to("/bot123:ABC/setWebhook")
    assert call["url"] == "https://guichet.example.fr/telegram/webhook"
    assert call["secret_token"] == TELEGRAM_SECRET
    assert "callback_query" in str(call["allowed_updates"]) and "message" in str(
        call["allowed_updates"]
    )
    assert "webhook registered" in capsys.readouterr().out


def test_set_webhook_needs_the_tokens(monkeypatch, capsys):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["telegram", "set-webhook"]) == 2
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().out


def test_chat_shows_each_sms_with_its_segment_count(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("GUICHET_DATABASE_URL", f"sqlite:///{tmp_path / 'chat.db'}")
    monkeypatch.setenv("GUICHET_RASA_URL", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setattr("sys.stdin", io.StringIO("Bonjour\nAIDE\n/quit\n"))
    assert main(["chat", "--channel", "sms", "--from", "+33612345678"]) == 0
    out = capsys.readouterr().out
    assert "+336******78" in out and "+33612345678" not in out
    assert "SMS · 1 segment · GSM-7" in out
    assert "L'assistant est momentanément indisponible" in out
    assert translate(messages.HELP, "fr") in out


def test_chat_sends_no_language_hint_like_a_phone_unless_asked(monkeypatch, tmp_path, capsys):
    # Issue 10: a phone gives no language; `--lang` is a hint, as Telegram's language_code.
    from bot.channels.conversation import Conversations

    hints: list[str | None] = []

    async def handle(self, incoming, deliver=None):
        hints.append(incoming.language_hint)
        return []

    monkeypatch.setattr(Conversations, "handle", handle)
    monkeypatch.setenv("GUICHET_DATABASE_URL", f"sqlite:///{tmp_path / 'chat.db'}")
    monkeypatch.setenv("GUICHET_RASA_URL", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setattr("sys.stdin", io.StringIO("Hello\n/quit\n"))
    assert main(["chat"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("Hello\n/quit\n"))
    assert main(["chat", "--lang", "ar"]) == 0
    assert hints == [None, "ar"]


def test_chat_on_telegram_shares_the_contact_with_share(monkeypatch, tmp_path, capsys):
    # A typed number is refused on Telegram (session 22): /share is the app's button.
    from bot.channels.conversation import Conversations

    sent: list[tuple[str, str | None]] = []

    async def handle(self, incoming, deliver=None):
        sent.append((incoming.text, incoming.phone))
        return []

    monkeypatch.setattr(Conversations, "handle", handle)
    monkeypatch.setenv("GUICHET_DATABASE_URL", f"sqlite:///{tmp_path / 'chat.db'}")
    monkeypatch.setenv("GUICHET_RASA_URL", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setattr("sys.stdin", io.StringIO("06 11 12 00 02\n/share\n/quit\n"))
    assert main(["chat", "--channel", "telegram"]) == 0
    assert sent == [("06 11 12 00 02", None), ("+33612345678", "+33612345678")]
    assert "/share" in capsys.readouterr().out
