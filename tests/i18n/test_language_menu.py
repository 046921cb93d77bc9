"""The language menu scales: the likely languages, then short pages, never a long list."""

from __future__ import annotations

import functools

from bot.i18n import LANGUAGE_NAMES, SUPPORTED_LANGUAGES
from bot.language_menu import OTHER_LANGUAGE, PAGE_SIZE, SHORT_MENU, language_menu, page_payload
from bot.responses import render

EIGHT = ("fr", "en", "ar", "fa", "ps", "uk", "ru", "zh")
NAMES = {code: code.upper() for code in EIGHT}


def _titles(entries) -> list[str]:
    return [e.title for e in entries]


def test_the_shipped_menu_is_short_and_starts_with_the_likely_languages() -> None:
    buttons = render("utter_ask_language", "ar", channel="sms")["buttons"]
    titles = [b["title"] for b in buttons]
    assert len(buttons) <= SHORT_MENU + 1
    if len(SUPPORTED_LANGUAGES) <= SHORT_MENU:
        # Few enough to list them all, in declared order.
        assert titles == [LANGUAGE_NAMES[code] for code in SUPPORTED_LANGUAGES]
    else:
        assert "Français" in titles and titles[-1] == OTHER_LANGUAGE


def test_page_one_proposes_the_detected_the_prior_and_french_then_a_way_to_the_rest() -> None:
    menu = functools.partial(language_menu, declared=EIGHT, names=NAMES, first_page=("fr", "ar"))
    entries = menu("ps", "uk")
    assert _titles(entries) == ["PS", "UK", "FR", OTHER_LANGUAGE]
    assert entries[-1].payload == page_payload(2)
    # Nothing recognised, or French: the first-page languages too (a script French cannot show).
    assert _titles(menu(None, None)) == ["FR", "AR", OTHER_LANGUAGE]
    assert _titles(menu("fr", "fr")) == ["FR", "AR", OTHER_LANGUAGE]
    assert _titles(menu("en", None)) == ["EN", "FR", OTHER_LANGUAGE]


def test_the_greeting_menu_starts_with_the_conversations_language() -> None:
    for lang in SUPPORTED_LANGUAGES:
        titles = [b["title"] for b in render("utter_greet", lang, channel="sms")["buttons"]]
        assert titles[0] == LANGUAGE_NAMES[lang], (lang, titles)


def test_other_languages_leads_to_page_two_through_the_nlg() -> None:
    from bot.gateway.nlg import generate

    latest = {"intent": {"name": "change_language"},
              "entities": [{"entity": "language_page", "value": "2"}]}  # fmt: skip
    tracker = {"slots": {"language": "ar"}, "latest_message": latest}
    answer = generate({"response": "utter_ask_language", "tracker": tracker})
    page_two = language_menu("ar", page=2)
    assert [b["title"] for b in answer["buttons"]] == _titles(page_two)


def test_the_other_pages_list_every_language_a_short_page_at_a_time() -> None:
    seen: list[str] = []
    page = 2
    while True:
        entries = language_menu("zh", declared=EIGHT, names=NAMES, page=page)
        assert len(entries) <= PAGE_SIZE + 1
        seen += [e.title for e in entries if e.title != OTHER_LANGUAGE]
        if entries[-1].title != OTHER_LANGUAGE:
            break
        assert entries[-1].payload == page_payload(page + 1)
        page += 1
    assert seen == [NAMES[c] for c in EIGHT]
