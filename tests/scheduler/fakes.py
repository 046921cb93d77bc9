"""Twilio's REST API at the HTTP boundary, with the message list a crash recovery searches;
Telegram's, with documents; Rasa's REST channel answering from a script."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.channels.fakes import _params, _Recorder, _TelegramHandler, _TwilioHandler


class TwilioWithList(_TwilioHandler):
    """Accepts messages like Twilio (201 + sid) and lists them back (GET …/Messages.json)."""

    def do_POST(self) -> None:
        super().do_POST()
        with self.server.lock:
            path, params = self.server.calls[-1]
            sid = f"SM{len([c for c in self.server.calls if c[0].endswith('Messages.json')]):032d}"
            self.server.messages.append(  # type: ignore[attr-defined]
                {
                    "sid": sid,
                    "to": params.get("To"),
                    "body": params.get("Body"),
                    "status": "queued",
                    "date_created": format_datetime(datetime.now(timezone.utc)),
                }
            )

    def do_GET(self) -> None:
        query = parse_qs(urlparse(self.path).query)
        to = query.get("To", [None])[-1]
        with self.server.lock:
            found = [m for m in self.server.messages if to is None or m["to"] == to]  # type: ignore[attr-defined]
        body = json.dumps(
            {
                "messages": [dict(m, account_sid="ACtest") for m in reversed(found)],
                "page": 0,
                "page_size": 50,
                "first_page_uri": self.path,
                "next_page_uri": None,
                "previous_page_uri": None,
                "uri": self.path,
                "start": 0,
                "end": len(found),
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def twilio_with_list() -> _Recorder:
    server = _Recorder(TwilioWithList)
    server.messages = []  # type: ignore[attr-defined]
    return server.start()


def sms_to(server: _Recorder, phone: str) -> list[str]:
    return [c["Body"] for c in server.calls_to("Messages.json") if c.get("To") == phone]


class TelegramWithDocuments(_TelegramHandler):
    """The Bot API, also accepting sendDocument (multipart): the PDF bytes are kept for the test."""

    def do_POST(self) -> None:
        if not self.path.endswith("/sendDocument"):
            super().do_POST()
            return
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        chat = re.search(rb'name="chat_id"\r\n(?:[^\r\n]*\r\n)*\r\n(-?\d+)', raw)
        start, end = raw.find(b"%PDF"), raw.rfind(b"%%EOF")
        params = {
            "chat_id": chat.group(1).decode() if chat else None,
            "pdf": raw[start : end + 5] if start >= 0 else b"",
        }
        with self.server.lock:
            self.server.calls.append((self.path, params))
            message_id = next(self.server.ids)
        body = json.dumps(
            {
                "ok": True,
                "result": {
                    "message_id": message_id,
                    "date": 0,
                    "chat": {"id": int(params["chat_id"] or 0), "type": "private"},
                    "document": {"file_id": "f1", "file_unique_id": "u1", "file_name": "proof.pdf"},
                },
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def telegram_with_documents() -> _Recorder:
    return _Recorder(TelegramWithDocuments).start()


class RasaScript(BaseHTTPRequestHandler):
    """Rasa's REST channel and its status page, answering each message from a script (the text
    the person sent → the assistant's answer) and recording what reached it."""

    server: _Recorder
    script: dict[str, str] = {}

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._reply(200, {"version": "3.6.21"})

    def do_POST(self) -> None:
        params = _params(self)
        with self.server.lock:
            self.server.calls.append((self.path, params))
        text = self.script.get(str(params.get("message")), "Je n'ai pas compris.")
        self._reply(200, [{"recipient_id": params.get("sender"), "text": text}])

    def _reply(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def rasa_with_script(script: dict[str, str]) -> _Recorder:
    handler = type("Script", (RasaScript,), {"script": script})
    return _Recorder(handler).start()


def rasa_heard(server: _Recorder) -> list[str]:
    return [str(call["message"]) for call in server.calls_to("/webhooks/rest/webhook")]
