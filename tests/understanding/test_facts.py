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
from bot.understanding import Wants, read_facts, read_question, read_wants, understand_message
from bot.understanding.bench import load_openings, measure
from bot.understanding.cuebook import load_book

HERE = Path(__file__).resolve().parent
DEV_DIR = HERE / "dev"
OPENINGS_DIR = HERE / "openings"
VARIETIES = ("fr", "fr_sms", "en", "ar_msa", "ar_darija", "arabizi", "zh", "fa", "uk", "ru", "ps")
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


@pytest.mark.parametrize(
    ("text", "lang", "demarche"),
    [
        # Session 28 (left open since session 26): the car was the carte grise's door.
        ("on m'a volé ma voiture avec mon portefeuille et mon titre de séjour dedans", "fr",
         "duplicata_titre"),
        ("my car was broken into and my wallet with my residence permit was stolen", "en",
         "duplicata_titre"),
        ("سرقو ليا الطوموبيل و فيها البزطام و الكارط", "ar", "duplicata_titre"),
        ("on m'a volé ma carte grise", "fr", "carte_grise"),
    ],
)  # fmt: skip
def test_a_permit_stolen_with_the_car_is_the_permit(text: str, lang: str, demarche: str) -> None:
    result = route(read_facts(text, lang).as_slots())
    assert result.demarche is not None and result.demarche.code == demarche


def test_facts_read_without_the_language() -> None:
    assert read_facts("bghit njadad la carte de 10 ans", None).as_slots() == {
        "procedure_kind": "renewal",
        "title_type": "carte_resident",
    }


@pytest.mark.parametrize(
    "text",
    [
        "زما لس کلن کارت ختمېږي",  # Pashto letters
        "زما لس كلن كارت ختميږي",  # Arabic keyboard: ك ي
        "زما لس کلن کارت ختمیژی",  # Dari keyboard: ی for ې and ي, ژ for ږ
    ],
)
def test_pashto_reads_the_letters_other_keyboards_type(text: str) -> None:
    """cues/ps.yml `variants`: a Pashto word typed on an Arabic or Dari keyboard is the same word."""
    assert read_facts(text, "ps").as_slots() == {
        "procedure_kind": "renewal",
        "title_type": "carte_resident",
    }


def test_a_card_that_has_not_come_is_not_to_collect() -> None:
    facts = read_facts("ریسیپیسه مې ختمیږي او کارت لا نه دی راغلی", "ps").as_slots()
    assert route(facts).demarche is not None
    assert route(facts).demarche.code == "recepisse_renouvellement"


def test_a_person_lost_in_the_papers_has_lost_no_card() -> None:
    # "perdue" is the person, not a card: no duplicata's door for a vague request.
    vague = "Bonjour, j'ai vraiment besoin d'un rendez-vous, je suis perdue avec tout ça"
    assert "procedure_kind" not in read_facts(vague, "fr").as_slots()
    both = read_facts("je suis un peu perdue, j'ai perdu ma carte de séjour", "fr").as_slots()
    assert both.get("procedure_kind") == "lost"


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
    ("text", "lang"),
    [
        ("Ma carte de séjour salarié se termine en avril, je dois la renouveler", "fr"),
        ("renouvlement titre travailleur temporaire", "fr"),
        ("I have a permanent contract and my employee residence card is about to expire", "en"),
    ],
)
def test_a_work_permit_renewal_is_not_the_talent_passport(text: str, lang: str) -> None:
    # The catalogue's one work démarche is the talent passport: "salarié" asks which permit.
    result = route(read_facts(text, lang).as_slots())
    assert not result.resolved
    assert "passeport_talent" in result.candidates and len(result.candidates) > 1


def test_work_beside_a_named_title_keeps_its_door() -> None:
    facts = read_facts("Je travaille en CDI, ma carte de résident expire bientôt", "fr")
    assert route(facts.as_slots()).candidates == ("carte_resident_renouvellement",)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "Je suis mariée à un Français, ma carte vie privée et familiale arrive à échéance",
            "fr",
        ),
        ("my wife is French and my vie privée et familiale card needs renewing", "en"),
    ],
)
def test_a_spouse_of_a_french_national_holds_the_conjoint_card(text: str, lang: str) -> None:
    result = route(read_facts(text, lang).as_slots())
    assert result.candidates == ("conjoint_francais_renouvellement",)


