"""The language menu: the likely languages first, the rest one short page away, never a long list.

Page 1 proposes the conversation's language (detected or chosen), its prior language and French;
a conversation in French (the default when nothing was recognised) gets the languages of
locales/languages.yml `first_page` too (Arabic, whose script a French greeting would otherwise
never show). When all the declared languages fit
in `SHORT_MENU` lines, it simply lists them all, in declared order. "Autres / Others" leads to
page 2, 3…: every declared language, `PAGE_SIZE` a page, in declared order, so a page is the same
whatever was detected (the payload carries only its number). SMS and Telegram show the same
entries: numbered lines or keys (bot.channels.shaping).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.i18n import FIRST_PAGE_LANGUAGES, LANGUAGE_NAMES, SOURCE_LANGUAGE, SUPPORTED_LANGUAGES

SHORT_MENU = 4
PAGE_SIZE = 5
# Written in French and English whatever the conversation's language: the person may not read
# the language the menu is shown in, and both are Latin script. Short: with «عربي» on the first
# page the greeting is a UCS-2 SMS, and greeting and menu must fit its 70 characters
# (tests/channels/test_segments_budget.py).
OTHER_LANGUAGE = "Autres / Others"


def choose_payload(code: str) -> str:
    return f'/choose_language{{"language":"{code}"}}'


# The entity of "Autres / Others": the page asked for (domain/core.yml, bot.gateway.nlg).
LANGUAGE_PAGE = "language_page"


def page_payload(page: int) -> str:
    return f'/change_language{{"{LANGUAGE_PAGE}":"{page}"}}'


@dataclass(frozen=True)
class MenuEntry:
    """One line of the menu: a language's own name, or the way to another page."""

    title: str
    payload: str


def _likely(
    detected: str | None, prior: str | None, declared: Sequence[str], first_page: Sequence[str]
) -> list[str]:
    # The first-page languages are for a conversation in French, the default when nothing was
    # recognised: one who wrote another language reads it, and French is the way to the counter.
    offered = first_page if detected in (None, SOURCE_LANGUAGE) else (SOURCE_LANGUAGE,)
    likely = [code for code in (detected, prior, *offered) if code in declared]
    return list(dict.fromkeys(likely))


def language_menu(
    detected: str | None = None,
    prior: str | None = None,
    *,
    page: int = 1,
    declared: Sequence[str] = SUPPORTED_LANGUAGES,
    names: dict[str, str] = LANGUAGE_NAMES,
    first_page: Sequence[str] = FIRST_PAGE_LANGUAGES,
) -> tuple[MenuEntry, ...]:
    """The entries of page `page` (1 = the likely languages)."""

    def entry(code: str) -> MenuEntry:
        return MenuEntry(names[code], choose_payload(code))

    if len(declared) <= SHORT_MENU:
        return tuple(entry(code) for code in declared)
    if page <= 1:
        return (*(entry(code) for code in _likely(detected, prior, declared, first_page)),
                MenuEntry(OTHER_LANGUAGE, page_payload(2)))  # fmt: skip
    start = (page - 2) * PAGE_SIZE
    shown = tuple(entry(code) for code in declared[start : start + PAGE_SIZE])
    if start + PAGE_SIZE < len(declared):
        return (*shown, MenuEntry(OTHER_LANGUAGE, page_payload(page + 1)))
    return shown
