from bot.channels import gsm7, messages
from bot.channels.language import language_in_payload
from bot.channels.shaping import (
    BLOCK_SEGMENTS,
    BotReply,
    Button,
    from_rasa,
    paginate,
    shape_sms,
    shape_telegram,
    sms_text,
)
from bot.i18n import translate
from bot.words import Word, menu_choice, word_of


def test_keywords_are_recognised_in_every_language_and_only_alone():
    for word in ["STOP", "stop", " Stop. ", "Arrêt", "ARRET", "STOPALL", "unsubscribe", "توقف"]:
        assert word_of(word) is Word.STOP, word
    for word in ["START", "start", "ابدأ"]:
        assert word_of(word) is Word.START
    for word in ["AIDE", "help", "مساعدة"]:
        assert word_of(word) is Word.HELP
    for word in ["SUITE", "more", "التالي"]:
        assert word_of(word) is Word.MORE
    assert word_of("0") is Word.MENU
    # Chinese: no spaces, and a Chinese keyboard ends a word with full-width punctuation.
    for word in ["取消", "取消。", "取消！", "quxiao"]:
        assert word_of(word) is Word.CANCEL, word
    assert word_of("取消预约") is None
    assert word_of("stop my appointment") is None
    assert word_of("arrête de m'écrire demain") is None


def test_numbered_replies_are_read_leniently():
    for text in ["2", "2.", " 2 ", "2)", "٢", "\u200f2"]:
        assert menu_choice(text) == 2, repr(text)
    for text in ["two", "0", "2 pm", "", "123", "-1"]:
        assert menu_choice(text) is None, repr(text)


def test_rasa_output_is_merged_and_buttons_numbered():
    reply = from_rasa(
        [
            {"recipient_id": "x", "text": "Quelle démarche ?"},
            {
                "recipient_id": "x",
                "text": "Choisissez :",
                "buttons": [
                    {"title": "Renouvellement", "payload": '/inform{"procedure_kind":"renewal"}'},
                    {"title": "Première demande", "payload": '/inform{"procedure_kind":"first"}'},
                ],
            },
        ]
    )
    shape = shape_sms(reply, "fr")
    assert len(shape.pages) == 1
    assert "1. Renouvellement\n2. Première demande" in shape.pages[0]
    assert shape.menu[1] == '/inform{"procedure_kind":"first"}'
    assert gsm7.is_gsm7(shape.pages[0])


def test_long_content_is_paged_within_two_segments_each():
    text = " ".join([f"Pièce justificative numéro {i} : original et copie." for i in range(40)])
    shape = shape_sms(BotReply([text]), "fr")
    assert len(shape.pages) > 2
    for page in shape.pages[:-1]:
        assert page.endswith("Envoyez SUITE pour la suite.")
        assert gsm7.sms_info(page).segments <= 2
        assert gsm7.sms_info(page).encoding == "GSM-7"
    assert gsm7.sms_info(shape.pages[-1]).segments <= 2
    rebuilt = " ".join(p.removesuffix("\nEnvoyez SUITE pour la suite.") for p in shape.pages)
    assert rebuilt.split() == gsm7.fold_to_gsm7(text).split()


def test_arabic_stays_ucs2_and_short():
    text = "يجب تقديم طلب التجديد قبل شهرين من انتهاء صلاحية البطاقة. " * 6
    shape = shape_sms(BotReply([text]), "ar")
    assert len(shape.pages) >= 3
    for page in shape.pages:
        info = gsm7.sms_info(page)
        assert info.encoding == "UCS-2" and info.segments <= 2


