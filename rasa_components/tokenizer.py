"""Rasa's WhitespaceTokenizer, with the letters of a script written without spaces (Chinese)
set apart as one token each, and never dropped as emoji.

A Chinese sentence has no spaces, so the WhitespaceTokenizer made it a single token: the
char n-gram featurizer still read its intent, but the CRF could not mark an entity inside it
("我的[十年卡](title_type)快到期了" was misaligned and never learnt). Which scripts are unspaced
is the languages' data (`spaces: false` in locales/<code>/language.yml, bot.locales), read
once; text in any other script is tokenized exactly as before, so French, English and Arabic
get the same tokens and features (config.yml: figures before and after).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.locales import unspaced_scripts
from bot.text import in_scripts


def split_unspaced(token: Token, scripts: frozenset[str]) -> list[Token]:
    """The token, or its pieces: each unspaced letter alone, the runs between kept whole."""
    text = token.text
    if not scripts or text.isascii():
        return [token]
    pieces: list[Token] = []
    run_start: int | None = None
    for i, char in enumerate(text):
        if in_scripts(char, scripts):
            if run_start is not None:
                pieces.append(_piece(token, run_start, i))
                run_start = None
            pieces.append(_piece(token, i, i + 1))
        elif run_start is None:
            run_start = i
    if run_start is not None:
        pieces.append(_piece(token, run_start, len(text)))
    return pieces


def _piece(token: Token, start: int, end: int) -> Token:
    return Token(token.text[start:end], token.start + start, token.start + end)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class UnspacedTokenizer(WhitespaceTokenizer):
    """WhitespaceTokenizer; the letters of unspaced scripts (bot.locales) one token each."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self.unspaced = unspaced_scripts()

    def remove_emoji(self, text: str) -> str:
        # Rasa's emoji pattern spans U+24C2..U+1F251, all of CJK: a Chinese word was dropped
        # as an emoji (a Chinese sentence survived only as the whole text, when nothing else did).
        if any(in_scripts(char, self.unspaced) for char in text):
            return text
        return super().remove_emoji(text)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        tokens = super().tokenize(message, attribute)
        return [piece for token in tokens for piece in split_unspaced(token, self.unspaced)]
