"""RETIRER / REVOKE / سحب from the applicant, by SMS or in a linked Telegram chat, at any time:
every consent given to a mediator for their phone ends (bot.pan.consent.revoke_all), and the
mediator's page refuses from its next request. Any other reply word goes on to the hook that
was there before (the scheduler's answers to messages sent first)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from bot.channels.phone_link import phone_of
from bot.channels.turn import Turn
from bot.i18n import translate
from bot.pan import consent, messages
from bot.words import Word

QuickReply = Callable[[Turn, Word], list[str] | None]


class Revocation:
    def __init__(
        self,
        session_factory: Callable[[], Session],
        secret_key: str,
        clock: Callable[[], datetime],
        then: QuickReply | None,
    ) -> None:
        self.session_factory = session_factory
        self.secret_key = secret_key
        self.clock = clock
        self.then = then

    def __call__(self, turn: Turn, word: Word) -> list[str] | None:
        if word is not Word.REVOKE:
            return self.then(turn, word) if self.then is not None else None
        language = turn.language
        with self.session_factory() as session:
            phone = turn.phone or phone_of(session, turn.channel, turn.address)
            ended = []
            if phone is not None:
                ended = consent.revoke_all(session, phone, self.secret_key, now=self.clock())
            if ended and turn.language_source is None:
                # Nothing said here yet: the language the code was sent in.
                language = ended[-1].language
            session.commit()
        sentence = messages.CONSENT_REVOKED if ended else messages.NOTHING_TO_REVOKE
        return [translate(sentence, language)]
