"""The alternative to cue files, kept for the comparison in scripts/eval_facts.py: one small
multinomial naive Bayes per routing dimension (word and character 3-5-gram features), trained on
the entity-annotated lines of data/nlu (a line without an entity of a dimension says "nothing").
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from facts_training import DIMENSIONS, annotated_lines

from bot.understanding.cuebook import words

NOTHING = ""


def features(text: str) -> Iterable[str]:
    for word in words(text):
        yield "w:" + word
        padded = f"<{word}>"
        for n in (3, 4, 5):
            for i in range(len(padded) - n + 1):
                yield padded[i : i + n]


class NaiveBayes:
    def __init__(self, samples: list[tuple[list[str], str]], alpha: float = 0.3) -> None:
        self.alpha = alpha
        self.priors = Counter(label for _, label in samples)
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        for feats, label in samples:
            self.counts[label].update(feats)
        self.totals = {label: sum(c.values()) for label, c in self.counts.items()}
        self.vocabulary = len({f for c in self.counts.values() for f in c})
        self.n = len(samples)

    def predict(self, feats: list[str]) -> str:
        def score(label: str) -> float:
            counts, total = self.counts[label], self.totals[label]
            denominator = total + self.alpha * self.vocabulary
            return math.log(self.priors[label] / self.n) + sum(
                math.log((counts[f] + self.alpha) / denominator) for f in feats
            )

        return max(self.priors, key=score)


def train(nlu_dir: Path) -> Callable[[str, str | None], dict[str, str]]:
    lines = [(list(features(text)), facts) for text, _, facts in annotated_lines(nlu_dir)]
    models = {
        dim: NaiveBayes([(feats, facts.get(dim, NOTHING)) for feats, facts in lines])
        for dim in DIMENSIONS
    }

    def read(text: str, lang: str | None) -> dict[str, str]:
        feats = list(features(text))
        said = {dim: model.predict(feats) for dim, model in models.items()}
        return {dim: value for dim, value in said.items() if value != NOTHING}

    return read
