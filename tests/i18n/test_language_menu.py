"""The language menu scales: the likely languages, then short pages, never a long list."""

from __future__ import annotations

from bot.language_menu import OTHER_LANGUAGE, PAGE_SIZE, SHORT_MENU, language_menu, page_payload
from bot.locales import languages
from bot.responses import render

EIGHT = ("fr", "en", "ar", "fa", "ps", "uk", "ru", "zh")
NAMES = {code: code.upper() for code in EIGHT}


def _titles(entries) -> list[str]:
    return [e.title for e in entries]


def test_the_shipped_languages_fit_one_short_menu_in_declared_order() -> None:
    buttons = render("utter_ask_language", "ar", channel="sms")["buttons"]
    names = [lang.name for lang in languages()]
    if len(names) <= SHORT_MENU:
        assert [b["title"] for b in buttons] == names
    else:  # the likely ones (Arabic, French) and the way to the rest
        assert [b["title"] for b in buttons] == ["عربي", "Français", OTHER_LANGUAGE]
    assert len(buttons) <= SHORT_MENU


def test_page_one_proposes_the_detected_the_prior_and_french_then_a_way_to_the_rest() -> None:
    entries = language_menu("ps", "uk", declared=EIGHT, names=NAMES)
    assert _titles(entries) == ["PS", "UK", "FR", OTHER_LANGUAGE]
    assert entries[-1].payload == page_payload(2)
    assert _titles(language_menu(None, None, declared=EIGHT, names=NAMES)) == ["FR", OTHER_LANGUAGE]
    assert _titles(language_menu("fr", "fr", declared=EIGHT, names=NAMES)) == ["FR", OTHER_LANGUAGE]


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
