"""The catalogue readers' shared pieces (sources, offsets, hours) and the sites' reader:
préfectures, their opening ranges, services and PAN, and the départements."""

from __future__ import annotations

from bot.catalogue.models import (
    SERVICE_KINDS,
    Demarche,
    Departement,
    Hours,
    Localized,
    Offset,
    OpeningRange,
    Pan,
    Provenance,
    RoutingSpec,
    Site,
    SiteService,
    SourceRegistry,
)
from bot.catalogue.schema import Node

BOOKING_MODES: tuple[str, ...] = ("direct", "request")


class Reading:
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


class SiteReading(Reading):
    """sites.yml and departements.yml."""

    def departements(self, root: Node) -> dict[str, Departement]:
        root.mapping(required=("departements", "source"))
        self.provenance(root)
        result = {}
        for node in root["departements"].elements():
            node.mapping(required=("code", "name", "prefecture"), optional=("aliases",))
            code = node["code"].text().upper()
            if code in result:
                raise node["code"].fail(f"département {code} listed twice")
            aliases = node["aliases"].text_list() if node.get("aliases") is not None else ()
            result[code] = Departement(
                code, node["name"].text(), node["prefecture"].text(), tuple(aliases)
            )
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
