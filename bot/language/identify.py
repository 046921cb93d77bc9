"""The language of one message: script first, then the marking letters, then the n-gram model.

Rule for mixes: the words of a non-Latin script decide when there are at least two of them or
they make a third of the message ("salam عندي موعد f prefecture" is Arabic); otherwise the Latin
words decide and a lone word of another script (a name, a "شكرا") is left out. Someone who types
two words in Arabic letters writes Arabic; French words inside Arabic are borrowed (carte, rdv).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from bot.language.model import NGRAM_ORDERS, ScriptModel, borrowed_evidence, train
from bot.language.profiles import (
    BORROWED_FILE,
    NEUTRAL_FILE,
    NLU_DIR,
    Profile,
    load_borrowed_terms,
    load_neutral_words,
    load_profiles,
    training_lines,
)
from bot.language.text import Word, deciding_script, fold, words
from bot.locales import LOCALES_DIR
from bot.text import fold as normalise

# Odds given to the prior language before reading the message: enough to settle a one-word
# message the model finds ambiguous ("merci" from an Arabic speaker), far too little to
# outweigh a sentence.
PRIOR_ODDS = 8.0
# The n-grams of a word overlap, so their evidence is not independent: the log-likelihood is
# divided by the number of orders before it meets the prior (keeps one-word messages uncertain).
TEMPERATURE = float(len(NGRAM_ORDERS))
# With no prior, a message made only of borrowed terms ("salam", "merci", "titre de séjour")
# names a language only when the model is this sure of it: such terms are everyone's.
FORMULA_CONFIDENCE = 0.9
# Minimal evidence: a guess no language gets half the odds of ("anef bug", "t ki" among seven
# Latin-script languages) is no language; the caller keeps the conversation's (a first message:
# the default, and the language menu). Held-out messages of 2+ words are almost all above 0.6.
MIN_CONFIDENCE = 0.5
# With no prior, a language written in the message's alphabet as its own (French, English in
# Latin letters) gets these odds over one written in it by transliteration (Latin-letter Pashto,
# Arabizi, pinyin): a few short words ("t ki") favour the small transliterated samples, while
# far more people text in the alphabet's own languages. A sentence still decides.
OWN_SCRIPT_ODDS = 3.0
# Share of the words of a code-switching language's message (`switches_to` in its profile) that
# belong to the language it switches to: Arabizi writers put a French noun in most sentences
# ("bghit rdv pour renouvellement titre de sejour"). Each such word costs the switching
# language log(SWITCH_SHARE) instead of its whole unlikelihood; each of its own words costs
# log(1 - SWITCH_SHARE).
SWITCH_SHARE = 0.1


@dataclass(frozen=True)
class LanguageGuess:
    """`lang` is None when the message carries no language (numbers, codes, keywords, emoji) or
    is written in a script no supported language uses; `script` then says which."""

    lang: str | None
    confidence: float
    script: str | None = None
    scores: dict[str, float] = field(default_factory=dict, compare=False, repr=False)
    words: int = 0  # how many words decided: a caller may ask for a sentence before switching

    @property
    def known(self) -> bool:
        return self.lang is not None


NO_LANGUAGE = LanguageGuess(None, 0.0)


@dataclass
class LanguageIdentifier:
    profiles: tuple[Profile, ...]
    neutral: frozenset[str]
    nlu_dir: Path = NLU_DIR
    # Terms people borrow whatever language they write in (bot/language/borrowed.yml), as
    # folded word sequences → their kind (administrative, courtesy).
    borrowed: dict[tuple[str, ...], str] = field(default_factory=dict)

    @classmethod
    def from_files(
        cls,
        locales_dir: Path = LOCALES_DIR,
        nlu_dir: Path = NLU_DIR,
        neutral_file: Path = NEUTRAL_FILE,
        borrowed_file: Path = BORROWED_FILE,
    ) -> LanguageIdentifier:
        neutral = frozenset(fold(w) for w in load_neutral_words(neutral_file))
        borrowed = {
            tuple(fold(w.text) for w in words(term)): kind
            for kind, terms in load_borrowed_terms(borrowed_file).items()
            for term in terms
        }
        return cls(load_profiles(locales_dir), neutral, nlu_dir, borrowed)

    @cached_property
    def models(self) -> dict[str, ScriptModel]:
        texts = {p.code: training_lines(p, self.nlu_dir) for p in self.profiles}
        for p in self.profiles:
            if p.switches_to:
                # Its own counts learn its own words; the words of the languages it switches to
                # are read by their models (_switching).
                switched = frozenset(
                    w.text
                    for code in p.switches_to
                    for line in texts.get(code, ())
                    for w in words(line)
                )
                texts[p.code] = training_lines(p, self.nlu_dir, switched)
        return train(texts)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.profiles)

    def identify(self, text: str, *, prior: str | None = None) -> LanguageGuess:
        found = [w for w in words(text) if fold(w.text) not in self.neutral]
        if not found:
            return NO_LANGUAGE
        found, only_borrowed = self._mark_borrowed(found)
        script = deciding_script(found)
        scored = [w for w in found if w.script == script]
        candidates = self._candidates(script, scored)
        if not candidates:
            return LanguageGuess(None, 0.0, script)
        if len(candidates) == 1:
            guess = LanguageGuess(candidates[0], 1.0, script, {candidates[0]: 1.0}, _count(scored))
        else:
            guess = self._classify(script, scored, candidates, prior)
        if only_borrowed:
            # "merci beaucoup", "titre de séjour": a language for a first message, never a
            # sentence that switches a conversation (bot.channels.language.SWITCH_WORDS).
            if prior is None and guess.confidence < FORMULA_CONFIDENCE:
                # "salam" alone: Arabic, Dari and Pashto speakers all greet so; a guess among
                # them (Pashto, 0.68) answered an Arab in Pashto with a menu that had no
                # Arabic. No language: the first reply offers every one.
                return replace(guess, lang=None, words=min(guess.words, 1))
            return replace(guess, words=min(guess.words, 1))
        return guess

    def _mark_borrowed(self, found: list[Word]) -> tuple[list[Word], bool]:
        """The words of borrowed terms marked when the message has others ("I need my titre de
        séjour" is read on "I need my"), and whether it has nothing else ("titre de séjour" alone
        is read as it is: French)."""
        if not self.borrowed:
            return found, False
        folded = [fold(w.text) for w in found]
        longest = max(map(len, self.borrowed))
        evidence = [1.0] * len(found)
        i = 0
        while i < len(found):
            size = next(
                (
                    n
                    for n in range(min(longest, len(found) - i), 0, -1)
                    if tuple(folded[i : i + n]) in self.borrowed
                ),
                0,
            )
            if size:
                kind = self.borrowed[tuple(folded[i : i + size])]
                evidence[i : i + size] = [borrowed_evidence(found[i : i + size], kind)] * size
            i += size or 1
        if all(e < 1.0 for e in evidence):
            return found, True
        marked_words = [replace(w, evidence=e) for w, e in zip(found, evidence, strict=True)]
        return marked_words, False

    def _candidates(self, script: str, scored: list[Word]) -> list[str]:
        model = self.models.get(script)
        candidates = [
            p for p in self.profiles if script in p.scripts and model and p.code in model.counts
        ]
        letters = {c for w in scored for c in w.text}
        for letter in letters:
            owners = [p for p in candidates if letter in p.letters]
            if owners:
                candidates = owners
        # A word only one of the languages that list theirs writes (« د » Pashto, « است »
        # Persian) settles it against the others; a language with no list (Darija writes « د »
        # too) stays for the model to weigh.
        folded = {normalise(w.text) for w in scored}
        owners = [p for p in candidates if p.own_words & folded]
        if len(owners) == 1:
            candidates = [p for p in candidates if p is owners[0] or not p.own_words]
        return [p.code for p in candidates]

    def _prior(self, lang: str, script: str, prior: str | None) -> float:
        """The log-odds a language starts with: the conversation's, else its own alphabet's."""
        if prior is not None:
            return math.log(PRIOR_ODDS) if lang == prior else 0.0
        own = self._own_script.get(lang)
        return math.log(OWN_SCRIPT_ODDS) if own == script else 0.0

    def _switching(
        self, lang: str, per_word: dict[str, list[float]], borrowed_only: list[set[str]]
    ) -> float:
        """The tempered log-likelihood of the message in `lang`, where each word is the
        language's own or, for a language whose writers switch (`switches_to`), a word of the
        language they switch to, at odds of SWITCH_SHARE: an Arabizi sentence full of French
        nouns is still Arabizi, while a French sentence has no Darija word to explain.

        A word the switched-to language knows and the language itself never wrote
        (`borrowed_only`: "ya", "jai", "place" for Arabizi) is read only as a switch: the
        language's own examples leave such words out by construction (profiles.training_lines),
        so its n-grams say nothing of them, and short French words ("ya", "kan") had looked
        likelier in the small Arabizi model than in French itself."""
        own = [value / TEMPERATURE for value in per_word[lang]]
        others = [per_word[other] for other in self._switches.get(lang, ()) if other in per_word]
        if not others:
            return sum(own)
        total = 0.0
        for i, value in enumerate(own):
            options = [math.log(1 - SWITCH_SHARE) + value]
            options += [math.log(SWITCH_SHARE / len(others)) + o[i] / TEMPERATURE for o in others]
            top = max(options)
            mixed = top + math.log(sum(math.exp(o - top) for o in options))
            if lang in borrowed_only[i]:
                mixed = min(mixed, max(o[i] / TEMPERATURE for o in others))
            total += mixed
        return total

    @cached_property
    def _switches(self) -> dict[str, tuple[str, ...]]:
        return {p.code: p.switches_to for p in self.profiles if p.switches_to}

    @cached_property
    def _own_script(self) -> dict[str, str]:
        return {p.code: p.scripts_in_order[0] for p in self.profiles if p.scripts_in_order}

    def _classify(
        self, script: str, scored: list[Word], candidates: list[str], prior: str | None
    ) -> LanguageGuess:
        model = self.models[script]
        users = (prior, *self._switches.get(prior or "", ()))
        if (
            prior in candidates
            and len(scored) == 1
            and any(model.knows(lang, scored[0]) for lang in users if lang in model.counts)
        ):
            # A lone word the prior's language uses too ("merci" in Darija, or any French word:
            # Arabizi switches to French) is a tie; in a sentence the other words decide.
            return LanguageGuess(prior, 1 / len(candidates), script, words=1)
        per_word = model.word_log_likelihoods(scored, candidates)
        borrowed_only = [
            {
                lang
                for lang, targets in self._switches.items()
                if lang in model.counts
                and not model.knows(lang, word)
                and any(t in model.counts and model.knows(t, word) for t in targets)
            }
            for word in scored
        ]
        scores = {
            lang: self._switching(lang, per_word, borrowed_only) + self._prior(lang, script, prior)
            for lang in per_word
        }
        top = max(scores.values())
        weights = {lang: math.exp(s - top) for lang, s in scores.items()}
        total = sum(weights.values())
        posteriors = {lang: w / total for lang, w in weights.items()}
        best = max(posteriors, key=posteriors.__getitem__)
        if posteriors[best] < MIN_CONFIDENCE:
            return LanguageGuess(None, posteriors[best], script, posteriors, _count(scored))
        return LanguageGuess(best, posteriors[best], script, posteriors, _count(scored))


def _count(scored: list[Word]) -> int:
    """How many words decided: a run of Chinese letters counts as about one word per two
    letters (Word.weight), as for the mix rule; "我要预约" is a sentence, not a lone word.
    Borrowed terms are not the person's words ("my rdv" is one word)."""
    return int(sum(word.weight for word in scored if not word.borrowed))
