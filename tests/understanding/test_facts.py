"""The sentence-level reader (bot.understanding): issue 10's examples, the dev set written from
situations, the extra information of a message, and a gate on the held-out openings."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.routing import route
from bot.understanding import Wants, read_facts, understand_message
from bot.understanding.bench import load_openings, measure

HERE = Path(__file__).resolve().parent
DEV_DIR = HERE / "dev"
OPENINGS_DIR = HERE / "openings"
VARIETIES = ("fr", "fr_sms", "en", "ar_msa", "ar_darija", "arabizi", "zh")
NOW = datetime(2026, 1, 15, 10, 0)


@pytest.mark.parametrize(
    ("text", "lang", "demarche"),
    [
        ("J'ai perdu mon titre de séjour", "fr", "duplicata_titre"),
        (
            "I'm married to a French citizen and need to renew my card",
            "en",
            "conjoint_francais_renouvellement",
        ),
        ("My student residence permit expires next month", "en", "etudiant_renouvellement"),
        ("وصلتني رسالة أن بطاقة إقامتي جاهزة", "ar", "remise_titre"),
        ("bghit njadad la carte de 10 ans", "ar", "carte_resident_renouvellement"),
    ],
)
def test_issue_10_paraphrases_reach_their_door(text: str, lang: str, demarche: str) -> None:
    result = route(read_facts(text, lang).as_slots())
    assert result.resolved and result.demarche is not None
    assert result.demarche.code == demarche


def test_facts_read_without_the_language() -> None:
    assert read_facts("bghit njadad la carte de 10 ans", None).as_slots() == {
        "procedure_kind": "renewal",
        "title_type": "carte_resident",
    }


def test_nothing_said_is_no_facts() -> None:
    assert not read_facts("bonjour", "fr")
    assert not read_facts("", "en")
    assert not read_facts("👍", None)


def test_stated_nationality_of_a_spouse_is_not_a_naturalisation() -> None:
    facts = read_facts("Mon mari est de nationalité française, je dois renouveler ma carte", "fr")
    assert route(facts.as_slots()).candidates == ("conjoint_francais_renouvellement",)


def test_contradictory_readings_keep_a_door() -> None:
    # "séjour" alone reads as a title, which admission exceptionnelle (no title) excludes.
    facts = read_facts("admission exceptionnelle au séjour", "fr")
    assert route(facts.as_slots()).candidates == ("admission_exceptionnelle",)


@pytest.mark.parametrize(
    ("text", "lang", "demarche"),
    [
        # Pashto's جواز (a driving licence) is a passport in Arabic: no medical board.
        ("سرقت حقيبتي في القطار وكانت فيها بطاقة الإقامة وجواز السفر", "ar", "duplicata_titre"),
        # Someone married to a French national holds the spouse's "vie privée et familiale" card.
        (
            "تزوجت من فرنسية ولدي بطاقة حياة خاصة وعائلية تنتهي قريبا، أريد تجديدها",
            "ar",
            "conjoint_francais_renouvellement",
        ),
        (
            "Ma carte vie privée et familiale expire, mon mari est français",
            "fr",
            "conjoint_francais_renouvellement",
        ),
    ],
)
def test_arabic_mechanisms_reach_their_door(text: str, lang: str, demarche: str) -> None:
    result = route(read_facts(text, lang).as_slots())
    assert result.resolved and result.demarche is not None
    assert result.demarche.code == demarche


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("machi etudiant, ana khdam w bghit njded lkart", "ar"),
        ("ماشي طالب، بغيت نجدد الكارط", "ar"),
    ],
)
def test_a_denied_title_is_not_read(text: str, lang: str) -> None:
    facts = read_facts(text, lang)
    assert facts.procedure_kind == "renewal"
    assert facts.title_type != "etudiant"


def test_a_denied_cancellation_is_not_one() -> None:
    read = understand_message("ما بغيتش نلغي الرونديفو، بغيت غير نعرف امتى الرونديفو", "ar", NOW)
    assert read.wants == Wants.CHECK


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("renouvellement de ma carte salarié", "fr"),
        ("my work permit expires next month", "en"),
        ("carte salarie dyali salat, bghit njaddadha", "ar"),
    ],
)
def test_a_work_permit_renewal_is_not_the_talent_passport(text: str, lang: str) -> None:
    # The salarié's renewal has no door of its own: routing asks which title.
    result = route(read_facts(text, lang).as_slots())
    assert not result.resolved
    assert "carte_resident_renouvellement" in result.candidates


def test_arabizi_spellings_match_by_their_consonants() -> None:
    # Spelt as nobody listed: doubled letters, other vowels (cuebook.latin_skeleton).
    facts = read_facts("rissipissi dyali ghadi ysali", "ar").as_slots()
    assert route(facts).candidates == ("recepisse_renouvellement",)
    facts = read_facts("bghit nejdded lkkarta dyal 3chra snine", "ar").as_slots()
    assert route(facts).candidates == ("carte_resident_renouvellement",)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("salut khoya", "ar"),  # "salat" (expired) is spelt exactly
        ("pardon, bghit rdv", "ar"),  # a short stem ("perdu*") never matches by its consonants
        ("on m'a promis un rendez-vous", "fr"),  # a borrowed book matches exactly: no "permis"
    ],
)
def test_words_with_a_cue_words_consonants_are_not_that_cue(text: str, lang: str) -> None:
    assert not read_facts(text, lang)


# -- the rest of a message -----------------------------------------------------------------


def test_expiry_date_is_not_the_wished_day() -> None:
    read = understand_message("my card expires on 15 March", "en", NOW)
    assert read.expiry == date(2026, 3, 15)
    assert read.day_wish is None


def test_expiry_and_wish_in_one_message() -> None:
    read = understand_message(
        "Ma carte de résident expire le 3 février 2027, je voudrais un rdv mardi à Grenoble",
        "fr",
        NOW,
    )
    assert read.expiry == date(2027, 2, 3)
    assert read.day_wish is not None and read.day_wish.start.weekday() == 1
    assert read.place is not None and read.place.departements == ("38",)
    assert read.facts.as_slots() == {"procedure_kind": "renewal", "title_type": "carte_resident"}


def test_moving_to_a_day() -> None:
    read = understand_message("changer pour jeudi", "fr", NOW)
    assert read.wants == Wants.RESCHEDULE
    assert read.day_wish is not None and read.day_wish.start.weekday() == 3


def test_cancel_in_mixed_darija_is_not_a_booking() -> None:
    assert (
        understand_message("salam عندي موعد f prefecture بغيت نلغيه", "ar", NOW).wants
        == Wants.CANCEL
    )


@pytest.mark.parametrize(
    ("text", "lang", "wants"),
    [
        ("Je voudrais annuler mon rendez-vous", "fr", Wants.CANCEL),
        ("can I move my appointment to friday?", "en", Wants.RESCHEDULE),
        ("when is my appointment?", "en", Wants.CHECK),
        ("je veux un rdv", "fr", Wants.BOOK),
        ("Mon permis a été annulé, commission médicale", "fr", None),
        ("bonjour", "fr", None),
        # Chinese, written without spaces: cues are runs of letters, never inside another word.
        ("我想取消预约", "zh", Wants.CANCEL),
        ("能把预约改到星期五吗", "zh", Wants.RESCHEDULE),
        ("我继续", "zh", None),  # 继续 (go on) holds 续 (renew) and is neither
        ("大约下午三点", "zh", None),  # 大约 (about) holds 约 (appointment)
    ],
)
def test_what_the_message_wants(text: str, lang: str, wants: str | None) -> None:
    assert understand_message(text, lang, NOW).wants == wants


@pytest.mark.parametrize(
    ("text", "lang", "departement"),
    [
        ("دوردوني", "ar", "24"),
        ("أنا ساكن في ٢٤", "ar", "24"),
        ("bghit rdv f 93", "ar", "93"),
        ("j'habite dans le 38", "fr", "38"),
        ("renouvellement à Bobigny", "fr", "93"),
        ("Périgueux", "fr", "24"),
        ("I live in Nice", "en", "06"),
        ("我住在格勒诺布尔", "zh", "38"),
        ("我在38省", "zh", "38"),
        ("佩里格", "zh", "24"),
        # Big towns in Arabic script (departements.yml aliases).
        ("أسكن في بوردو", "ar", "33"),
        ("ساكن فمرسيليا", "ar", "13"),
        ("نسكن في ليون", "ar", "69"),
    ],
)
def test_place(text: str, lang: str, departement: str) -> None:
    place = understand_message(text, lang, NOW).place
    assert place is not None and departement in place.departements


@pytest.mark.parametrize(
    "text",
    [
        "mon titre expire le 12/05/2027",
        "rdv le 24 mars",
        "ma carte de 10 ans",
        "Mon titre est cher",
    ],
)
def test_no_place_in_dates_and_words(text: str) -> None:
    assert understand_message(text, "fr", NOW).place is None


def test_a_short_arabic_word_one_letter_from_a_town_is_no_place() -> None:
    # ليوم (today) is one letter from ليون (Lyon): short names are spelt exactly.
    assert understand_message("بغيت رونديفو ليوم", "ar", NOW).place is None


def test_darija_week_with_a_clitic_is_a_day_wish() -> None:
    read = understand_message("بغيت نبدل الرونديفو للسيمانة الجاية", "ar", NOW)
    assert read.wants == Wants.RESCHEDULE
    assert read.day_wish is not None


def test_chinese_facts_are_read_inside_a_sentence_without_spaces() -> None:
    read = understand_message("我老公是法国人，我的居留证2027年3月15日到期", "zh", NOW)
    assert read.facts.title_type == "conjoint_francais"
    assert read.facts.procedure_kind == "renewal"
    assert read.expiry == date(2027, 3, 15)


@pytest.mark.parametrize(
    "text", ["mon numéro 7501 234 568", "رقمي الأجنبي ٧٥٠١٢٣٤٥٦٨", "numero etranger: 7501.234.568"]
)
def test_numero_etranger(text: str) -> None:
    assert understand_message(text, None, NOW).numero_etranger == "7501234568"


def test_a_phone_is_not_a_numero_etranger() -> None:
    assert understand_message("appelez-moi au 06 12 34 56 78", "fr", NOW).numero_etranger is None


# -- the dev set (written from situations, tuned on) ---------------------------------------


def _dev_entries() -> list[tuple[str, dict[str, Any]]]:
    return [
        (path.stem, entry)
        for path in sorted(DEV_DIR.glob("*.yml"))
        for entry in load_openings(path)
    ]


@pytest.mark.parametrize(("variety", "entry"), _dev_entries(), ids=lambda v: str(v)[:40])
def test_dev_opening(variety: str, entry: dict[str, Any]) -> None:
    tally = measure([entry])
    assert not tally.misses or tally.misses[0].startswith("[1 question]"), tally.misses
    assert all(right == total for right, total in tally.also.values()), tally.also


# -- held-out gate: never tuned on; the floors are the figures measured, rounded down -------

# variety → (right door at the first reply %, within one question %)
HELD_OUT_FLOORS: dict[str, tuple[int, int]] = {
    "fr": (89, 92),
    "fr_sms": (83, 90),
    "en": (86, 92),
    "ar_msa": (86, 90),
    "ar_darija": (79, 91),
    "arabizi": (81, 90),
    "zh": (87, 95),  # 87.7 / 95.9 % of 73 routing openings (issue 12: within one ≥ 95 %)
}


@pytest.mark.parametrize("variety", VARIETIES)
def test_held_out_openings_do_not_regress(variety: str) -> None:
    tally = measure(load_openings(OPENINGS_DIR / f"{variety}.yml"))
    first = tally.percent(tally.first, tally.routing)
    within = tally.percent(tally.within_one, tally.routing)
    floor_first, floor_within = HELD_OUT_FLOORS[variety]
    assert first >= floor_first and within >= floor_within, (first, within)


def test_pure_core() -> None:
    code = (
        "import sys, bot.understanding; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('rasa', 'rasa_sdk', 'fastapi', 'starlette', 'sqlalchemy', 'httpx', 'redis')]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
