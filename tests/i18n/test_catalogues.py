"""The gettext catalogues are complete and consistent with the code as it is now.

Extraction runs here, into a temporary .pot, with the same options as `make i18n`: a new
`N_()` sentence without an English and an Arabic translation fails this test at once.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from bot.i18n import DOMAIN, LOCALES_DIR, SUPPORTED_LANGUAGES, placeholders, po_path

ROOT = LOCALES_DIR.parent
TRANSLATED = [lang for lang in SUPPORTED_LANGUAGES if lang != "fr"]
MsgId = str | tuple[str, ...]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    pot = tmp_path_factory.mktemp("i18n") / f"{DOMAIN}.pot"
    keywords = ["-k", "N_", "-k", "_", "-k", "NP_:1,2"]  # as in the Makefile's `i18n` target
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "--no-default-keywords"]
        + keywords
        + ["-o", str(pot), str(ROOT / "bot"), str(ROOT / "actions")]
    )
    with pot.open("rb") as handle:
        return read_po(handle)


def _catalogue(lang: str) -> Catalog:
    with po_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


def _messages(catalog: Catalog) -> list[MsgId]:
    return [message.id for message in catalog if message.id]


def _forms(text: MsgId) -> tuple[str, ...]:
    """A singular sentence, or each form of a plural one (msgid/msgid_plural, msgstr[n])."""
    return text if isinstance(text, tuple) else (text,)


def _translated(message: Message | None) -> bool:
    return message is not None and not message.fuzzy and all(_forms(message.string))


def placeholder_problems(message: Message) -> list[str]:
    """A sentence keeps every placeholder; a plural form may drop only `{count}`
    ("une recherche", "بحث واحد")."""
    if not isinstance(message.id, tuple):
        if message.string and placeholders(message.id) != placeholders(message.string):
            return [f"{sorted(placeholders(message.string))} != {sorted(placeholders(message.id))}"]
        return []
    expected = placeholders(message.id[1])
    return [
        f"form {index}: {sorted(placeholders(form))} vs {sorted(expected)}"
        for index, form in enumerate(_forms(message.string))
        if form and not (expected - {"count"} <= placeholders(form) <= expected)
    ]


def test_extraction_finds_the_generic_responses(extracted: Catalog) -> None:
    ids = set(_messages(extracted))
    assert "Choisissez votre langue :" in ids
    assert len(ids) >= 15


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_sentence_in_the_code_is_translated(extracted: Catalog, lang: str) -> None:
    catalog = _catalogue(lang)
    missing = [str(msgid) for msgid in _messages(extracted) if not _translated(catalog.get(msgid))]
    assert not missing, (
        f"{len(missing)} sentence(s) lack a {lang} translation (run `make i18n`, then translate "
        f"locales/{lang}/LC_MESSAGES/guichet.po):\n" + "\n".join(missing)
    )


@pytest.mark.parametrize("lang", TRANSLATED)
def test_placeholders_are_the_same_in_every_language(lang: str) -> None:
    wrong = [
        (message.id, problems)
        for message in _catalogue(lang)
        if message.id and (problems := placeholder_problems(message))
    ]
    assert not wrong, f"{lang} placeholders differ from the French: {wrong}"


def test_placeholder_check_sees_a_renamed_field() -> None:
    assert placeholders("Le {date} à {site}") != placeholders("On {day} at {site}")
    assert placeholders("{code:>8} {when.year}") == {"code", "when"}
    assert placeholder_problems(Message("Le {date}", "On {day}"))


def test_plural_forms_may_drop_only_the_count() -> None:
    source = ("Une recherche à {site}", "{count} recherches à {site}")
    assert not placeholder_problems(Message(source, ("بحث في {site}", "{count} بحث في {site}")))
    assert placeholder_problems(Message(source, ("بحث", "{count} بحث في {site}")))


# Digit groups split by spaces ("09 69 39 00 00"): in an RTL paragraph the spaces take the
# paragraph's direction and the groups come out in reverse order. ("14:20", "06.12" or "06-12"
# are safe: a single separator between digits keeps them one number.)
_SPACED_DIGITS = re.compile(r"\+?\d+(?:\s+\d+)+")
_LTR_CONTROLS = ("\u200e", "\u2066", "\u2068")


def unprotected_digit_runs(text: str) -> list[str]:
    if not any(unicodedata.bidirectional(c) in ("R", "AL") for c in text):
        return []
    return [
        match.group()
        for match in _SPACED_DIGITS.finditer(text)
        if not text[: match.start()].endswith(_LTR_CONTROLS)
    ]


def test_arabic_translations_keep_spaced_numbers_in_order() -> None:
    unsafe = {
        str(m.id): runs
        for m in _catalogue("ar")
        if m.id and (runs := [r for form in _forms(m.string) for r in unprotected_digit_runs(form)])
    }
    assert not unsafe, (
        "Put U+200E (LEFT-TO-RIGHT MARK) right before these numbers in the Arabic text, or make "
        f"them a {{placeholder}}: {unsafe}"
    )


def test_digit_run_check_sees_an_unprotected_phone_number() -> None:
    assert unprotected_digit_runs("اتصل بـ 09 69 39 00 00.") == ["09 69 39 00 00"]
    assert unprotected_digit_runs("اتصل بـ \u200e09 69 39 00 00.") == []
    assert unprotected_digit_runs("Call 09 69 39 00 00.") == []


_TUTOIEMENT = re.compile(r"\b(tu|toi|ton|ta|tes|t'|te)\b", re.IGNORECASE)


def test_french_sources_never_use_tutoiement(extracted: Catalog) -> None:
    sources = [form for msgid in _messages(extracted) for form in _forms(msgid)]
    familiar = [text for text in sources if _TUTOIEMENT.search(text)]
    assert not familiar, f"Vouvoiement only: {familiar}"
    assert _TUTOIEMENT.search("Tu peux venir")


@pytest.mark.parametrize("lang", TRANSLATED)
def test_po_headers_declare_the_language_and_utf8(lang: str) -> None:
    catalog = _catalogue(lang)
    assert str(catalog.locale) == lang
    assert catalog.charset.lower() == "utf-8"


def test_committed_template_exists_for_translators() -> None:
    assert (LOCALES_DIR / f"{DOMAIN}.pot").exists()
    assert Path(po_path("ar")).exists()