@pytest.mark.parametrize(
    ("text", "lang", "demarche"),
    [
        ("Je crée mon entreprise, je voudrais la carte talent", "fr", "passeport_talent"),
        ("can I get a talent permit?", "en", "passeport_talent"),
        (
            "Je suis le père d'un enfant français, je veux un titre de séjour",
            "fr",
            "vpf_premiere_demande",
        ),
    ],
)
def test_asking_for_a_title_is_a_first_application(text: str, lang: str, demarche: str) -> None:
    result = route(read_facts(text, lang).as_slots())
    assert result.candidates == (demarche,)


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
        # The letters of p and g (پ گ ڨ) are read as the letters others type for them.
        ("ضاعت ليا لاكارط ڨريز ديال الطوموبيل", "ar", "carte_grise"),
        ("عندي الپاسپور تالان", "ar", "passeport_talent"),
        # A husband who holds the French nationality is no naturalisation.
        ("زوجي عنده الجنسية الفرنسية وبطاقتي انتهت", "ar", "conjoint_francais_renouvellement"),
        # A card not received yet beside an expired receipt is no pickup.
        ("انتهى الوصل ولم أتسلم بطاقتي", "ar", "recepisse_renouvellement"),
        # A conjunction before a preposition (ول + تجديد); a final hamza on its seat (لجوئي).
        ("ولتجديد بطاقة المقيم أحتاج موعدا", "ar", "carte_resident_renouvellement"),
        ("رفضوا طلب لجوئي وأعمل منذ خمس سنوات", "ar", "admission_exceptionnelle"),
        # A third person's loss (أضاعت), a spouse who is a French citizen (no naturalisation).
        ("أمي أضاعت بطاقة المقيم", "ar", "duplicata_titre"),
        ("زوجتي مواطنة فرنسية وإقامتي تنتهي", "ar", "conjoint_francais_renouvellement"),
    ],
)
def test_arabic_mechanisms_reach_their_door(text: str, lang: str, demarche: str) -> None:
    result = route(read_facts(text, lang).as_slots())
    assert result.resolved and result.demarche is not None
    assert result.demarche.code == demarche


def test_arabic_papers_leave_no_papers_among_the_readings() -> None:
    """ "My papers" are a residence permit, maybe none held: admission exceptionnelle stays."""
    facts = read_facts("عندي مشكل مع الأوراق ديالي", "ar").as_slots()
    assert "admission_exceptionnelle" in route(facts).candidates


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Mon récépissé se termine le 28 février, ma carte n'est pas encore fabriquée", "fr"),
        ("my récépissé ends on Friday and my card is not ready yet", "en"),
    ],
)
def test_a_card_not_made_yet_is_nothing_to_collect(text: str, lang: str) -> None:
    assert route(read_facts(text, lang).as_slots()).candidates == ("recepisse_renouvellement",)


@pytest.mark.parametrize(
    ("text", "demarche"),
    [
        ("jtrouve plu mon titre de sejour", "duplicata_titre"),
        ("jsui lepoux dune francaise ma carte vpf expire", "conjoint_francais_renouvellement"),
    ],
)
def test_sms_french_glued_elisions(text: str, demarche: str) -> None:
    assert route(read_facts(text, "fr").as_slots()).candidates == (demarche,)


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


def test_a_denied_marriage_is_no_spouse_card() -> None:
    # A conjunction ("متزوج* + فرنسي*") right after a negation is denied like a phrase.
    text = "لدي بطاقة الحياة الخاصة والعائلية (لست متزوجاً من فرنسية) وتنتهي في أغسطس، أريد تجديدها"
    assert read_facts(text, "ar").title_type == "vpf"
    assert read_facts("أنا متزوج من فرنسية وبطاقتي تنتهي", "ar").title_type == "conjoint_francais"


def test_arriving_in_france_is_no_card_that_arrived() -> None:
    text = "وصلت إلى فرنسا بتأشيرة طالب، وأريد الحصول على أول بطاقة إقامة"
    assert read_facts(text, "ar").procedure_kind == "first"
    assert read_facts("بطاقتي وصلت؟", "ar").procedure_kind == "pickup"


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
def test_a_work_permit_renewal_is_not_the_talent_passport_in_arabic(text: str, lang: str) -> None:
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


