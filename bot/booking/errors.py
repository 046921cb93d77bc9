"""The one exception the engine raises for a refusal (a rule said no, not a bug)."""

from __future__ import annotations

from bot.booking.messages import HTTP_STATUS, REFUSALS
from bot.i18n import translate


class BookingError(Exception):
    """A refusal: `code` is the stable reason, `message(lang)` the sentence for a person."""

    def __init__(self, code: str, **params: object) -> None:
        if code not in REFUSALS:
            raise KeyError(f"unknown refusal code {code!r}")
        self.code = code
        self.params = params
        super().__init__(code)

    def message(self, lang: str | None = "fr") -> str:
        return translate(REFUSALS[self.code], lang, **self.params)

    @property
    def http_status(self) -> int:
        return HTTP_STATUS.get(self.code, 409)

    def __str__(self) -> str:
        return f"{self.code}: {self.message()}"
