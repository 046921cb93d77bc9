"""What a message says of the routing facts (topic, procedure_kind, title_type), from the whole
sentence rather than from entity spans: "J'ai perdu mon titre de séjour", "bghit njadad la carte
de 10 ans", "وصلتني رسالة أن بطاقة إقامتي جاهزة".

The words live in `cues/<lang>.yml`, so a new language is a new file. Values and group names are
those of data/catalogue/routing.yml; bot.routing.route() takes the result as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.catalogue import get_catalogue
from bot.routing import candidates, possible_values
from bot.understanding.cuebook import NOTHING, CueBook, Reading, books_for, words

DIMENSIONS = ("topic", "procedure_kind", "title_type")


@dataclass(frozen=True)
class Facts:
    topic: str | None = None
    procedure_kind: str | None = None
    title_type: str | None = None
    # The dimensions read from weak or conflicting evidence: a cue found only one
    # typo away, or two cues that say different things. The dialogue asks about them rather
    # than lead to a door on them alone (decision 0022).
    doubts: frozenset[str] = field(default=frozenset(), compare=False)

    def as_slots(self) -> dict[str, str]:
        """The facts said, as routing and the Rasa slots name them (nothing for the unsaid)."""
        return {name: value for name in DIMENSIONS if (value := getattr(self, name))}

    def __bool__(self) -> bool:
        return bool(self.as_slots())


def read_facts(text: str, lang: str | None) -> Facts:
    """The routing facts a message states; `lang` is the message's language (None: any)."""
    tokens = words(text)
    if not tokens:
        return Facts()
    said: dict[str, str] = {}
    doubts: set[str] = set()
    used: frozenset[int] = frozenset()
    for book in books_for(lang):
        values, used, doubted = _values(book, tokens, used)
        for dimension, value in values.items():
            # The message's language speaks first; a borrowed term only adds what it did not
            # say, or narrows a group it said ("récépissé快过期了，卡…": 卡 is any permit, the
            # French word says which). A group the message's language settled on because its
            # words disagree stays for the question to split.
            if dimension not in said or (
                dimension not in doubts and narrows(dimension, value, said[dimension])
            ):
                said[dimension] = value
                doubts.discard(dimension)
                if dimension in doubted:
                    doubts.add(dimension)
    settled = consistent(said)
    if doubts and not _leads_somewhere(settled):
        # A word one typo from a cue ("degouter", disgusted, from "débouté") that leaves the
        # rest no démarche is no evidence: « j'ai perdu ma carte de sejour … jsui degouter » got
        # "I do not know this démarche yet" (a writer's dev conversation, session 26).
        settled = consistent({k: v for k, v in said.items() if k not in doubts})
    return Facts(**settled, doubts=frozenset(d for d in doubts if d in settled))


def _leads_somewhere(said: dict[str, str]) -> bool:
    catalogue = get_catalogue()
    return not said or bool(candidates(possible_values(said, catalogue.routing), catalogue))


def consistent(said: dict[str, str]) -> dict[str, str]:
    """Facts that leave no démarche because of a vague reading ("admission exceptionnelle au
    séjour": "séjour" read as "a title") lose it, the vague group whose removal leaves the
    fewest démarches. Specific facts stay, even when the catalogue has nothing for them (a first
    carte de résident): the reply then says so."""
    catalogue = get_catalogue()
    said = _held_title_alone(
        _vague_title_alone(
            _receipt_of_an_application(
                _asked_title(_work_is_any_permit(_stolen_with_the_car(said)))
            )
        )
    )
    if not said or candidates(possible_values(said, catalogue.routing), catalogue):
        return said
    family = _no_papers_with_family(said)
    if family is not None and candidates(possible_values(family, catalogue.routing), catalogue):
        return family
    best: tuple[int, dict[str, str]] | None = None
    for dimension in ("title_type", "procedure_kind", "topic"):
        if dimension in said and said[dimension] in catalogue.routing.groups.get(dimension, {}):
            rest = {k: v for k, v in said.items() if k != dimension}
            left = len(candidates(possible_values(rest, catalogue.routing), catalogue))
            if left and (best is None or left < best[0]):
                best = (left, rest)
    return best[1] if best else said


# The vague title ("a residence permit", the `titre` group) and the readings of having none.
_ANY_TITLE = "titre"
_NO_PAPERS = {"topic": "admission_exceptionnelle", "title_type": "none"}
_FAMILY_TITLES = frozenset({"vpf", "conjoint_francais"})


# The only work permit the catalogue routes by its own name.
_WORK = "work"
_WORK_TITLES = frozenset({"talent"})
_ANY_TOPIC = "residence"


_VEHICLE = "vehicle"
_LOST = "lost"


def _stolen_with_the_car(said: dict[str, str]) -> dict[str, str]:
    """A residence permit lost or stolen with a car ("on m'a volé ma voiture avec mon titre de
    séjour dedans", « سرقو ليا الطوموبيل و فيها الكارط »): the permit is what the préfecture
    replaces; the car was the carte grise's door (ANTS), which replaces no permit."""
    if (
        said.get("topic") == _VEHICLE
        and said.get("procedure_kind") == _LOST
        and said.get("title_type")
    ):
        return {k: v for k, v in said.items() if k != "topic"}
    return said


