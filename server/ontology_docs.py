"""The ontology's IRIs: the ontology, its version IRI and its modules, for Protégé and people.

`BASE ontology` (and its version IRI) serves the whole ontology as one document: the core with
the modules it imports, `BASE sector/` and `BASE ontology/alignment`, merged in without their
headers (graph/closure.py), because a client of this server cannot resolve their w3id.org IRIs
here; Protégé opening the URL gets everything and reports no missing import. Each module IRI
serves its own source file, exactly as an ontology engineer would open it. Machines get RDF
(RDF/XML for Protégé's Accept), browsers the documentation: the hash IRIs `BASE ontology#Term`
land on the term's anchor there, and each term has a page of its own at /ontology/term/<name>.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Blueprint, Response, redirect, render_template
from rdflib import OWL, RDF, Graph, URIRef

from cajkg.graph import formats
from cajkg.graph.closure import imports_closure
from cajkg.graph.iris import CAJKG, G_ONTOLOGY, ONTOLOGY, SECTOR, Base
from cajkg.graph.load import parse_graph
from cajkg.graph.sources import default_sources

from . import pages, rendering
from .config import get_store
from .describe import rows, run
from .errors import Problem
from .vocabulary import Vocabulary, read

bp = Blueprint("ontology_docs", __name__)
bp.record_once(rendering.install)


@lru_cache(maxsize=4)
def _module_files(base_iri: str) -> dict[URIRef, Graph]:
    """Each ontology source file by its owl:Ontology IRI, rebased."""
    base = Base(base_iri)
    found = {}
    for source in default_sources().ontology:
        graph = Graph()
        for s, p, o in parse_graph(source):
            graph.add(
                tuple(
                    base.rebase(t) if isinstance(t, URIRef) else t  # type: ignore[arg-type]
                    for t in (s, p, o)
                )
            )
        for module in graph.subjects(RDF.type, OWL.Ontology):
            found[module] = graph  # type: ignore[index]
    return found


def ontology_graph() -> Graph:
    """The ontology graph of the store."""
    graph = get_store().graph(rendering.base().rebase(G_ONTOLOGY))
    if graph is None:
        raise Problem(404, "this store has no ontology graph")
    return graph


def module_of(iri: URIRef) -> URIRef | None:
    """The ontology module that an ontology or version IRI names."""
    graph = ontology_graph()
    if (iri, RDF.type, OWL.Ontology) in graph:
        return iri
    found = graph.value(predicate=OWL.versionIRI, object=iri)
    return found if isinstance(found, URIRef) else None


def module_graph(module: URIRef) -> Graph:
    """What a module IRI serves: the module's own source file; the ontology IRI serves the
    ontology whole, its modules merged in (graph/closure.py says why)."""
    files = _module_files(rendering.base().iri)
    if module not in files:
        raise Problem(404, f"no ontology module {module.n3()}")
    if module == rendering.base().rebase(ONTOLOGY):
        return _closure(rendering.base().iri)
    return files[module]


@lru_cache(maxsize=4)
def _closure(base_iri: str) -> Graph:
    return imports_closure(_module_files(base_iri), Base(base_iri).rebase(ONTOLOGY))


def vocabulary() -> Vocabulary:
    """The documentation model of the ontology graph."""
    base = rendering.base()
    return read(
        ontology_graph(),
        base.rebase(ONTOLOGY),
        str(base.rebase(CAJKG[""])),
        str(base.rebase(SECTOR[""])),
    )


def individuals() -> dict[URIRef, list[tuple[URIRef, str | None]]]:
    """Asserted members of each class, with their English label."""
    found: dict[URIRef, list[tuple[URIRef, str | None]]] = {}
    for row in rows(run(get_store(), "individuals", rendering.base())):
        label = str(row["label"]) if "label" in row else None
        found.setdefault(row["class"], []).append((row["individual"], label))  # type: ignore[arg-type]
    return found


def _documentation(stem: str) -> Response:
    html = render_template(
        "ontology.html",
        title="Ontology",
        v=vocabulary(),
        members=individuals(),
        alternates=rendering.alternates(stem),
        iri=rendering.base().rebase(ONTOLOGY),
    )
    return Response(html, content_type="text/html; charset=utf-8")


def serve(module: URIRef, stem: str, suffix: str | None) -> Response:
    """A module by suffix, or by negotiation (HTML documentation or RDF, RDF/XML for Protégé)."""
    documents = rendering.document_formats()
    if suffix is not None:
        fmt = formats.by_extension(suffix)
        if suffix == pages.HTML_SUFFIX:
            return _documentation(stem)
        if fmt is None or fmt not in documents:
            raise Problem(404, f"no document with the suffix .{suffix}")
        return pages.rdf_response(module_graph(module), fmt, stem)
    found = rendering.preferred_group(pages.offered())
    if found is None:
        raise Problem(
            406,
            "the ontology is offered as HTML, Turtle, JSON-LD, RDF/XML and N-Triples",
            {"Vary": "Accept"},
        )
    if found == 0:
        if module != rendering.base().rebase(ONTOLOGY) and stem != "/ontology":
            return redirect(f"/ontology#{module_anchor(module)}", code=303)
        response = _documentation(stem)
    else:
        response = pages.rdf_response(module_graph(module), documents[found - 1], stem)
    response.vary.add("Accept")
    return response


def module_anchor(module: URIRef) -> str:
    """The section of the documentation page that covers a module."""
    return (
        "sectors"
        if str(module).startswith(str(rendering.base().rebase(SECTOR[""])))
        else "alignment"
    )


@bp.route("/ontology")
def ontology() -> Response:
    """The ontology IRI."""
    return serve(rendering.base().rebase(ONTOLOGY), "/ontology", None)


@bp.route("/ontology.<suffix>")
def ontology_document(suffix: str) -> Response:
    """The ontology in one format, by suffix."""
    return serve(rendering.base().rebase(ONTOLOGY), "/ontology", suffix)


@bp.route("/sector/")
def sectors() -> Response:
    """The sector module (a SKOS concept scheme)."""
    return serve(rendering.base().rebase(SECTOR[""]), "/sector/index", None)


@bp.route("/sector/index.<suffix>")
def sectors_document(suffix: str) -> Response:
    """The sector module in one format, by suffix."""
    return serve(rendering.base().rebase(SECTOR[""]), "/sector/index", suffix)


@bp.route("/ontology/term/<name>")
def term(name: str) -> str:
    """The page of one term of the vocabulary."""
    v = vocabulary()
    found = v.find(name)
    if found is None:
        raise Problem(404, f"the ontology has no term called {name!r}")
    return render_template(
        "term.html", title=found.label(), t=found, v=v, members=individuals().get(found.iri, [])
    )


@bp.route("/ontology/<path:rest>")
def module(rest: str) -> Response:
    """Version IRIs and modules under /ontology/, with or without a suffix."""
    base = rendering.base()
    found = module_of(URIRef(f"{base.iri}ontology/{rest}"))
    if found is not None:
        return serve(found, f"/ontology/{rest}", None)
    stem, dot, suffix = rest.rpartition(".")
    found = module_of(URIRef(f"{base.iri}ontology/{stem}")) if dot else None
    if found is None:
        return pages.not_found(f"ontology/{rest}")
    return serve(found, f"/ontology/{stem}", suffix)
