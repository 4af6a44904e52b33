"""What every page template needs: IRIs as local links and prefixed names, the page alternates.

Installed once per app by whichever of the page blueprints is registered first.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask.blueprints import BlueprintSetupState
from flask.sansio.app import App
from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

from cajkg.graph import formats
from cajkg.graph.iris import PREFIXES, Base

from . import negotiate
from .config import setting

COMMON_PREFIXES = {
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "dcat": str(DCAT),
    "void": str(VOID),
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "wd": "http://www.wikidata.org/entity/",
}
DOCUMENT_FORMATS = ("turtle", "jsonld", "rdfxml", "ntriples")


@dataclass(frozen=True)
class Alternate:
    """Another representation of the page: a Link rel="alternate" target."""

    media_type: str
    href: str
    label: str

    def header(self) -> str:
        """The Link header value for this alternate."""
        return f'<{self.href}>; rel="alternate"; type="{self.media_type}"'


def base() -> Base:
    """The base IRI of the current app."""
    return Base(setting("CAJKG_BASE"))


def document_formats() -> list[formats.Format]:
    """The RDF formats a resource or an ontology module is offered in, by suffix."""
    found = (formats.by_name(name) for name in DOCUMENT_FORMATS)
    return [f for f in found if f is not None]


def alternates(stem: str) -> list[Alternate]:
    """The machine-readable documents of a page whose IRI path is `stem`."""
    return [Alternate(f.media_type, f"{stem}.{f.extension}", f.label) for f in document_formats()]


def preferred_group(groups: list[tuple[str, ...]]) -> int | None:
    """Which group of media types the request's Accept prefers (None: none acceptable)."""
    flat = [media_type for group in groups for media_type in group]
    best = negotiate.accept_media_type(flat)
    return None if best is None else next(i for i, g in enumerate(groups) if best in g)


def is_local(node: object) -> bool:
    """Whether the node is an IRI under the base (so this server can show it)."""
    return isinstance(node, URIRef) and str(node).startswith(base().iri)


SAFE_SCHEMES = ("http://", "https://")


def href(node: object) -> str:
    """Where a link to the node goes: its path here for IRIs under the base, else the IRI.

    Only http(s) IRIs become links: data may hold <javascript:...>, which must never be one.
    """
    text = str(node)
    if is_local(node):
        return "/" + text[len(base().iri) :]
    return text if text.lower().startswith(SAFE_SCHEMES) else "#"


def curie(node: object) -> str:
    """A prefixed name for an IRI when a known namespace fits, else the IRI itself."""
    text = str(node)
    for prefix, namespace in prefixes().items():
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{prefix}:{text[len(namespace) :]}"
    return text


def prefixes() -> dict[str, str]:
    """Prefix -> namespace for display: the cajkg namespaces (rebased) and common ones."""
    rebased = {p: str(base().rebase(URIRef(ns))) for p, ns in PREFIXES.items()}
    return {**rebased, **COMMON_PREFIXES}


def _install(app: App) -> None:
    if "cajkg.rendering" in app.extensions:
        return
    app.extensions["cajkg.rendering"] = True
    app.jinja_env.filters.update(href=href, curie=curie, is_local=is_local)
    app.jinja_env.tests.update(
        iri=lambda n: isinstance(n, URIRef), literal=lambda n: isinstance(n, Literal)
    )
    app.jinja_env.globals.setdefault("alternates", [])


def install(state: BlueprintSetupState) -> None:
    """Blueprint hook: `bp.record_once(install)`."""
    _install(state.app)