def test_an_arabic_and_glued_to_a_wish_opens_its_clause() -> None:
    # "وأريد": the "and" is glued, no comma: the wish's day is still not the expiry's clause.
    read = understand_message("بطاقتي تنتهي في مارس وأريد موعدا يوم الخميس", "ar", NOW)
    assert read.expiry == date(2026, 3, 1)
    assert read.day_wish is not None and read.day_wish.start.weekday() == 3


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
        # "maintenant" is one letter from a "maintenu" stem: it asks for a booking now.
        ("je veux un rdv maintenant", "fr", Wants.BOOK),
        ("mon rdv est-il toujours maintenu ?", "fr", Wants.CHECK),
        # A longer cue of a weaker wish does not hide a stronger one: "date de mon rdv" is
        # inside a move.
        ("jpeu changer la date de mon rdv", "fr", Wants.RESCHEDULE),
        ("je voudrais changer l'heure de mon rdv", "fr", Wants.RESCHEDULE),
        ("Je ne peux pas venir chercher ma carte le matin", "fr", None),
        ("Mon permis a été annulé, commission médicale", "fr", None),
        ("bonjour", "fr", None),
        # "I can't come" beside a move is a move; the appointment under its spellings.
        ("ما نقدرش نجي نهار الخميس، بغيت نبدل الرونديفو", "ar", Wants.RESCHEDULE),
        ("ما نقدرش نجي نهار الخميس", "ar", Wants.CANCEL),
        # Cancelling to get another one is a move; "another one" alone is not.
        ("annuler mon rendez-vous et m'en donner un autre", "fr", Wants.RESCHEDULE),
        ("cancel it and give me another one", "en", Wants.RESCHEDULE),
        ("ألغيه وأعطني موعدا آخر", "ar", Wants.RESCHEDULE),
        ("نلغي الرونديفو وعطيوني واحد آخر", "ar", Wants.RESCHEDULE),
        ("please cancel my appointment", "en", Wants.CANCEL),
        ("j'ai perdu ma carte, il m'en faut une autre", "fr", None),
        ("I need another appointment for my wife", "en", Wants.BOOK),
        ("نسيت امتى الرانديفو ديالي", "ar", Wants.CHECK),
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
        ("je suis du 93", "fr", "93"),
        ("01", "fr", "01"),
        ("dans le 9", "fr", "09"),
        ("renouvellement à Bobigny", "fr", "93"),
        ("Périgueux", "fr", "24"),
        ("I live in Nice", "en", "06"),
        ("我住在格勒诺布尔", "zh", "38"),
        ("我在38省", "zh", "38"),
        ("佩里格", "zh", "24"),
        # Issue 12: French towns as Ukrainians, Russians, Afghans and Chinese write them.
        ("Живу в Парижі, загубила посвідку", "uk", "75"),
        ("Я в Ліоні, треба продовжити тимчасовий захист", "uk", "69"),
        ("Тулуза, позбавили прав", "uk", "31"),
        ("Я живу в Гренобле", "ru", "38"),
        ("Живу в Ницце, хочу гражданство", "ru", "06"),
        ("Бордо, заканчивается рисепис", "ru", "33"),
        ("من در لیون هستم و کارتم را گم کردم", "fa", "69"),
        ("در مارسی زندگی میکنم", "fa", "13"),
        ("در نیس زندگی میکنم", "fa", "06"),
        ("我在马赛，卡做好了", "zh", "13"),
        ("住在尼斯", "zh", "06"),
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
        # Session 24, as a phone: "1" after the convocation answered "I do not book in the Ain
        # (01)"; "la semaine du 15" was the Cantal.
        "1",
        "la semaine du 15 si possible",
        "je voudrais le reporter au lundi du 14",
    ],
)
def test_no_place_in_dates_and_words(text: str) -> None:
    assert understand_message(text, "fr", NOW).place is None


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # نیس ("isn't", spoken Persian) is Nice only after a place marker or alone.
        ("کارتم آماده است ولی خوب نیس که دیر شد", "fa"),
        # Everyday words one letter from a town's Arabic-script name: كانت (was) / نانت,
        # ليوم (today) / ليون, مارس (March) / مارسی.
        ("كانت عندي بطاقة إقامة", "ar"),
        ("بغيت رونديفو ليوم", "ar"),
        ("إقامتي تنتهي في ١٥ مارس", "ar"),
    ],
)
def test_words_near_a_town_name_are_not_a_place(text: str, lang: str) -> None:
    assert understand_message(text, lang, NOW).place is None


@pytest.mark.parametrize(
    ("text", "lang", "demarche"),
    [
        # Persian typed on an Arabic keyboard (ي ك): the same words as ی ک.
        ("كارتم گم شد", "fa", "duplicata_titre"),
        ("ميخواهم تابعيت فرانسه بگيرم", "fa", "naturalisation"),
        ("كارت ده ساله‌ام تمام ميشه", "fa", "carte_resident_renouvellement"),
        # A borrowed French word narrows the vague permit the message's language named.
        ("récépissé快过期了，卡还没做好", "zh", "recepisse_renouvellement"),
        # 续 alone renews; inside 继续 / 手续 it does not.
        ("续回执", "zh", "recepisse_renouvellement"),
        ("续十年居留卡", "zh", "carte_resident_renouvellement"),
        # Case forms and words around the cues (issue 12 dev misses).
        ("Мою карту пошкодила пральна машина", "uk", "duplicata_titre"),
        ("Я програміст, подаюсь на паспорт талантів", "uk", "passeport_talent"),
        ("Я отец ребёнка-француза, никогда не имел ВНЖ, хочу подать", "ru", "vpf_premiere_demande"),
        ("کارتم در ماشین کالاشویی خراب شد", "fa", "duplicata_titre"),
    ],
)
def test_issue_12_readings(text: str, lang: str, demarche: str) -> None:
    result = route(read_facts(text, lang).as_slots())
    assert result.resolved and result.demarche is not None
    assert result.demarche.code == demarche


def test_chinese_words_holding_renew_are_not_a_renewal() -> None:
    assert read_facts("我继续办手续", "zh").procedure_kind is None


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


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("mon numéro étranger est le 06 12 34 56 78", "fr"),
        ("رقمي الأجنبي ٠٦١٢٣٤٥٦٧٨", "ar"),
        ("my foreigner number is 0612345678, call me on 0699999999", "en"),
    ],
)
def test_a_numero_etranger_said_as_such_may_start_like_a_phone(text: str, lang: str) -> None:
    # Its first two digits are the département that issued it: 06 is the Alpes-Maritimes.
    assert understand_message(text, lang, NOW).numero_etranger == "0612345678"


# -- asking rather than guessing (decision 0022) ------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Ma carte de résident est prête mais j'ai perdu le SMS", "fr"),
        ("my resident card is ready but I lost the text message", "en"),
    ],
)
def test_collect_and_lost_said_together_ask_which(text: str, lang: str) -> None:
    """Two procedure cues that disagree settle on their group: the reply asks "collect or
    lost?" instead of the first cue listed leading to the duplicate's door."""
    facts = read_facts(text, lang)
    assert facts.procedure_kind == "pickup_or_lost"
    assert "procedure_kind" in facts.doubts
    result = route(facts.as_slots())
    assert result.question is not None and result.question.id == "pickup_or_lost"


