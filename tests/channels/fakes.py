"""Local HTTP servers playing Twilio's REST API and Telegram's Bot API (servers we cannot
reach from here: faked at the HTTP boundary only, the real client libraries talk to them)."""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


class _Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler]):
        super().__init__(("127.0.0.1", 0), handler)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Lock()
        self.ids = itertools.count(1)
        self.thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> _Recorder:
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
    server: _Recorder

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
    server: _Recorder

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


def twilio_server() -> _Recorder:
    return _Recorder(_TwilioHandler).start()


def telegram_server() -> _Recorder:
    return _Recorder(_TelegramHandler).start()
