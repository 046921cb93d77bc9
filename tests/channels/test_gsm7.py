import pytest

from bot.channels import gsm7


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # 160 septets
        ("€" * 81, "GSM-7", 2),
        ("a" * 152 + "€", "GSM-7", 1),
        ("ا" * 70, "UCS-2", 1),
        ("ا" * 71, "UCS-2", 2),
        ("ا" * 134, "UCS-2", 2),
        ("ا" * 135, "UCS-2", 3),
        ("😀" * 35, "UCS-2", 1),  # 70 UTF-16 code units
        ("😀" * 36, "UCS-2", 2),
        ("", "GSM-7", 1),
    ],
)
def test_segment_counts_against_known_values(text, encoding, segments):
    info = gsm7.sms_info(text)
    assert (info.encoding, info.segments) == (encoding, segments)


def test_escape_pair_is_never_split_across_segments():
    text = "a" * 152 + "€" + "b" * 10  # € would straddle the 153-septet boundary
    parts = gsm7.split_segments(text)
    assert parts[0] == "a" * 152 and parts[1].startswith("€")
    assert "".join(parts) == text


def test_surrogate_pair_is_never_split():
    text = "a" * 66 + "😀" + "b" * 10
    parts = gsm7.split_segments(text)
    assert parts[0] == "a" * 66 and parts[1].startswith("😀")


def test_french_folding_follows_the_issue_rules():
    folded = gsm7.fold_to_gsm7("Fenêtre â î ô û ç œ l’été « oui » à où é è")
    assert folded == 'Fenetre a i o u c oe l\'été "oui" à où é è'
    assert gsm7.is_gsm7(folded)


def test_folding_keeps_non_latin_text_as_it_is():
    assert gsm7.fold_to_gsm7("مرحبا 😀") == "مرحبا 😀"
    assert gsm7.encoding_of(gsm7.fold_to_gsm7("Votre rendez-vous 😀")) == "UCS-2"


def test_babel_narrow_spaces_and_typography_fold():
    assert gsm7.fold_to_gsm7("mardi\u202f14 h\u00a020 – Noël…") == "mardi 14 h 20 - Noel..."


def test_folding_turns_a_ucs2_french_sentence_into_fewer_segments():
    sentence = "Votre titre de séjour expire bientôt : préparez vos pièces, ça prend du temps. " * 2
    assert gsm7.sms_info(sentence).encoding == "UCS-2"
    folded = gsm7.sms_info(gsm7.fold_to_gsm7(sentence))
    assert folded.encoding == "GSM-7"
    assert folded.segments < gsm7.sms_info(sentence).segments
