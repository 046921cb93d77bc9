"""Naive Bayes over character n-grams, one model per script: the Latin model tells French,
English and Arabizi apart; the Arabic one will tell Arabic, Persian and Pashto apart.

Trained at first use from the NLU examples (about 3,000 lines, a fraction of a second), so the
language model can never lag behind the NLU data and there is no generated file to keep.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.language.text import Word, deciding_script, words

NGRAM_ORDERS = (1, 2, 3, 4)
SMOOTHING = 0.1


def features(word: str) -> Iterable[str]:
    padded = f" {word} "
    for n in NGRAM_ORDERS:
        for i in range(len(padded) - n + 1):
            yield padded[i : i + n]
    yield f"<{word}>"  # the whole word, so known words weigh more than their pieces


@dataclass
class ScriptModel:
    """Counts of n-grams per language for the words of one script."""

    counts: dict[str, Counter[str]]
    totals: dict[str, int]
    vocabulary: int

    @classmethod
    def train(cls, samples: dict[str, list[Word]]) -> ScriptModel:
        counts = {
            lang: Counter(f for w in ws for f in features(w.text)) for lang, ws in samples.items()
        }
        vocabulary = len(set().union(*counts.values())) if counts else 0
        return cls(counts, {lang: sum(c.values()) for lang, c in counts.items()}, vocabulary)

    def knows(self, lang: str, word: Word) -> bool:
        """Whether the word itself was seen in the language's examples."""
        return self.counts[lang][f"<{word.text}>"] > 0

    def log_likelihoods(self, ws: Sequence[Word], candidates: Iterable[str]) -> dict[str, float]:
        grams = [f for w in ws for f in features(w.text)]
        result = {}
        for lang in candidates:
            counts, denominator = self.counts[lang], self.totals[lang] + SMOOTHING * self.vocabulary
            result[lang] = sum(math.log((counts[g] + SMOOTHING) / denominator) for g in grams)
        return result


def train(texts: dict[str, Iterable[str]]) -> dict[str, ScriptModel]:
    """One model per script from example lines per language. A line trains the model of the
    script that decides it (bot.language.text.deciding_script), as identification reads it: the
    town or French term inside a Persian sentence ("در Grenoble") says nothing of how Persian is
    written in Latin letters, and would make "j'habite Bobigny" look Persian."""
    by_script: dict[str, dict[str, list[Word]]] = defaultdict(lambda: defaultdict(list))
    for lang, lines in texts.items():
        for line in lines:
            found = words(line)
            script = deciding_script(found) if found else None
            by_script_of_line = [w for w in found if w.script == script]
            for word in by_script_of_line:
                by_script[word.script][lang].append(word)
    return {script: ScriptModel.train(dict(samples)) for script, samples in by_script.items()}
