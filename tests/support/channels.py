"""What the channel tests share: the providers' test credentials, a phone posting signed SMS
to the gateway, and an outbox recording what a gateway process sends."""

from __future__ import annotations

from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

AUTH_TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_URL = "https://guichet.example.fr"
TELEGRAM_SECRET = "s3cret-Token_for-tests"
PHONE = "+33612345678"


class RecordingOutbox:
    """What a gateway process sends through the provider's REST API (the answers to messages
    that waited for it), in order."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    async def deliver(self, messages) -> None:
        self.texts += [message.text for message in messages]


class SmsPhone:
    """Posts what Twilio would post, signed with Twilio's own validator."""

    def __init__(self, client: TestClient, phone: str = PHONE, token: str = AUTH_TOKEN):
        self.client = client
        self.phone = phone
        self.token = token
        self.count = 0

    def params(self, body: str, sid: str | None = None, **extra: str) -> dict[str, str]:
        self.count += 1
        return {
            "MessageSid": sid or f"SMin{self.phone[-4:]}{self.count:06d}",
            "AccountSid": "ACtest",
            "From": self.phone,
            "To": "+33700000000",
            "Body": body,
            "NumMedia": "0",
            **extra,
        }

    def sign(
        self, params: dict[str, str], path: str = "/sms/twilio", base: str = PUBLIC_URL
    ) -> str:
        return RequestValidator(self.token).compute_signature(base + path, params)

    def send(self, body: str, sid: str | None = None, **extra: str):
        params = self.params(body, sid, **extra)
        return self.post(params)

    def post(self, params: dict[str, str], path: str = "/sms/twilio"):
        return self.client.post(
            path, data=params, headers={"X-Twilio-Signature": self.sign(params, path)}
        )
