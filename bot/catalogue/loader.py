"""Reads data/catalogue/*.yml into a validated `Catalogue` (fails with file, key and reason)."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from bot.catalogue.messages import KEPT_RIGHTS, OPTION_LABELS, QUESTIONS
from bot.catalogue.models import (
    WHERE_KINDS,
    BookingRules,
    Catalogue,
    DeadlineRule,
    Demarche,
    Document,
    DocumentRequirement,
    Fee,
    HowToGet,
    LegalFact,
    Localized,
    Provenance,
    QuestionSpec,
    RoutingSpec,
    SourceRegistry,
    WhereDetail,
)
from bot.catalogue.reading import SiteReading
from bot.catalogue.schema import CatalogueError, Node
from bot.catalogue.texts import declared_texts, lay_over
from bot.i18n import SUPPORTED_LANGUAGES
from bot.text import fold

CATALOGUE_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "catalogue"
FILES: tuple[str, ...] = (
    "sources.yml",
    "legal.yml",
    "documents.yml",
    "deadlines.yml",
    "routing.yml",
    "demarches.yml",
    "departements.yml",
    "sites.yml",
)
SMS_LABEL_MAX = 40
# Month lengths vary: a window must be well ordered whatever the expiry date.
_REFERENCE_DAYS: tuple[date, ...] = (date(2024, 3, 31), date(2025, 3, 1), date(2025, 7, 31))


def catalogue_dir() -> Path:
    return Path(os.environ.get("GUICHET_CATALOGUE_DIR") or CATALOGUE_DIR)


@lru_cache(maxsize=1)
def get_catalogue() -> Catalogue:
    """The catalogue of the project (or of GUICHET_CATALOGUE_DIR), loaded once."""
    return load_catalogue(catalogue_dir())


def load_catalogue(directory: Path) -> Catalogue:
    nodes: dict[str, Node] = {}
    texts = declared_texts()
    for name in FILES:
        path = directory / name
        if not path.is_file():
            raise CatalogueError(name, "", f"file missing in {directory}")
        nodes[name] = Node.from_file(path)
        lay_over(path.stem, nodes[name].value, texts)
    registry = _sources(nodes["sources.yml"])
    reader = _Reader(registry)
    legal = reader.legal(nodes["legal.yml"])
    documents = reader.documents(nodes["documents.yml"])
    deadlines = reader.deadlines(nodes["deadlines.yml"])
    routing = reader.routing(nodes["routing.yml"])
    demarches = reader.demarches(nodes["demarches.yml"], documents, deadlines, routing)
    departements = reader.departements(nodes["departements.yml"])
    sites = reader.sites(nodes["sites.yml"], demarches, departements, routing)
    return Catalogue(
        demarches=demarches,
        sites=sites,
        documents=documents,
        deadlines=deadlines,
        departements=departements,
        routing=routing,
        sources=registry,
        legal=legal,
    )


def _sources(root: Node) -> SourceRegistry:
    root.mapping(required=("seeds", "official_sites"))
    seeds = {name: node.text() for name, node in root["seeds"].items()}
    sites = {domain.lower(): node.text() for domain, node in root["official_sites"].items()}
    return SourceRegistry(seeds=seeds, official_sites=sites)


class _Reader(SiteReading):
    """The per-file readers; holds the source registry every fact is checked against."""

    def official(self, node: Node, key: str) -> Provenance:
        """A provenance that must name an official site (a fee, a law): a seed is not enough."""
        provenance = self.provenance(node, key=key)
        seeds = [s for s in provenance.sources if s in self.registry.seeds]
        if seeds or not provenance.sources:
            raise node[key].fail("name an official site of sources.yml (a seed is not enough)")
        return provenance

    def legal(self, root: Node) -> dict[str, LegalFact]:
        root.mapping(required=("legal",))
        result = {}
        for code, node in root["legal"].items():
            node.mapping(required=("reference", "source"))
            result[code] = LegalFact(
                code=code,
                reference=node["reference"].text(),
                provenance=self.official(node, "source"),
            )
        return result

    def documents(self, root: Node) -> dict[str, Document]:
        root.mapping(required=("documents",))
        result = {}
        names: dict[str, str] = {}
        for code, node in root["documents"].items():
            node.mapping(
                required=("label", "explanation", "source", "words"),
                optional=(
                    "demo",
                    "how_to_get",
                    "how_to_get_source",
                    "ready_in_days",
                    "from_booking",
                ),
            )
            words = self.words(node["words"])
            for word in words:
                if names.setdefault(word, code) != code:
                    raise node["words"].fail(f"{word!r} already names {names[word]}")
            how = node.get("how_to_get")
            days = node.get("ready_in_days")
            if how is None and (days is not None or node.get("how_to_get_source") is not None):
                raise node.fail("`ready_in_days` and `how_to_get_source` need `how_to_get`")
            from_booking = node.get("from_booking")
            result[code] = Document(
                code=code,
                label=Localized(node["label"].localized(max_length=SMS_LABEL_MAX)),
                explanation=Localized(node["explanation"].localized()),
                provenance=self.provenance(node),
                words=words,
                how_to_get=HowToGet(
                    text=Localized(how.localized()),
                    ready_in_days=days.integer() if days is not None else None,
                    provenance=self.provenance(node, key="how_to_get_source"),
                )
                if how is not None
                else None,
                from_booking=from_booking.boolean() if from_booking is not None else False,
            )
        return result

    @staticmethod
    def words(node: Node) -> tuple[str, ...]:
        """{fr: [...], en: [...], ar: [...]} folded into one tuple (people mix languages)."""
        node.mapping(required=SUPPORTED_LANGUAGES)
        folded = (fold(w) for lang in SUPPORTED_LANGUAGES for w in node[lang].text_list())
        return tuple(dict.fromkeys(folded))

    def fee(self, node: Node) -> Fee:
        node.mapping(required=("pays", "checked", "source"), optional=("amount_eur", "varies"))
        amount = node.get("amount_eur")
        varies = node.get("varies")
        if (amount is None) == (varies is None):
            raise node.fail("give either `amount_eur` (a fixed amount) or `varies` (on what)")
        if amount is not None and (
            isinstance(amount.value, bool)
            or not isinstance(amount.value, int | float)
            or amount.value <= 0
        ):
            raise amount.fail("expected a positive amount in euros")
        checked = node["checked"]
        if not isinstance(checked.value, date):
            raise checked.fail("expected the date the amount was checked, YYYY-MM-DD")
        return Fee(
            amount_eur=Decimal(str(amount.value)) if amount is not None else None,
            pays=Localized(node["pays"].localized()),
            varies=Localized(varies.localized()) if varies is not None else None,
            checked=checked.value,
            provenance=self.official(node, "source"),
        )

    def deadlines(self, root: Node) -> dict[str, DeadlineRule]:
        root.mapping(required=("deadlines",))
        result = {}
        for code, node in root["deadlines"].items():
            node.mapping(
                required=("opens", "closes", "rights_after_expiry", "kept_rights", "source"),
                optional=("demo",),
            )
            rights = node.get("rights_after_expiry")
            rule = DeadlineRule(
                code=code,
                opens=self.offset(node["opens"]),
                closes=self.offset(node["closes"]),
                rights_after_expiry=self.offset(rights) if rights is not None else None,
                kept_rights=node["kept_rights"].choice(tuple(KEPT_RIGHTS)),
                provenance=self.provenance(node),
            )
            if any(rule.closes.before(d) < rule.opens.before(d) for d in _REFERENCE_DAYS):
                raise node["closes"].fail("the window closes before it opens")
            result[code] = rule
        return result

    def routing(self, root: Node) -> RoutingSpec:
        root.mapping(required=("dimensions", "groups", "implies", "questions"))
        dimensions = {dim: node.text_list() for dim, node in root["dimensions"].items()}
        groups: dict[str, dict[str, frozenset[str]]] = {}
        for dim, node in root["groups"].items():
            if dim not in dimensions:
                raise node.fail(f"unknown dimension {dim!r}")
            groups[dim] = {}
            for group, values in node.items():
                members = values.text_list()
                for value in members:
                    if value not in dimensions[dim]:
                        raise values.fail(f"{value!r} is not a value of {dim}")
                groups[dim][group] = frozenset(members)
        implies = []
        for node in root["implies"].elements():
            node.mapping(required=("when", "set"))
            when = node["when"].text_list()
            for dim in when:
                if dim not in dimensions:
                    raise node["when"].fail(f"unknown dimension {dim!r}")
            settings = {dim: value.text() for dim, value in node["set"].items()}
            implies.append((when, settings))
        spec = RoutingSpec(
            dimensions=dimensions, groups=groups, implies=tuple(implies), questions=()
        )
        questions = []
        for node in root["questions"].elements():
            node.mapping(required=("id", "ask", "options"))
            question_id = node["id"].choice(tuple(QUESTIONS))
            ask = node["ask"].choice(tuple(dimensions))
            options = []
            for option in node["options"].elements():
                option.mapping(required=("value", "label"))
                value = option["value"].text()
                if spec.expand(ask, value) is None:
                    raise option["value"].fail(f"{value!r} is neither a value nor a group of {ask}")
                options.append((value, option["label"].choice(tuple(OPTION_LABELS))))
            questions.append(QuestionSpec(id=question_id, ask=ask, options=tuple(options)))
        return RoutingSpec(
            dimensions=dimensions, groups=groups, implies=tuple(implies), questions=tuple(questions)
        )

    def demarches(
        self,
        root: Node,
        documents: dict[str, Document],
        deadlines: dict[str, DeadlineRule],
        routing: RoutingSpec,
    ) -> dict[str, Demarche]:
        root.mapping(required=("demarches",))
        result = {}
        for code, node in root["demarches"].items():
            node.mapping(
                required=(
                    "name",
                    "summary",
                    "where",
                    "where_detail",
                    "selects",
                    "booking",
                    "deadline",
                    "documents",
                    "sources",
                ),
                optional=("fee",),
            )
            where = node["where"].choice(WHERE_KINDS)
            booking_node = node.get("booking")
            if (where == "prefecture_rdv") != (booking_node is not None):
                raise node["booking"].fail(
                    "a prefecture_rdv démarche needs booking rules; other démarches have `booking: null`"
                )
            deadline_node = node.get("deadline")
            deadline = None
            if deadline_node is not None:
                deadline = deadlines[deadline_node.choice(tuple(deadlines))]
            result[code] = Demarche(
                code=code,
                names=Localized(node["name"].localized()),
                summaries=Localized(node["summary"].localized()),
                where=where,
                where_detail=self.where_detail(node["where_detail"]),
                selects=self.selects(node["selects"], routing),
                booking=self.booking(booking_node) if booking_node is not None else None,
                deadline=deadline,
                documents=tuple(
                    self.requirement(d, documents) for d in node["documents"].elements()
                ),
                provenance=self.provenance(node, key="sources"),
                fee=self.fee(node["fee"]) if node.get("fee") is not None else None,
            )
        return result

    def where_detail(self, node: Node) -> WhereDetail:
        node.mapping(required=("site_name", "url", "what_to_do", "source"), optional=("demo",))
        url = node.get("url")
        return WhereDetail(
            site_name=node["site_name"].text(),
            url=url.text() if url is not None else None,
            what_to_do=Localized(node["what_to_do"].localized()),
            provenance=self.provenance(node),
        )

    @staticmethod
    def selects(node: Node, routing: RoutingSpec) -> dict[str, frozenset[str]]:
        result = {}
        for dim, values in node.items():
            if dim not in routing.dimensions:
                raise values.fail(f"unknown routing dimension {dim!r} (see routing.yml)")
            members = values.text_list()
            for value in members:
                if value not in routing.dimensions[dim]:
                    raise values.fail(f"{value!r} is not a value of {dim} (see routing.yml)")
            result[dim] = frozenset(members)
        if not result:
            raise node.fail("a démarche must be selected by at least one fact")
        return result

    def booking(self, node: Node) -> BookingRules:
        node.mapping(
            required=("slot_minutes", "horizon_days", "needs_numero_etranger"),
            optional=("source", "demo"),
        )
        return BookingRules(
            slot_minutes=node["slot_minutes"].integer(minimum=5),
            horizon_days=node["horizon_days"].integer(minimum=1),
            needs_numero_etranger=node["needs_numero_etranger"].boolean(),
            provenance=self.provenance(node),
        )

    @staticmethod
    def requirement(node: Node, documents: dict[str, Document]) -> DocumentRequirement:
        node.mapping(required=("ref", "original", "copies"), optional=("when",))
        when = node.get("when")
        return DocumentRequirement(
            document=documents[node["ref"].choice(tuple(documents))],
            original=node["original"].boolean(),
            copies=node["copies"].integer(),
            when=Localized(when.localized()) if when is not None else None,
        )