def test_a_cue_found_one_typo_away_is_in_doubt_and_one_spelt_right_is_not() -> None:
    assert read_facts("mon recepise expire", "fr").doubts == {"title_type"}
    assert not read_facts("mon récépissé expire", "fr").doubts


def test_doubts_do_not_change_what_is_read() -> None:
    # The doubt is information for the dialogue (actions/reading.merge_facts), not a reading.
    facts = read_facts("mon recepise expire", "fr")
    assert route(facts.as_slots()).demarche is not None


def test_a_permis_de_sejour_is_a_residence_permit_not_a_driving_licence() -> None:
    # "permis" alone leans to the driving licence; "permis de séjour" is what many people call
    # their titre de séjour (it had the licence board's door, one typo away).
    facts = read_facts("Mon permis de séjour expire bientôt", "fr")
    assert facts.topic is None and facts.title_type == "titre"
    assert read_facts("mon permis de conduire est suspendu", "fr").topic == "driving_licence"


def test_a_reason_and_a_status_are_not_two_topics_in_doubt() -> None:
    # "régularisation par le travail": work is why, not which permit (two topic cues).
    facts = read_facts("Demande de régularisation par le travail", "fr")
    assert route(facts.as_slots()).candidates == ("admission_exceptionnelle",)


def _first_question(text: str, lang: str) -> dict[str, frozenset[str]]:
    result = route(read_facts(text, lang).as_slots())
    assert not result.resolved and result.question is not None, result
    return {str(o.value): frozenset(o.candidates) for o in result.question.options}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("rdv pour la carte de résident svp", "fr"),
        ("I have a question about my 10 year card", "en"),
        ("عندي سؤال على الكارط ديال عشر سنين", "ar"),
    ],
)
def test_a_resident_card_named_alone_is_asked_renew_collect_or_lost(text: str, lang: str) -> None:
    # Session 17: three writers of first messages, each on their own, read these as renewal,
    # collection or loss; the renewal's door was a wrong door for two of the three.
    options = _first_question(text, lang)
    assert options["renewal"] == {"carte_resident_renouvellement"}
    assert options["pickup_or_lost"] == {"duplicata_titre", "remise_titre"}


def test_a_talent_passport_named_alone_is_its_door() -> None:
    # Its one démarche covers getting and renewing it: wanting the card is wanting that door.
    result = route(read_facts("je voudrais le passeport talent", "fr").as_slots())
    assert result.resolved and result.demarche is not None
    assert result.demarche.code == "passeport_talent"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("bonjour c'est au sujet d'une carte de séjour", "fr"),
        ("hi, need info on titre de sejour", "en"),
        ("سؤال بخصوص بطاقة الإقامة", "ar"),
    ],
)
def test_a_vague_permit_alone_keeps_the_first_application_without_papers(
    text: str, lang: str
) -> None:
    # Nothing says a permit is held: "first" must still reach the regularisation.
    assert "admission_exceptionnelle" in _first_question(text, lang)["first"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("c'est pour la voiture ou le permis je sais plus", "fr"),
        ("not sure if it's the car or license thing", "en"),
    ],
)
def test_the_car_or_the_licence_gets_the_road_question(text: str, lang: str) -> None:
    options = _first_question(text, lang)
    assert set(options) == {"vehicle", "driving_licence"}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("le papier provisoire qu'ils m'ont remis en attendant le titre expire lundi", "fr"),
        ("the temporary paper they gave me while waiting for my card runs out soon", "en"),
        ("وصل الاستلام المؤقت ديالي غادي يسالي", "ar"),
        ("عطاوني ورقة الانتظار وقربات تسالي", "ar"),
    ],
)
def test_a_receipt_described_is_the_receipt(text: str, lang: str) -> None:
    result = route(read_facts(text, lang).as_slots())
    assert result.resolved and result.demarche is not None, read_facts(text, lang)
    assert result.demarche.code == "recepisse_renouvellement"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("I never had a residence permit here, I came on a visa in 2017", "en"),
        ("3mri ma kan 3andi karta hna, bghit ndir lwra9", "ar"),
    ],
)
def test_never_having_had_a_permit_is_the_regularisation(text: str, lang: str) -> None:
    result = route(read_facts(text, lang).as_slots())
    assert result.resolved and result.demarche is not None, read_facts(text, lang)
    assert result.demarche.code == "admission_exceptionnelle"


def test_losing_a_job_is_no_lost_card() -> None:
    facts = read_facts("my receipt ends on Friday, I will lose my job without it", "en")
    assert facts.procedure_kind == "renewal" and facts.title_type == "recepisse"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("I can't come on monday, can we move it?", "en"),
        ("je peux pas venir lundi, on peut décaler ?", "fr"),
        ("j'ai un empêchement, on peut avancer ?", "fr"),
    ],
)
def test_not_coming_beside_a_move_is_a_move(text: str, lang: str) -> None:
    # Session 21, as a phone: read as a cancel, the person was asked to confirm cancelling.
    assert read_wants(text, lang) == Wants.RESCHEDULE
    assert read_wants("je veux annuler mon rdv", "fr") == Wants.CANCEL


# -- the dev set (written from situations, tuned on) ---------------------------------------


