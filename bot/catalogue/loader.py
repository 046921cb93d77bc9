"""Reads data/catalogue/*.yml into a validated `Catalogue` (fails with file, key and reason)."""

from __future__ import annotations

import os
from datetime import date
from functools import lru_cache
from pathlib import Path

from bot.catalogue.messages import KEPT_RIGHTS, OPTION_LABELS, QUESTIONS
from bot.catalogue.models import (
    SERVICE_KINDS,
    WHERE_KINDS,
    BookingRules,
    Catalogue,
    DeadlineRule,
    Demarche,
    Departement,
    Document,
    DocumentRequirement,
    Hours,
    Localized,
    Offset,
    OpeningRange,
    Pan,
    Provenance,
    QuestionSpec,
    RoutingSpec,
    Site,
    SiteService,
    SourceRegistry,
    WhereDetail,
)
from bot.catalogue.schema import CatalogueError, Node
from bot.catalogue.texts import declared_texts, lay_over

CATALOGUE_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "catalogue"
FILES: tuple[str, ...] = (
    "sources.yml",
    "documents.yml",
    "deadlines.yml",
    "routing.yml",
    "demarches.yml",
    "departements.yml",
    "sites.yml",
)
SMS_LABEL_MAX = 40
BOOKING_MODES: tuple[str, ...] = ("direct", "request")
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
    )


def _sources(root: Node) -> SourceRegistry:
    root.mapping(required=("seeds", "official_sites"))
    seeds = {name: node.text() for name, node in root["seeds"].items()}
    sites = {domain.lower(): node.text() for domain, node in root["official_sites"].items()}
    return SourceRegistry(seeds=seeds, official_sites=sites)