def test_chinese_is_paged_in_ucs2_after_its_punctuation_without_spaces():
    # Chinese has no spaces: a long line is cut after a full-width punctuation mark, each page
    # within two UCS-2 segments (134 characters), and nothing is lost or spaced out.
    sentence = "请带上您现在的居留证原件和正反面复印件，还有三个月内的住址证明。"
    text = sentence * 12  # beyond the 4 segments a single block may take (BLOCK_SEGMENTS)
    shape = shape_sms(BotReply([text]), "zh")
    hint = "\n" + sms_text(translate(messages.MORE_HINT, "zh"), "zh")
    assert len(shape.pages) >= 2
    for page in shape.pages:
        info = gsm7.sms_info(page)
        assert info.encoding == "UCS-2" and info.segments <= 2
    for page in shape.pages[:-1]:
        assert page.endswith(hint)
        assert page.removesuffix(hint)[-1] in "，。"
    assert "".join(p.removesuffix(hint) for p in shape.pages) == text


def test_an_unbreakable_word_is_still_paged():
    shape = shape_sms(BotReply(["x" * 700]), "fr")
    assert all(gsm7.sms_info(p).segments <= 2 for p in shape.pages)
    assert "".join(p.split("\n")[0] for p in shape.pages).count("x") == 700


def test_telegram_keyboard_uses_payloads_and_numbers_long_ones():
    long_payload = "/inform" + '{"title_type":"conjoint_francais","procedure_kind":"renewal"}'
    reply = BotReply(
        ["Bonjour"],
        [Button("FR", '/choose_language{"language":"fr"}'), Button("Long", long_payload)],
    )
    [message] = shape_telegram(reply)
    assert message.keyboard[0][0]["callback_data"] == '/choose_language{"language":"fr"}'
    assert message.keyboard[1][0]["callback_data"] == "menu:2"
    assert language_in_payload(reply.buttons[0].payload) == "fr"


def test_reply_with_a_number_hint_only_when_it_costs_no_segment():
    buttons = [Button("Oui", "/affirm"), Button("Non", "/deny")]
    short = shape_sms(BotReply(["C'est d'accord ?"], buttons), "fr").pages[0]
    assert short.endswith("Répondez par un numéro.")
    question = "Je réserve : Renouvellement de la carte de résident, lundi 30 novembre à 13 h 30, Préfecture de l'Isère. C'est d'accord ?"
    confirm = [Button("Oui, je réserve", "/affirm"), Button("Non", "/deny")]
    [page] = shape_sms(BotReply([question], confirm), "fr").pages
    assert not page.endswith("Répondez par un numéro.")
    assert gsm7.sms_info(page).segments == 1


def test_pages_end_at_line_breaks_so_no_line_is_cut():
    # An Arabic documents list: 2 UCS-2 segments hold 134 characters, less than the whole list.
    lines = [
        "الوثائق المطلوبة (1/3):",
        "- بطاقة إقامتكم الحالية",
        "- جواز السفر أو بطاقة الهوية القنصلية",
        "- إثبات سكن حديث (أقل من 3 أشهر)",
        "- ثلاث صور هوية 35×45 مم",
        "1. التالي",
        "2. لدي كل الوثائق",
    ]
    pages = paginate("\n".join(lines), "ar", 2)
    assert len(pages) > 1
    hint = sms_text(translate(messages.MORE_HINT, "ar"), "ar")
    bodies = [page.removesuffix("\n" + hint) for page in pages]
    assert all(page.endswith(hint) for page in pages[:-1])
    assert [line for body in bodies for line in body.split("\n")] == lines
    assert all(gsm7.fits(page, 2) for page in pages)


def _hint(lang: str) -> str:
    return "\n" + sms_text(translate(messages.MORE_HINT, lang), lang)


def test_a_menu_joins_the_long_question_before_it_when_that_costs_no_segment():
    # Issue 12: a Russian confirmation longer than two UCS-2 segments (its appointment details)
    # took three with the hint, and its "1. Yes / 2. No" waited alone behind ДАЛЕЕ.
    question = "Записываю: Продление карты резидента (carte de résident), " + (
        "понедельник 14 декабря в 14:00, Préfecture de la Seine-Saint-Denis. Хорошо?"
    )
    buttons = [Button("Да, записать", "/affirm"), Button("Нет", "/deny")]
    [page] = shape_sms(BotReply([question], buttons), "ru").pages
    assert page.startswith(question) and page.endswith("1. Да, записать\n2. Нет")
    assert gsm7.sms_info(page).segments == 3


