"""A language's own catalogue file (`locales/<code>/catalogue.yml`): where its texts land."""

from __future__ import annotations

import yaml

from bot.catalogue.texts import text_at, text_paths


def test_a_flow_mapping_cut_at_a_comma_names_a_place_that_holds_no_text() -> None:
    # The Russian fee as it was written: YAML reads « при получении карты » as a second key.
    own = yaml.safe_load(
        "demarches:\n"
        "  x:\n"
        "    fee: {pays: гербовыми марками (налог 200 € и сбор 25 €), при получении карты}\n"
        "    documents: [{}, {when: Если документ не на французском}]\n"
        "    words: [марка, марки]\n"
    )
    paths = list(text_paths(own))
    assert paths == [
        ("demarches", "x", "fee", "pays"),
        ("demarches", "x", "fee", "при получении карты"),
        ("demarches", "x", "documents", 1, "when"),
        ("demarches", "x", "words"),
    ]
    assert text_at(own, paths[1]) is None
    assert text_at(own, paths[0]) == "гербовыми марками (налог 200 € и сбор 25 €)"
