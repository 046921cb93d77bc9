"""Local HTTP servers playing Twilio's REST API and Telegram's Bot API (servers we cannot
reach from here: faked at the HTTP boundary only, the real client libraries talk to them).
The scheduler's variants also list the messages sent (a crash recovery searches them) and accept
documents (the proof PDF)."""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


class Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler], port: int = 0):
        super().__init__(("127.0.0.1", port), handler)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Lock()
        self.ids = itertools.count(1)
        self.thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> Recorder:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def calls_to(self, suffix: str) -> list[dict[str, Any]]:
        with self.lock:
            return [params for path, params in self.calls if path.endswith(suffix)]

    def wait_for(self, suffix: str, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = self.calls_to(suffix)
            if len(calls) >= count:
                return calls
            time.sleep(0.02)
        return self.calls_to(suffix)


def _params(handler: BaseHTTPRequestHandler) -> dict[str, Any]:
    length = int(handler.headers.get("Content-Length") or 0)
    raw = handler.rfile.read(length).decode() if length else ""
    if "json" in (handler.headers.get("Content-Type") or ""):
        return json.loads(raw or "{}")
    return {key: values[-1] for key, values in parse_qs(raw).items()}


class _TwilioHandler(BaseHTTPRequestHandler):
    server: Recorder

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        params = _params(self)
        with self.server.lock:
            self.server.calls.append((self.path, params))
            sid = f"SM{next(self.server.ids):032d}"
        body = json.dumps(
            {
                "sid": sid,
                "status": "queued",
                "to": params.get("To"),
                "from": params.get("From"),
                "body": params.get("Body"),
                "num_segments": "1",
                "account_sid": "ACtest",
                "date_created": "Mon, 23 Nov 2026 16:00:00 +0000",
                "uri": f"/2010-04-01/Accounts/ACtest/Messages/{sid}.json",
            }
        ).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _TelegramHandler(BaseHTTPRequestHandler):
    server: Recorder

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        params = _params(self)
        method = self.path.rsplit("/", 1)[-1]
        with self.server.lock:
            self.server.calls.append((self.path, params))
            message_id = next(self.server.ids)
        result: Any = True
        if method == "getMe":
            result = {"id": 42, "is_bot": True, "first_name": "Guichet", "username": "guichet_bot"}
        elif method == "sendMessage":
            result = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "text": params.get("text", ""),
            }
        body = json.dumps({"ok": True, "result": result}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST


class TelegramRefusing(_TelegramHandler):
    """The Bot API refusing every sendMessage with `server.refusal` (status, description,
    parameters): a chat that blocked the bot (403), a deleted chat (400), a flood (429)."""

    def do_POST(self) -> None:
        if not self.path.endswith("/sendMessage"):
            super().do_POST()
            return
        params = _params(self)
        with self.server.lock:
            self.server.calls.append((self.path, params))
        status, description, parameters = self.server.refusal  # type: ignore[attr-defined]
        refusal = {"ok": False, "error_code": status, "description": description}
        body = json.dumps({**refusal, **({"parameters": parameters} if parameters else {})})
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())


def telegram_refusing(status: int, description: str, parameters: dict | None = None) -> Recorder:
    server = Recorder(TelegramRefusing)
    server.refusal = (status, description, parameters)  # type: ignore[attr-defined]
    return server.start()


def twilio_server() -> Recorder:
    return Recorder(_TwilioHandler).start()


def telegram_server() -> Recorder:
    return Recorder(_TelegramHandler).start()


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
                    "date_created": format_datetime(datetime.now(UTC)),
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


def twilio_with_list() -> Recorder:
    server = Recorder(TwilioWithList)
    server.messages = []  # type: ignore[attr-defined]
    return server.start()


def sms_to(server: Recorder, phone: str) -> list[str]:
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


def telegram_with_documents() -> Recorder:
    return Recorder(TelegramWithDocuments).start()


class RasaScript(BaseHTTPRequestHandler):
    """Rasa's REST channel and its status page, answering each message from a script (the text
    the person sent → the assistant's answer) and recording what reached it."""

    server: Recorder
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


def rasa_with_script(script: dict[str, str]) -> Recorder:
    handler = type("Script", (RasaScript,), {"script": script})
    return Recorder(handler).start()


def rasa_heard(server: Recorder) -> list[str]:
    return [str(call["message"]) for call in server.calls_to("/webhooks/rest/webhook")]


class _Failing(BaseHTTPRequestHandler):
    """The provider answering its first sends with the scripted failures (status, JSON body,
    headers; status 0 closes the connection after reading the request, as a dropped answer),
    then as usual. `server.answers` lists (monotonic time, status) per send."""

    server: Recorder
    failures: list[tuple[int, dict[str, Any], dict[str, str]]] = []
    sends: str = "Messages.json"

    def do_POST(self) -> None:
        if not self.path.endswith(self.sends):
            super().do_POST()  # type: ignore[misc]
            return
        with self.server.lock:
            step = self.server.step  # type: ignore[attr-defined]
            self.server.step += 1  # type: ignore[attr-defined]
        if step >= len(self.failures):
            self.server.answers.append((time.monotonic(), 200))  # type: ignore[attr-defined]
            super().do_POST()  # type: ignore[misc]
            return
        _params(self)
        status, body, headers = self.failures[step]
        self.server.answers.append((time.monotonic(), status))  # type: ignore[attr-defined]
        if status == 0:
            self.close_connection = True
            self.connection.shutdown(2)
            return
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def failing(
    provider: str, failures: list[tuple[int, dict[str, Any], dict[str, str]]], port: int = 0
) -> Recorder:
    """Twilio's (`provider="twilio"`) or Telegram's server failing first as scripted."""
    base = _TwilioHandler if provider == "twilio" else _TelegramHandler
    sends = "Messages.json" if provider == "twilio" else "/sendMessage"
    handler = type("Failing", (_Failing, base), {"failures": failures, "sends": sends})
    server = Recorder(handler, port)
    server.step = 0  # type: ignore[attr-defined]
    server.answers = []  # type: ignore[attr-defined]
    return server.start()


def accepted(server: Recorder) -> int:
    """How many sends the provider accepted (answered 2xx)."""
    return sum(1 for _, status in server.answers if 200 <= status < 300)  # type: ignore[attr-defined]