# Dev lines (decision 0022, branches unsure and latin) that the reader still misses: cue
# vocabulary left to the cue files' owners ("come on Monday instead"; "my papers" and "mes
# papiers" say the topic alone since session 14, "документы на проживание" since 17), and a
# student married to a French national (the student card's door). Kept visible, not hidden.
KNOWN_DEV_MISSES = frozenset(
    {
        # Branch latin: "ma l9itha" (I did not find it) and "ch9o" (tore) as lost cues also
        # read "I found no appointment" as a lost card; left out until they can be narrowed.
        "nsit lkarta f taxi w ma l9itha",
        "wladi ch9o la carte dyali, kifach ndir wa7da okhra",
        # Branch msa (session 15): an overstayed visa said without "no papers" (nothing reads
        # the regularisation), a card that "went" (راحت alone is "she went", too broad for a
        # loss), and a resident card stolen with a driving licence (the road topic leads).
        "دخلت لفرنسا بالفيزا وسالات عليا وبقيت، هادي 6 سنين",
        "خليت الكارطة تاعي فالطاكسي وراحت",
        "بطاقة المقيم الخاصة بي سرقت مع محفظتي ورخصة القيادة",
        # Session 15 (branch arabizi, a new writer): an Algerian "certificat de résidence"
        # beside a French wife is read as the 10-year card (it names both); the appointment
        # made pointless ("ma b9ach 3ndo ma3na"), moved by its new time alone ("nwelli f sbe7")
        # or asked after as "wesh rah" have no cue narrow enough yet.
        "rani mzawej b wa7da française, certificat de résidence ta3i rah ykamel",
        "rdv dyali ma b9ach 3ndo ma3na, tsawbat lkarta",
        "rdv ta3i f 14h, momkin nwelli f sbe7?",
        "wesh rah rdv ta3i? ma wsalni 7ta sms",
        # Branch enfr (session 15): naturalisation named as a later plan beside a renewal due now
        # reads both needs (topic nationality wins); an overstay told as "my visa finished"
        # reads a renewal beside the regularisation; a change of status (student card → spouse
        # card) reads the card held, not the one asked for.
        "Je demanderai la naturalisation plus tard, pour l'instant c'est ma carte de résident qui"
        " expire",
        "I will apply for naturalisation later but right now my 10-year card is about to expire,"
        " what do I do first?",
        "I have applied for naturalisation but my 10 year card expires before the decision, what"
        " do I do?",
        "my tourist visa finished in 2019 and I never left, how can I become legal",
        "I had a student card, now I'm married to a French woman and want to switch to a spouse"
        " card",
    }
)


# Session 17: lines of the new writers (decision 0023) the reader still misses, kept visible.
# Routing: a first card's history beside its renewal ("أول بطاقة … تجديدها للمرة الثانية"), a
# VPF renewal that is not a spouse's read as the spouse's card, "get" a first card read as
# collecting it, "illegal" beside a card held, a child's school read as a student card, a
# CNI for a French son (out of scope) read as a VPF, "I deleted the convocation" as a cancel.
# Also: expiry words without a marker the books know ("f 2 chhor", "cet ete"). Since session
# 18 read: a numéro étranger said as such that starts like a phone number (06…, 03…), Rennes
# and the Rhône in Arabic, a denied marriage, arriving in France, "من هنا شهرين", "فشهر 4", a
# wish's clause opened by a glued "and" ("وأريد"); since session 21, what is left of a card
# ("bqa liha 3 chhor").
SESSION_17_DEV_MISSES = frozenset(
    {
        "بغيت ندير الوراق ديال الإقامة لأول مرة",
        "السلام عليكم ورحمة الله. تزوجت من مواطنة فرنسية سنة ٢٠٢١ وحصلت على أول بطاقة، والآن حان وقت تجديدها للمرة الثانية. نسكن في مونبلييه ولدينا طفلة صغيرة.",
        "karti d 10 ans fin, nheb njibha jdida. rani f 69",
        "mama jat mn dzayer b visa 3 chhor w bghina ndirou liha lkarta bach tb9a m3ana",
        "hi do i need an appointment to renew the carte de resident or is it online now? mine expired last week, am I illegal now?",
        "When is my appointment? I deleted the convocation email by mistake",
        "jveux faire une carte d identite pr mon fils il est francais",
        "الكارط ديالي ديال 10 سنين سالات هادي شي شهر وعندي مشكل فالخدمة، عافاكم بغيت رونديفو دغيا",
        "بنتي كتقرا فليل والكارط ديال الطلبة ديالها قربات تسالي، هي مشغولة بالامتحانات وبغيت نعاونها",
        "الريسيبيسي ديالي غادي يسالي نهار 20 ومازال الكارط ما خرجاتش",
        "التاريخ اللي مكتوب فالكارط هو 07/12/2025",
        "mama 3andha carte de résident w ghadi tsali f 2 chhor, hiya ma kat3refch tkteb, ana li kan9ra liha. kifach ndirou?",
        "I'm married to a French citizen and my carte de séjour vie privée et familiale expires in May. I need to renew it.",
        "Hi im british, my wife is french, my spouse card needs renewing before august. we're in the Dordogne",
        "carte resident a renouvler pr le 12 janvier 2027 merci",
        "salut jai la carte resident depuis 2016 elle arrive a echeance cet ete koi faire",
    }
)


