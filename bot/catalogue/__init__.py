"""What the assistant knows: démarches, documents, deadlines and préfecture sites (pure, no I/O
beyond reading data/catalogue/*.yml once). See data/catalogue/ for the facts and their sources."""

from bot.catalogue.loader import catalogue_dir, get_catalogue, load_catalogue
from bot.catalogue.models import (
    BookingRules,
    Catalogue,
    DeadlineRule,
    Demarche,
    Departement,
    Document,
    DocumentRequirement,
    Hours,
    Localized,
    OpeningRange,
    Pan,
    Site,
    SiteService,
    add_months,
)
from bot.catalogue.places import (
    departement_of_postal_code,
    place_names,
    resolve_departement,
    resolve_departements,
    resolve_site,
)
from bot.catalogue.schema import CatalogueError

__all__ = [
    "BookingRules",
    "Catalogue",
    "CatalogueError",
    "DeadlineRule",
    "Demarche",
    "Departement",
    "Document",
    "DocumentRequirement",
    "Hours",
    "Localized",
    "OpeningRange",
    "Pan",
    "Site",
    "SiteService",
    "add_months",
    "catalogue_dir",
    "departement_of_postal_code",
    "get_catalogue",
    "load_catalogue",
    "place_names",
    "resolve_departement",
    "resolve_departements",
    "resolve_site",
]
