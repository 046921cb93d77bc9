"""Naive Bayes over character n-grams, one model per script: the Latin model tells French,
English and Arabizi apart; the Arabic one will tell Arabic, Persian and Pashto apart.

Trained at first use from the NLU examples (about 3,000 lines, a fraction of a second), so the
language model can never lag behind the NLU data and there is no generated file to keep.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.language.text import Word, deciding_script, words

NGRAM_ORDERS = (1, 2, 3, 4)
SMOOTHING = 0.1
# Weight of a language's own counts against the script's pooled counts (Jelinek-Mercer). With
# add-one style smoothing alone, an n-gram no language has seen is likeliest in the language with
# the fewest examples (pinyin keywords, translit): "dsl jai oublié" or "c long" read as Chinese.
# Backing off to the pooled counts makes an unseen n-gram say nothing; a seen one still counts.
OWN_WEIGHT = 0.9
# The evidence of a whole borrowed term ("titre de séjour", "rdv", "merci" in an English or
# Darija message) beside the person's own words (bot/language/borrowed.yml), in words, however
# long the term ("attestation de prolongation"): the préfecture's names say next to nothing,
# courtesy words a little.
BORROWED_WEIGHTS = {"administrative": 0.1, "courtesy": 0.4}
AVERAGE_WORD_GRAMS = 22  # n-grams (NGRAM_ORDERS and the whole word) of a five-letter word
# Weight of the whole word among its n-grams. A word seen as such in a language's examples is
# stronger evidence than its letters: "jat" (Darija: it came) has letters French writes too, and
# counted as one n-gram among fifteen it weighed less than "la carte" beside it.
WHOLE_WORD_WEIGHT = 4.0


def features(word: str) -> Iterable[str]:
    padded = f" {word} "
    for n in NGRAM_ORDERS:
        for i in range(len(padded) - n + 1):
            yield padded[i : i + n]
    yield f"<{word}>"  # the whole word, so known words weigh more than their pieces


def _weight(feature: str) -> float:
    return WHOLE_WORD_WEIGHT if feature.startswith("<") else 1.0


def borrowed_evidence(term: Sequence[Word], kind: str) -> float:
    """The weight of each n-gram of a borrowed term, so that the term weighs its kind's share of
    an average word (BORROWED_WEIGHTS) whatever its length."""
    grams = sum(_weight(f) for w in term for f in features(w.text))
    return min(1.0, BORROWED_WEIGHTS[kind] * AVERAGE_WORD_GRAMS / max(1, grams))


@dataclass
class ScriptModel:
    """Counts of n-grams per language for the words of one script."""

    counts: dict[str, Counter[str]]
    totals: dict[str, int]
    vocabulary: int
    pooled: Counter[str] = field(default_factory=Counter)  # every language's counts together

    @classmethod
    def train(cls, samples: dict[str, list[Word]]) -> ScriptModel:
        counts = {
            lang: Counter(f for w in ws for f in features(w.text)) for lang, ws in samples.items()
        }
        vocabulary = len(set().union(*counts.values())) if counts else 0
        pooled: Counter[str] = Counter()
        for language_counts in counts.values():
            pooled.update(language_counts)
        totals = {lang: sum(c.values()) for lang, c in counts.items()}
        return cls(counts, totals, vocabulary, pooled)

    def knows(self, lang: str, word: Word) -> bool:
        """Whether the word itself was seen in the language's examples."""
        return self.counts[lang][f"<{word.text}>"] > 0

    def word_log_likelihoods(
        self, ws: Sequence[Word], candidates: Iterable[str]
    ) -> dict[str, list[float]]:
        """Per language, the log-likelihood of each word (its n-grams, weighted by evidence)."""
        grams = [[(f, w.evidence * _weight(f)) for f in features(w.text)] for w in ws]
        pooled_total = sum(self.totals.values()) + SMOOTHING * self.vocabulary
        background = {
            g: (self.pooled[g] + SMOOTHING) / pooled_total for word in grams for g, _ in word
        }
        result = {}
        for lang in candidates:
            counts, total = self.counts[lang], self.totals[lang] or 1
            result[lang] = [
                sum(
                    weight
                    * math.log(OWN_WEIGHT * counts[g] / total + (1 - OWN_WEIGHT) * background[g])
                    for g, weight in word
                )
                for word in grams
            ]
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
