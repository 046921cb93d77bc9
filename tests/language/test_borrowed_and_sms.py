"""The classes of messages the live bench missed (issue 10 point 1): English that keeps the
préfecture's French terms, SMS French abbreviations, courtesy words borrowed across languages,
and messages made only of borrowed words, which never switch a conversation. Each class is a
table written from situations; tests/language/dev_messages.yml holds the dev set they come from."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.channels.language import decide
from bot.language import identify

# English whose French terms (titre de séjour, récépissé, rdv, préfecture…) outweighed the
# English words around them.
ENGLISH_WITH_FRENCH_TERMS = [
    "carte de séjour renewal",
    "récépissé expired",
    "titre de séjour lost pls",
    "need rdv préfecture",
    "sans papiers since 2019",
    "récépissé for work",
    "my rdv préfecture",
    "titre de sejour renewal",
    "rdv for carte de séjour",
    "lost récépissé",
    "rdv préfecture asap",
    "hi, rdv prefecture for carte de sejour pls",
    "I am sans papiers since 2018",
]

# SMS French: abbreviations and run-together forms were left to chance among seven Latin-script
# languages, and went to the one with the fewest examples (pinyin, translit, Arabizi).
SMS_FRENCH = [
    "cc tlm",
    "ki repond",
    "ya qqn",
    "jmen occupe",
    "jvx savoir kan c",
    "dsl jai oublié",
    "pkoi c si long",
    "chui etudiant",
    "slt jpeu venir lundi",
    "tkt jviens demain",
    "g pa recu le code",
    "auj c pa possible",
]

# A courtesy word from another language inside a sentence: the sentence decides.
COURTESY_WORDS = [
    ("thank you jviens mardi alors", "fr"),
    ("ok thank you jviendrai mardi", "fr"),
    ("hamdoulah c bon merci", "fr"),
    ("sorry jsui en retard", "fr"),
    ("please jveux annuler", "fr"),
    ("merci for the quick answer", "en"),
    ("Bonjour, I would like to cancel", "en"),
    ("svp I lost my card", "en"),
    ("salam bghit nbdl lmaw3id", "ar"),
    ("merci bzaf khouya", "ar"),
    # Session 14: the Darija tags French speakers use (khouya, wallah) leave a French sentence
    # French; beside Darija words they are Darija's.
    ("salam khouya jai besoin dun rdv", "fr"),
    ("wallah jai rien recu", "fr"),
    ("khouya bghit nbdl rdv", "ar"),
]

# Only borrowed words: they still give a first message its language, never switch a running one.
ONLY_BORROWED = [
    ("merci beaucoup", "fr"),
    ("merci bcp", "fr"),
    ("titre de séjour", "fr"),
    ("carte de résident", "fr"),
    ("bonjour madame", "fr"),
    ("thank you", "en"),
    ("thanks", "en"),
]


@pytest.mark.parametrize("text", ENGLISH_WITH_FRENCH_TERMS)
def test_french_terms_inside_english_leave_it_english(text):
    assert identify(text).lang == "en"


@pytest.mark.parametrize("text", SMS_FRENCH)
def test_sms_french_abbreviations_are_french(text):
    assert identify(text).lang == "fr"


@pytest.mark.parametrize(("text", "lang"), COURTESY_WORDS)
def test_a_borrowed_courtesy_word_does_not_decide_a_sentence(text, lang):
    assert identify(text).lang == lang


@pytest.mark.parametrize(("text", "lang"), ONLY_BORROWED)
def test_borrowed_words_alone_set_a_first_message_but_never_switch(text, lang):
    assert decide(text, "fr", None).language == lang  # a first message
    for current in ("fr", "en", "ar"):
        assert decide(text, current, "guessed").language == current


@pytest.mark.parametrize("text", ["t ki", "ok ki", "c ki", "ki c", "jpe pa"])
def test_a_message_no_language_explains_is_no_language_or_french(text):
    # Below half the odds no language is guessed: the conversation's (or the default) stays.
    assert identify(text).lang in (None, "fr")


# Arabizi whose French nouns and phrases outnumber its Darija words: Arabizi writers switch to
# French inside a sentence (locales/ar/language.yml `switches_to`), so a Darija word or two
# decide; the previous identifier read them as French, word count against word count.
ARABIZI_WITH_FRENCH = [
    "bghit rdv pour le renouvellement de la carte de resident",
    "salam bghit rendez vous pour premiere demande titre de sejour",
    "le recepisse ta3i expire la semaine prochaine",
    "wach possible nchanger la date du rdv",
    "dossier de naturalisation dyali mazal en cours",
    "le permis mte3i suspendu",
]

# French made of the words Arabizi writers borrow, or opened with a greeting or formula French
# speakers say too: no Darija word to explain, French whatever the prior.
FRENCH_ARABIZI_ALSO_USES = [
    "changement de statut etudiant salarie",
    "demande de regularisation par le travail",
    "renouvellement carte de resident",
    "premiere demande titre de sejour",
    "naturalisation par mariage",
    "salam aleykoum je voudrais un rdv",
    "inshallah je viens lundi",
    "hamdoulilah jai eu ma carte",
]


# Session 14: a short French word the small Arabizi model happens to score well ("ya", "kan")
# is no evidence for Arabizi, whose own examples leave French words out; French verbs
# conjugated in Darija and loanwords as Darija pronounces them are Arabizi's.
SHORT_FRENCH_WORDS = ["inchallah ya 1 place", "kan ya 1 place", "ya kelkun la svp"]
DARIJA_CONJUGATED_FRENCH = [
    "ndeposi dossier",
    "nchangi rdv",
    "nrecuperi la carte",
    "nrenouvli titre",
]


@pytest.mark.parametrize("text", SHORT_FRENCH_WORDS)
def test_short_french_words_are_no_arabizi_evidence(text):
    assert identify(text).lang == "fr"


@pytest.mark.parametrize("text", DARIJA_CONJUGATED_FRENCH)
def test_french_verbs_conjugated_in_darija_are_arabizi(text):
    assert identify(text).lang == "ar"


@pytest.mark.parametrize("text", ARABIZI_WITH_FRENCH)
def test_arabizi_with_more_french_nouns_than_darija_words_is_arabic(text):
    assert identify(text).lang == "ar"


@pytest.mark.parametrize("text", FRENCH_ARABIZI_ALSO_USES)
@pytest.mark.parametrize("prior", [None, "fr", "ar"])
def test_french_that_arabizi_borrows_stays_french(text, prior):
    assert identify(text, prior=prior).lang == "fr"


DEV = yaml.safe_load((Path(__file__).parent / "dev_messages.yml").read_text("utf-8"))
# The dev messages (free to tune on) of two words or more, per variety. Today's figures:
# en 99.5 %, fr_sms 98.3 %, ar_mix 100 % (before this gate: 98.9, 93.3, 100); session 12's
# fr_sms_more 98.1 %, arabizi 98.2 % (before: 97.2, 86.4); session 14's fr_sms_s14 99.0 %,
# arabizi_s14 100 % (before: 97.0, 98.9); session 15's arabizi_s15 100 %, fr_sms_s15 100 %
# (before: 94.7, 97.3; 37-38 lines each, so a floor of 97 % allows one miss).
DEV_GATE = {
    "en": 0.98,
    "fr_sms": 0.97,
    "ar_mix": 0.98,
    "fr_sms_more": 0.97,
    "arabizi": 0.97,
    "fr_sms_s14": 0.98,
    "arabizi_s14": 0.98,
    "arabizi_s15": 0.97,
    "fr_sms_s15": 0.97,
}


@pytest.mark.parametrize("variety", sorted(DEV_GATE))
def test_dev_messages_of_two_words_or_more(variety):
    block = DEV["varieties"][variety]
    lines = [
        t for t in block["messages"] if sum(any(c.isalpha() for c in w) for w in t.split()) >= 2
    ]
    wrong = [(t, identify(t).lang) for t in lines if identify(t).lang != block["lang"]]
    assert len(lines) >= 30
    assert 1 - len(wrong) / len(lines) >= DEV_GATE[variety], wrong