# Session 21: the new writers' lines still missed, kept visible. "Cancel it, I will take another
# one later" reads as a move (another appointment beside a cancel is a move, by design); a
# second booking made by someone else, deleted beside "another" appointment; an afternoon or
# a late hour asked without saying it is one's own appointment; "the week after next"; a
# wallet stolen with the card and the driving licence (the road topic leads); a récépissé
# expired beside an employer's "no papers, no work" (read as the regularisation).
SESSION_21_DEV_MISSES = frozenset(
    {
        "Bonjour khouya, 3andi mou3id f la préfecture nhar lkhmis walakin safrt l bled 7it mat"
        " baba lah yr7mo, bghit nlghih w n3awd nakhod wa7ed akhor mn b3d",
        "slt 3afak lghi lia rdv dial lghedda, ghadi nji ghir b récépissé jdid f chi nhar akhor",
        "السلام عليكم، حجزت موعدا لنفسي ثم حجز لي زوجي موعدا آخر على الموقع دون أن يخبرني. اريد حذف"
        " الموعد الثاني حتى يستفيد منه شخص آخر",
        "أعمل في الصباح ولا أستطيع المجيء الساعة ٩، هل يوجد موعد بعد الظهر؟",
        "أنا في المستشفى حاليا بعد عملية جراحية. هل يمكن تأخير موعد الغد إلى الأسبوع بعد القادم؟",
        "صاحب العمل لم يسمح لي بالغياب يوم الأربعاء. هل توجد ساعة في آخر النهار يوم الاربعاء أو"
        " الخميس؟",
        "سرقوا محفظتي وفيها بطاقة الاقامه ورخصة السياقة. أنا في ليل",
        # A "salarié" card with no need said.
        "ana 3andi titre de séjour salarié w bghit ndir rdv",
        # A son turning 18 (his own first card) and a mother without papers beside a child born
        # in France read as the VPF; a PACS beside "pas mariée" as the spouse's card; "the week
        # of the 15th"; a slot found elsewhere beside "delete mine" (a move cue beside a cancel
        # is a move, by design); Nice after "تاع" (Nice is an ambiguous place name); a later
        # hour the same day without a move word.
        "Mon fils aura 18 ans le mois prochain, il est arrivé en France à 10 ans et il lui faut"
        " son premier titre de séjour.",
        "mon fils est ne en france il a 13 ans et moi jai pas de papier depuis 7 ans je fais le"
        " menage",
        "Bonjour, ma carte de séjour temporaire vie privée et familiale expire le 5 mai 2027. Je"
        " suis pacsée avec un Français, pas mariée.",
        "J'ai finalement trouvé un créneau plus tôt dans une sous-préfecture, vous pouvez supprimer"
        " mon rendez-vous.",
        "عندي السكر والطبيب قالي لازم ندوز الفيزيت ميديكال تاع البيرمي في البريفكتور تاع نيس",
        "ما غاديش نلحق فالوقت ديال 10، واش نقدر نجي مع 2 ديال العشية نفس النهار؟",
        # Algerian "من جمعة" (a week ago; جمعة is also Friday).
        "الريسيبيسي تاعي فات عليه الوقت من جمعة، والباطرون طلبلي وراق جداد، واش ندير؟",
    }
)


# Session 22's new writers (en, fa, ps, ru, uk, zh), left after their cues: a work permit named
# alone (read as any residence permit, by design), a lost passport of one's own country (out of
# scope, read as a lost title), a Chinese-numeral year (二〇二七) (the Solar Hijri month,
# « ۲۵ اسفند », is read since session 28),
# autumn as a date, a département or town the reader does not take there (۹۳ without a marker,
# لیل and رن, Lille and Rennes, ambiguous words; "девяносто три" in words), "до" alone before a
# date beside "хочу … запис" (read as a first application).
SESSION_22_DEV_MISSES = frozenset(
    {
        "i need to go to préfecture for my work permit",
        "I lost my Nigerian passport, where is the embassy?",
        "من ۹۳ هستم، کارت اقامتمو دزدیدن",
        "تمدید کارت conjoint، لیل. فقط پنجشنبه\u200cها میتونم بیام",
        "اجازه کار (autorisation de travail) میخوام",
        "سلام من میخواهم که کارت اقامت خود را که گم شده دوباره بگیرم در شهر رن",
        "resepise me pa shalo wrazo ke khatmegi",
        "سلام. د ۹۳ پریفکتور نه مې مسج راغلی چې ستاسو تیتر تیار دی، زه د شنبې او یکشنبې نه پرته کار"
        " کوم، هغوی وایي بې رانډیوو راشه، ریښتیا ده؟",
        "Потеряла российский паспорт в Ницце, как восстановить?",
        "здравствуйте я хочу записаться на комиссию медикаль для прав у меня была суспансьон шесть"
        " месяцев закончилась живу в департаменте девяносто три",
        "Карта резидента до 12/05/2026, номер етранже 0601234578, хочу запис у префектуру Ніцци",
        "у мене пасспорт талант закінчується восени, як продовжити",
        "Роботодавець хоче взяти мене на CDI і питає про дозвіл на роботу. Що мені оформлювати?",
        "我的中国护照丢了怎么办",
        "到期日是二〇二七年一月五号",
        # Ukrainian months in the locative ("в березні") were read as dates, and a held-out
        # conversation then ended on a deadline reply (measured, its text not read): reverted
        # until a case of our own shows why. "До" alone is no word of expiry any more ("до
        # обіду" is a day wished).
        "Добрий вечір! Маю карту резидента на 10 років, вона спливає в березні. Треба записатися"
        " на поновлення.",
        "Titre étudiant закінчується в грудні, а на ANEF не можу зайти, допоможіть",
        "До 28 лютого 2026",
    }
)