def _work_is_any_permit(said: dict[str, str]) -> dict[str, str]:
    """Work ("salarié", "travailleur temporaire", "my employer") says why the person has a
    permit, not which one: the catalogue's one work démarche is the talent passport, so without
    the talent named the topic is any residence permit ("mon titre salarié expire" is a renewal
    to ask about, not the talent passport; "je travaille, ma carte de résident expire" the
    resident card's renewal)."""
    if said.get("topic") == _WORK and said.get("title_type") not in _WORK_TITLES:
        return {**said, "topic": _ANY_TOPIC}
    return said


def _asked_title(said: dict[str, str]) -> dict[str, str]:
    """In a first application the permit named is the one asked for, not one held: "première
    demande de titre de séjour" says nothing of the title the person has (often none), so the
    vague title is dropped rather than ruling out the people who never had one."""
    if said.get("procedure_kind") == "first" and said.get("title_type") == _ANY_TITLE:
        return {k: v for k, v in said.items() if k != "title_type"}
    return said


def _vague_title_alone(said: dict[str, str]) -> dict[str, str]:
    """A residence permit named without its kind and without the procedure ("j'ai une question
    sur la carte de séjour", "عندي سؤال على الكارط دو سيجور", "hello i need carte de séjour") says
    the subject, not that a permit is held: the person may be asking for a first one, so the
    question keeps the people who never had one (regularisation, a first VPF card)."""
    if said.get("title_type") == _ANY_TITLE and "procedure_kind" not in said:
        rest = {k: v for k, v in said.items() if k != "title_type"}
        return {**rest, "topic": rest.get("topic", _ANY_TOPIC)}
    return said


_RENEWAL = "renewal"
_FIRST = "first"
_RECEIPT = "recepisse"


def _receipt_of_an_application(said: dict[str, str]) -> dict[str, str]:
    """A récépissé is what a pending application gives: "mon récépissé de première demande
    expire" names the application it belongs to, not a first application to make. The receipt
    itself is then what the person is about (its own démarche, `_held_title_alone`)."""
    if said.get("title_type") == _RECEIPT and said.get("procedure_kind") == "first":
        return {k: v for k, v in said.items() if k != "procedure_kind"}
    return said


def _held_title_alone(said: dict[str, str]) -> dict[str, str]:
    """A permit named by its kind with nothing said of the procedure ("je voudrais le passeport
    talent"): the one démarche of that permit when it covers both getting and renewing it, so
    wanting the permit is wanting that démarche. A permit only renewed at its own door ("rdv
    carte de résident", "j'ai une question sur mon titre étudiant") is asked: renew, or collect
    it, or a lost one? Three people who wrote first messages from situations, each on their
    own, read those as any of the three (session 17), and a wrong door costs more than a
    question."""
    title = said.get("title_type")
    catalogue = get_catalogue()
    routing = catalogue.routing
    if "procedure_kind" in said or not title or title in routing.groups.get("title_type", {}):
        return said
    own = [
        demarche
        for code in candidates(possible_values(said, routing), catalogue)
        if title in (demarche := catalogue.demarches[code]).selects.get("title_type", ())
    ]
    if len(own) == 1 and {_RENEWAL, _FIRST} <= own[0].selects.get("procedure_kind", frozenset()):
        return {**said, "procedure_kind": _RENEWAL}
    return said


def _no_papers_with_family(said: dict[str, str]) -> dict[str, str] | None:
    """ "No papers" beside a family tie to a French person ("sans papiers, mon enfant est
    français"): the tie is the ground of a first application (VPF), so the "no papers" readings
    become what they mean there, a first application."""
    if said.get("title_type") not in _FAMILY_TITLES:
        return None
    if not any(said.get(k) == v for k, v in _NO_PAPERS.items() if k != "title_type"):
        return None
    rest = {k: v for k, v in said.items() if _NO_PAPERS.get(k) != v}
    return {**rest, "procedure_kind": rest.get("procedure_kind", "first")}


# Which settlements of weak or conflicting evidence are on: decision 0022 measured each (a
# measuring script may set another set here).
POLICIES = frozenset({"cue_conflict", "fuzzy", "hint_conflict"})