class _Reader:
    """The per-file readers; holds the source registry every fact is checked against."""

    def __init__(self, registry: SourceRegistry) -> None:
        self.registry = registry

    # -- shared pieces ----------------------------------------------------------------
    def provenance(self, node: Node, *, key: str = "source", required: bool = True) -> Provenance:
        """`source:` (str or list) and/or `demo: true`; a fact needs at least one of them."""
        source_node = node.get(key)
        demo_node = node.get("demo")
        demo = demo_node.boolean() if demo_node is not None else False
        sources = source_node.text_list() if source_node is not None else ()
        if source_node is not None:
            items = (
                [source_node]
                if isinstance(source_node.value, str)
                else list(source_node.elements())
            )
            for item in items:
                if not self.registry.knows(item.text()):
                    raise item.fail(
                        f"unknown source {item.value!r}: name a seed file or an official site of sources.yml"
                    )
        if required and not sources and not demo:
            raise node.fail(f"no source: add `{key}:` (seed file or official site) or `demo: true`")
        return Provenance(sources=sources, demo=demo)

    @staticmethod
    def offset(node: Node) -> Offset:
        node.mapping(optional=("months", "days"))
        months = node.get("months")
        days = node.get("days")
        if months is None and days is None:
            raise node.fail("expected {months: N} or {days: N}")
        return Offset(
            months=months.integer() if months is not None else 0,
            days=days.integer() if days is not None else 0,
        )

    @staticmethod
    def hours(node: Node) -> tuple[Hours, ...]:
        result = []
        for element in node.elements():
            element.mapping(required=("weekday", "start", "end"))
            start, end = element["start"].clock(), element["end"].clock()
            if end <= start:
                raise element["end"].fail(f"ends at {end:%H:%M}, not after its start {start:%H:%M}")
            result.append(Hours(element["weekday"].weekday(), start, end))
        return tuple(result)

    # -- files ------------------------------------------------------------------------
    def documents(self, root: Node) -> dict[str, Document]:
        root.mapping(required=("documents",))
        result = {}
        for code, node in root["documents"].items():
            node.mapping(required=("label", "explanation", "source"), optional=("demo",))
            result[code] = Document(
                code=code,
                label=Localized(node["label"].localized(max_length=SMS_LABEL_MAX)),
                explanation=Localized(node["explanation"].localized()),
                provenance=self.provenance(node),
            )
        return result

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
                )
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

    def departements(self, root: Node) -> dict[str, Departement]:
        root.mapping(required=("departements", "source"))
        self.provenance(root)
        result = {}
        for node in root["departements"].elements():
            node.mapping(required=("code", "name", "prefecture"))
            code = node["code"].text().upper()
            if code in result:
                raise node["code"].fail(f"département {code} listed twice")
            result[code] = Departement(code, node["name"].text(), node["prefecture"].text())
        return result

    def sites(
        self,
        root: Node,
        demarches: dict[str, Demarche],
        departements: dict[str, Departement],
        routing: RoutingSpec,
    ) -> dict[str, Site]:
        root.mapping(required=("sites",))
        result = {}
        for code, node in root["sites"].items():
            node.mapping(
                required=(
                    "name",
                    "departement",
                    "city",
                    "postal_codes",
                    "address",
                    "address_source",
                    "website",
                    "timezone",
                    "booking_mode",
                    "booking_mode_source",
                    "demarches",
                    "opening_ranges",
                    "services",
                    "pan",
                ),
                optional=("aliases",),
            )
            departement_code = node["departement"].choice(tuple(departements))
            bookable = []
            for element in node["demarches"].elements():
                demarche = element.choice(tuple(demarches))
                if demarches[demarche].where != "prefecture_rdv":
                    raise element.fail(
                        f"{demarche} is not booked at a préfecture ({demarches[demarche].where})"
                    )
                bookable.append(demarche)
            postal_codes = []
            for element in node["postal_codes"].elements():
                postal = str(element.text())
                if len(postal) != 5 or not postal.isdigit():
                    raise element.fail(f"{postal!r} is not a 5-digit postal code")
                postal_codes.append(postal)
            self.provenance(node, key="address_source")
            self.provenance(node, key="booking_mode_source")
            ranges = tuple(
                self.opening_range(r, bookable) for r in node["opening_ranges"].elements()
            )
            missing = [d for d in bookable if not any(r.demarche == d for r in ranges)]
            if missing:
                raise node["opening_ranges"].fail(f"no plage d'ouverture for {', '.join(missing)}")
            result[code] = Site(
                code=code,
                name=node["name"].text(),
                departement=departement_code,
                departement_name=departements[departement_code].name,
                city=node["city"].text(),
                postal_codes=postal_codes,
                address=node["address"].text(),
                timezone=node["timezone"].choice(("Europe/Paris",)),
                demarches=bookable,
                website=node["website"].text(),
                booking_mode=node["booking_mode"].choice(BOOKING_MODES),
                opening_ranges=ranges,
                services=tuple(
                    self.service(s, demarches, routing) for s in node["services"].elements()
                ),
                pan=self.pan(node["pan"]),
                aliases=node["aliases"].text_list() if node.get("aliases") is not None else (),
            )
        return result

    def opening_range(self, node: Node, bookable: list[str]) -> OpeningRange:
        node.mapping(
            required=("demarche", "weekday", "start", "end", "counters"),
            optional=("source", "demo"),
        )
        start, end = node["start"].clock(), node["end"].clock()
        if end <= start:
            raise node["end"].fail(f"ends at {end:%H:%M}, not after its start {start:%H:%M}")
        demarche = node["demarche"].text()
        if demarche not in bookable:
            raise node["demarche"].fail(f"{demarche!r} is not in this site's démarches")
        return OpeningRange(
            demarche=demarche,
            weekday=node["weekday"].weekday(),
            start=start,
            end=end,
            counters=node["counters"].integer(minimum=1),
            provenance=self.provenance(node),
        )

    def service(
        self, node: Node, demarches: dict[str, Demarche], routing: RoutingSpec
    ) -> SiteService:
        node.mapping(
            required=("kind", "demarches", "place"),
            optional=("hours", "topics", "email", "source", "demo"),
        )
        kind = node["kind"].choice(SERVICE_KINDS)
        codes = tuple(element.choice(tuple(demarches)) for element in node["demarches"].elements())
        topics_node = node.get("topics")
        topics = topics_node.text_list() if topics_node is not None else ()
        for topic in topics:
            if topic not in routing.dimensions.get("topic", ()):
                raise topics_node.fail(f"{topic!r} is not a topic (see routing.yml)")
        hours_node = node.get("hours")
        email_node = node.get("email")
        if kind == "email" and email_node is None:
            raise node.fail("an email service needs `email:`")
        if kind != "email" and hours_node is None:
            raise node.fail(f"a {kind} service needs `hours:`")
        email = email_node.text() if email_node is not None else None
        if email is not None and "@" not in email:
            raise email_node.fail(f"{email!r} is not an e-mail address")
        return SiteService(
            kind=kind,
            demarches=codes,
            topics=topics,
            hours=self.hours(hours_node) if hours_node is not None else (),
            place=Localized(node["place"].localized()),
            email=email,
            provenance=self.provenance(node),
        )

    def pan(self, node: Node) -> Pan:
        node.mapping(required=("name", "place", "hours"), optional=("source", "demo"))
        return Pan(
            name=node["name"].text(),
            place=Localized(node["place"].localized()),
            hours=self.hours(node["hours"]),
            provenance=self.provenance(node),
        )