# Session 23's new writers (fr, ar_msa, ar_darija): what their openings still miss.
SESSION_23_DEV_MISSES = frozenset(
    {
        # Words glued together with a digit inside ("الكارطديال10سنين"): not split.
        "بغيتنجدد الكارطديال10سنين عافاك",
        # Unsure whether to renew a card that ran out a year ago or apply again: read as a
        # renewal (the question then asks which title), the writer expected no reading at all.
        "ماعرفتش واش نجدد ولا ندير ديموند جديدة، الكارط ديالي سالات هادي عام",
        # Their dates, wished days and places not read yet: a month glued to its preposition
        # ("فمارس", "فسبتمبر"), a date alone, Lille as "ليل" (also "night"), Nice as "نيس", a
        # week wished ("الأسبوع بعد القادم"). (Session 24 read "périmée depuis 2 semaines",
        # "il me reste deux semaines" and "la semaine du 15".)
        "Mon frère est sans papiers depuis longtemps, il a une promesse d'embauche. Comment il peut avoir un rendez-vous pour se faire régulariser ? Il habite à Montreuil, 93100.",
        "Doctorant, titre de séjour étudiant à renouveler avant le 15/12/2026. Quels papiers faut-il préparer ?",
        "أنا في المستشفى حاليا بعد عملية جراحية. هل يمكن تأخير موعد الغد إلى الأسبوع بعد القادم؟",
        "بطاقة الطالب تنتهي قريبا وأريد تجديدها للسنة الثالثة في الجامعة",
        "باحث في جامعة ليل، بطاقتي passeport talent تنتهي في ٢٨ فبراير ٢٠٢٧",
        "١٥/٠٧/٢٠٢٧",
        "بنتي كتقرا فليل والكارط ديال الطلبة ديالها قربات تسالي، هي مشغولة بالامتحانات وبغيت نعاونها",
        "الريسيبيسي ديالي غادي يسالي نهار 20 ومازال الكارط ما خرجاتش",
        "التاريخ اللي مكتوب فالكارط هو 07/12/2025",
        "الريسيبيسي تاعي فات عليه الوقت من جمعة، والباطرون طلبلي وراق جداد، واش ندير؟",
        "عندي السكر والطبيب قالي لازم ندوز الفيزيت ميديكال تاع البيرمي في البريفكتور تاع نيس",
        "السلام خويا انا شيباني عندي 72 سنة، الكارط ريزيدون تاعي تكمل فلخر تاع الشهر وماعرفتش كيفاش ندير الرونديفو، ولدي فالخدمة ماعندوش الوقت",
        "الكارط ريزيدان نتاعي تفنى فمارس 2027، حاب رونديفو نهار الثلاثاء العشية الا كان ممكن، فبوبيني",
        "انا طالب فالفاك ديال ليل والطيتر ديال ليطوديون غادي يسالي فسبتمبر، بغيت رونديفو باش نجددو",
        "نجم نبدل الموعد للاثنين؟",
    }
)

# A new writer's 40 Arabizi openings (session 25): 36 read at once, 38 once "sala" and "t9ad"
# (it ran out) were expiry words. Left: a wallet stolen with the titre de séjour and the permis
# (the road topic leads, as in session 15's MSA line), and a CAF file asked of the préfecture
# ("nakhod", to take, read as collecting a card: nothing says an office is not the préfecture's).
SESSION_25_DEV_MISSES = frozenset(
    {
        "ts9at liya lportfeuille fih titre de sejour w permis, drt plainte",
        "wach n9der nakhod mn 3ndkom dossier CAF dyal l'apl?",
    }
)

# A new writer's 60 Persian and 50 Pashto openings (session 27): fa 94.9 / 98.0 %, ps 95.9 /
# 97.6 % on first reading (right door at once / within one question), 99.5 / 99.5 and 99.4 /
# 100 after. Its last two misses, an expiry said by an Afghan solar month alone (« ماه حوت »,
# « ماه جدی »), are read since session 28 (bot.dates.solar: the month's first day).


# A new writer's 60 MSA, 60 Darija and 60 Arabizi openings (session 28): ar_msa 92.3 / 92.3 %,
# ar_darija 87.2 / 87.2 %, arabizi 89.7 / 92.3 % on first reading (right door at once / within
# one question), 100 / 100, 92.3 / 92.3 and 97.4 / 100 after (the VPF card named without its
# article, by its grounds, or in French words in Arabic letters; « retraité » no "retrait";
# « sar9o »). An expiry « f 3 mois » (in three months) is not read. Left: a spouse's "what do I do with my papers" read as a first
# application, "the licence and the car" read as the car alone, a bag taken from a broken car
# (« هرسو … وداو الصاك ») with no word of loss the reader knows; Tunisian « وفى البارح » (ended
# yesterday) and « للسمانة » (to the week, Algerian spelling) not read as dates.
SESSION_28_DEV_MISSES = frozenset(
    {
        "أنا مزوج بفرنساوية، كيفاش نديرو مع الوراق ديالي؟",
        "عندي سؤال على البيرمي والطوموبيل",
        "هرسو ليا الطوموبيل وداو الصاك وفيه الكارط ديال الريزيدون",
        "الريسيبيسي متاعي وفى البارح، نجم نجددو؟",
        "حاب نأخر الموعد تاعي للسمانة الجاية",
        "3andi vpf dyal 1 3am, parent d'enfant français, katsali f 3 mois",
    }
)