def _values(
    book: CueBook, tokens: Sequence[str], used: frozenset[int]
) -> tuple[dict[str, str], frozenset[int], frozenset[str]]:
    """Per dimension, the value its strongest cue says; a hint only where no cue spoke, or
    where it narrows a group ("married to a French citizen … my card": conjoint_francais).
    Also the words now used: a language read later may not read them again; and the
    dimensions whose reading is in doubt.

    Two cues of one dimension that say different things ("ma carte est prête mais j'ai perdu
    le SMS": pickup and lost), or (policy `hint_conflict`, off) a hint that names another
    title than the cue ("étudiante et mariée à un Français"), are settled on the smallest
    routing group that holds both: the routing question then splits them instead of the first
    cue listed winning."""
    readings = book.read(book.facts, tokens, used)
    chosen = strongest(readings)
    doubts: set[str] = set()
    for dimension, value in chosen.items():
        # Only cues spelt right settle on a group: one found a typo away or by its Arabizi
        # consonants is weaker evidence than the exact cue it disagrees with (the exact one
        # keeps its door, the dimension is in doubt).
        said = {
            r.value
            for r in readings
            if r.dimension == dimension and r.value != NOTHING and not r.fuzzy
        }
        if _disagree(
            dimension, {r.value for r in readings if r.dimension == dimension} - {NOTHING}
        ):
            doubts.add(dimension)
        if "cue_conflict" in POLICIES and dimension in _SETTLED and _disagree(dimension, said):
            group = _smallest_group(dimension, said)
            if group is not None:
                chosen[dimension] = group
            doubts.add(dimension)
        best = [r for r in readings if r.dimension == dimension and r.value == value]
        if "fuzzy" in POLICIES and best and all(r.fuzzy for r in best):
            doubts.add(dimension)
    hints = book.read(book.hints, tokens, used)
    for dimension, value in strongest(hints).items():
        # Every hint counts, not only the strongest: "a student, married to a French man, my
        # card" hints the student and the spouse, "en master, mariée à un Français, mon titre
        # étudiant" a spouse against the cue's student card.
        hinted = {r.value for r in hints if r.dimension == dimension} - {NOTHING}
        cue = chosen.get(dimension)
        if cue in _HELD_BY_HINTED:
            continue
        if cue is None or refines(dimension, value, cue):
            chosen[dimension] = value
        said = hinted | ({cue} if cue else set())
        if "hint_conflict" in POLICIES and _disagree(dimension, said):
            group = _smallest_group(dimension, said)
            if group is not None:
                chosen[dimension] = group
                doubts.add(dimension)
    return chosen, used.union(*(r.positions for r in readings)), frozenset(doubts)


# Where two cues disagreeing is a doubt to settle by asking: the procedure ("prête" and
# "perdu"). Two topics are a reason and a status ("régularisation par le travail"), two titles
# the one held and the one awaited ("un récépissé, ma carte de résident n'est pas prête"):
# measured worse when settled on their group (decision 0022).
_SETTLED = frozenset({"procedure_kind"})

# Titles a hint does not put in doubt: a spouse of a French national holds the 10-year card
# after the conjoint card ("ma femme est française, ma carte de résident expire"), and a
# récépissé is the receipt of the application the hint names ("j'ai demandé la carte de
# conjoint, mon récépissé expire"). A student married to one may hold either: which card?
_HELD_BY_HINTED = frozenset({"carte_resident", "recepisse"})


def _disagree(dimension: str, values: set[str]) -> bool:
    """Whether some two of `values` say different things: neither is part or kind of the
    other (carte_resident and titre agree, the conjoint card is a kind of VPF)."""
    listed = sorted(values)
    return any(
        not (refines(dimension, a, b) or refines(dimension, b, a))
        for i, a in enumerate(listed)
        for b in listed[i + 1 :]
        if a != b
    )


def _smallest_group(dimension: str, values: set[str]) -> str | None:
    """The routing group of `dimension` that holds every value, the smallest one (pickup and
    lost: pickup_or_lost; the student and the talent card: other_title), or None."""
    routing = get_catalogue().routing
    wanted: set[str] = set()
    for value in values:
        wanted |= routing.expand(dimension, value) or {value}
    fitting = [
        (len(members), name)
        for name, members in routing.groups.get(dimension, {}).items()
        if wanted <= members
    ]
    return min(fitting)[1] if fitting else None


# Values that are a kind of another one although routing lists them apart: the spouse of a
# French national holds a "vie privée et familiale" card under its own name.
_KIND_OF = {("title_type", "conjoint_francais"): frozenset({"vpf"})}


def refines(dimension: str, value: str, than: str) -> bool:
    """Whether a hint's `value` says more than the `than` a cue read: a strict part of its group
    (carte_resident of titre), or a kind of it ("marié à une Française … ma carte vie privée et
    familiale" is the conjoint de Français card)."""
    return narrows(dimension, value, than) or than in _KIND_OF.get((dimension, value), ())


def narrows(dimension: str, value: str, than: str) -> bool:
    """Whether `value` is a strict part of `than` (carte_resident of titre, routing groups)."""
    routing = get_catalogue().routing
    narrow, wide = routing.expand(dimension, value), routing.expand(dimension, than)
    return bool(narrow) and bool(wide) and narrow < wide


def strongest(readings: Sequence[Reading]) -> dict[str, str]:
    best: dict[str, Reading] = {}
    for reading in readings:
        if reading.value == NOTHING:
            continue
        current = best.get(reading.dimension)
        if current is None or reading.rank < current.rank:
            best[reading.dimension] = reading
    return {dimension: reading.value for dimension, reading in best.items()}
