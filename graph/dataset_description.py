"""The VoID/DCAT description of a built dataset: static metadata from dataset.ttl plus counts."""

from __future__ import annotations

from importlib import resources

from rdflib import XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID

from cajkg.graph.iris import DEFAULT_BASE, Base
from cajkg.graph.load import parse_graph

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


def dataset_iri(base: Base) -> URIRef:
    """The IRI of the dataset description."""
    return URIRef(base.iri + "dataset")


def describe_dataset(ds: Dataset, base: Base, downloads: dict[str, str], modified: str) -> Graph:
    """VoID, one subset per named graph; DCAT distributions for `downloads` (file: media type)."""
    g = Graph()
    for triple in parse_graph(resources.files("cajkg.graph") / "dataset.ttl"):
        s, p, o = (
            base.rebase(t) if isinstance(t, URIRef) and str(t).startswith(DEFAULT_BASE) else t
            for t in triple
        )
        g.add((s, p, o))
    root = dataset_iri(base)
    total = 0
    for named in sorted(ds.graphs(), key=lambda x: str(x.identifier)):
        if not isinstance(named.identifier, URIRef) or not len(named):
            continue
        subset = URIRef(f"{root}/{str(named.identifier).rsplit('/', 1)[-1]}")
        g.add((root, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, SD.name, named.identifier))
        g.add((subset, VOID.triples, Literal(len(named), datatype=XSD.integer)))
        total += len(named)
    g.add((root, VOID.triples, Literal(total, datatype=XSD.integer)))
    g.add((root, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime)))
    for name, media_type in sorted(downloads.items()):
        dist = URIRef(f"{base.iri}download/{name}")
        g.add((root, DCAT.distribution, dist))
        g.add((root, VOID.dataDump, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.downloadURL, dist))
        g.add((dist, DCAT.mediaType, Literal(media_type)))
        g.add((dist, DCTERMS.title, Literal(name)))
    return g