def _dev_entries() -> list[Any]:
    return [
        pytest.param(
            path.stem,
            entry,
            marks=[pytest.mark.xfail(reason="decision 0022: left to the cue files")]
            if entry["text"]
            in KNOWN_DEV_MISSES
            | SESSION_17_DEV_MISSES
            | SESSION_21_DEV_MISSES
            | SESSION_22_DEV_MISSES
            | SESSION_23_DEV_MISSES
            | SESSION_25_DEV_MISSES
            | SESSION_28_DEV_MISSES
            else [],
        )
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
    # Session 17: measured, rounded down; the earlier floors in brackets. ps's first-reply floor
    # is one lower: a card named alone is now asked about (renew, collect or lost?) instead of
    # sent to its renewal (bot.understanding.facts._held_title_alone); within one question
    # is unchanged there and rises everywhere else.
    "fr": (98, 98),  # 98.4 / 98.4 % (95 / 96)
    "fr_sms": (96, 99),  # 96.3 / 99.1 % (94 / 96)
    "en": (96, 100),  # 96.5 / 100 % (91 / 94; session 22: 95 / 99)
    "ar_msa": (90, 96),  # 90.8 / 96.3 % (89 / 95; session 21: new MSA managing cues)
    "ar_darija": (91, 98),  # 91.7 / 98.2 % (90 / 95)
    "arabizi": (90, 99),  # 90.7 / 99.1 % (89 / 96; session 21: new Arabizi cues)
    # Issue 12 (within one ≥ 95 %).
    "zh": (98, 98),  # 98.6 / 98.6 % of 73 routing openings (98 / 98)
    "fa": (98, 98),  # 98.6 / 98.6 % of 69 (98 / 98)
    "uk": (95, 100),  # 95.5 / 100 % of 67 (95 / 98)
    "ru": (97, 100),  # 97.0 / 100 % of 67 (95 / 98)
    "ps": (95, 100),  # 95.7 / 100 % of 69 (95 / 98; session 22, new Pashto cues: 94 / 98)
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


@pytest.mark.parametrize(
    ("text", "wants"),
    [
        ("kel heure mon rdv", Wants.CHECK),  # "kel" read as "quel"
        ("kan est mon rdv", Wants.CHECK),
        ("chang la date du rdv", Wants.RESCHEDULE),
        ("permi annule jdoi passer la commission", None),  # a cancelled licence, no cancelling
    ],
)
def test_sms_spellings_are_read_as_the_words_they_stand_for(text: str, wants: str | None) -> None:
    assert understand_message(text, "fr", NOW).wants == wants


def test_sms_spellings_stay_in_french() -> None:
    """ "kan" is "was" in Darija: an Arabizi message does not borrow French SMS spellings."""
    assert understand_message("kan 3andi rdv", "ar", NOW).wants != Wants.CHECK


def test_a_phonetic_spouse_reaches_the_conjoint_card() -> None:
    result = route(read_facts("ma fam é fransaise mon titr va expiré", "fr").as_slots())
    assert result.resolved and result.demarche is not None
    assert result.demarche.code == "conjoint_francais_renouvellement"


def test_misses_are_counted_by_kind() -> None:
    # One opening of each kind, expected doors chosen to miss: the kinds add up to the openings
    # not routed within one question, so the held-out report says where the gap is, no text.
    student = "je veux renouveler ma carte d'étudiant"
    openings = [
        {"text": "bonjour", "lang": "fr", "demarche": "etudiant_renouvellement"},
        {"text": "je dois renouveler mon titre", "lang": "fr", "demarche": "naturalisation"},
        {"text": student, "lang": "fr", "demarche": "carte_resident_renouvellement"},
        {"text": student, "lang": "fr", "demarche": "etudiant_renouvellement"},  # right
    ]
    tally = measure(openings)
    assert tally.routing - tally.within_one == sum(tally.miss_kinds.values()) == 3
    assert tally.miss_kinds == {"nothing read": 1, "misread": 1, "wrong door": 1}


def test_a_cue_file_may_not_list_a_key_twice(tmp_path: Path) -> None:
    # YAML keeps a repeated key's last list silently: a list of cues was lost that way.
    book = tmp_path / "xx.yml"
    book.write_text('lang: xx\nfacts:\n  title_type:\n    "-": [a]\n    "-": [b]\n', "utf-8")
    with pytest.raises(ValueError, match=r"line 5: '-' is listed twice"):
        load_book(book)


def test_an_address_is_no_student() -> None:
    """Arabic « أدرس » (I study) is Persian « آدرس » (address): « where is the Grenoble
    préfecture's address? » was a student, and the first application left the menu (session
    27, as a phone). The question is the place's."""
    said = understand_message("آدرس پرفکتور گرونوبل کجاست", "fa", NOW)
    assert said.facts.title_type is None
    assert read_question("آدرس پرفکتور گرونوبل کجاست", "fa") == "place"
    assert read_question("پرفکتور کجاست", "fa") == "place"
    assert understand_message("أدرس في الجامعة", "ar", NOW).facts.title_type == "etudiant"