def test_no_page_holds_a_small_tail_that_fits_on_the_page_before_without_the_hint():
    # 100, 60 and 60 characters: the last two lines fill one page without the hint (121), not
    # with it; they were two pages, the last one holding a single line.
    lines = ["д" * 100, "е" * 60, "ж" * 60]
    pages = paginate("\n".join(lines), "ru", 2)
    assert pages == [lines[0] + _hint("ru"), "\n".join(lines[1:])]
    assert all(gsm7.sms_info(page).segments <= 2 for page in pages)


def test_a_heading_ending_with_a_colon_stays_with_its_first_line():
    # The page had room for the heading (124 characters with the hint), not for its first line.
    first = "Процедура: Продление карты резидента (carte de résident), " + "д" * 32
    items = ["- Ваш документ (titre de séjour actuel)", "- Паспорт или ID (pièce d'identité)"]
    lines = [first, "Документы (1/2):", *items, "- Адрес (justificatif de domicile)"]
    pages = paginate("\n".join(lines), "ru", 2)
    bodies = [page.removesuffix(_hint("ru")) for page in pages]
    assert bodies[0] == first
    assert all(not body.endswith(":") for body in bodies)
    assert [line for body in bodies for line in body.split("\n")] == lines


def test_a_reply_is_sent_whole_when_its_pages_would_cost_as_many_segments():
    # A Dari checklist with its menu: four UCS-2 segments whole, as many in three pages that
    # show the menu last; whole, the person sees every document and answers at once.
    checklist = [
        "کار شما: تمدید کارت ده ساله (carte de résident).",
        "اسناد (1/2):",
        "- کارت اقامت فعلی شما (titre de séjour)",
        "- پاسپورت یا تذکره (pièce d'identité)",
        "- سند آدرس تازه (justificatif de domicile)",
        "- عکس ۳۵×۴۵ (photos d'identité)",
    ]
    reply = BotReply(
        ["\n".join(checklist)], [Button("بیشتر", "/more"), Button("همه را دارم", "/x")]
    )
    [page] = shape_sms(reply, "fa").pages
    paged = paginate(page, "fa", 2)
    assert len(paged) > 1
    assert gsm7.sms_info(page).segments <= sum(gsm7.sms_info(p).segments for p in paged)
    assert page.startswith("\n".join(checklist)) and "2. همه را دارم" in page
    # Beyond four segments a reply is still paged.
    long_reply = BotReply(["\n".join(checklist * 2)], reply.buttons)
    assert len(shape_sms(long_reply, "fa").pages) > 1


def test_a_question_comes_with_its_options_on_the_first_page():
    # Seen on the bench: "Noted: your card expires…" + "Which card?" filled the first Russian
    # page, its options waited behind ДАЛЕЕ and the person had nothing to answer.
    texts = ["Записано: ваш документ истекает 15 марта 2027.", "Какой у вас документ?"]
    buttons = [
        Button("Карта резидента (10 лет)", "/a"),
        Button("Супруг(а) француза", "/b"),
        Button("Другой документ", "/c"),
    ]
    shape = shape_sms(BotReply(texts, buttons), "ru")
    first = shape.pages[0]
    assert "Какой у вас документ?\n1. Карта резидента (10 лет)" in first
    assert "3. Другой документ" in first
    assert gsm7.sms_info(first).segments <= BLOCK_SEGMENTS
    # A menu after a line that does not ask (a checklist's last document) is still paged.
    lines = ["- " + "документ с длинным названием " * 3] * 3 + ["1. Далее", "2. Всё есть"]
    assert all(gsm7.fits(page, 2) for page in paginate("\n".join(lines), "ru", 2))
