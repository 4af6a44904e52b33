"""The ontology modules: complete documentation, OWL 2 DL hygiene, a sound sector tree, and the
inferences (or inconsistencies) each key axiom exists for, computed with owlrl as the build does."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import owlrl
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV
from rdflib.term import Node

CAJKG = Namespace("https://w3id.org/cajkg/ontology#")
SECTOR = Namespace("https://w3id.org/cajkg/sector/")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
VANN = Namespace("http://purl.org/vocab/vann/")
EX = Namespace("https://example.org/cajkg-test/")
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")
# A plain Namespace: rdflib's closed XSD namespace warns when pytest probes module attributes.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

CORE = URIRef("https://w3id.org/cajkg/ontology")
ALIGNMENT = URIRef("https://w3id.org/cajkg/ontology/alignment")
SECTOR_SCHEME = URIRef(str(SECTOR))
PRIORITY_SCHEME = SECTOR["japan-priority-areas"]
MODULES = {"cajkg.ttl": CORE, "sectors.ttl": SECTOR_SCHEME, "alignment.ttl": ALIGNMENT}

DATA = Path(__file__).parent / "data"
ENTITY_KINDS = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
)
# The OWL 2 datatype map (OWL 2 Syntax, section 4); xsd:date and xsd:gYear are not in it.
_XSD_IN_OWL2 = (
    "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger "
    "long int short byte unsignedLong unsignedInt unsignedShort unsignedByte double float "
    "string normalizedString token language Name NCName NMTOKEN boolean hexBinary "
    "base64Binary anyURI dateTime dateTimeStamp"
)
OWL2_DATATYPES = {XSD[name] for name in _XSD_IN_OWL2.split()} | {
    RDF.PlainLiteral,
    RDF.XMLLiteral,
    RDF.langString,
    RDFS.Literal,
    OWL.real,
    OWL.rational,
}


def _names(filename: str) -> list[str]:
    lines = (DATA / filename).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


CONTRACT_TERMS = _names("ontology-terms.txt")
SECTOR_CONCEPTS = _names("sector-concepts.txt")


def _module(name: str) -> Graph:
    text = (resources.files("cajkg.ontology") / name).read_text(encoding="utf-8")
    return Graph().parse(data=text, format="turtle")


@pytest.fixture(scope="module")
def modules() -> dict[str, Graph]:
    return {name: _module(name) for name in MODULES}


@pytest.fixture(scope="module")
def ontology(modules: dict[str, Graph]) -> Graph:
    union = Graph()
    for graph in modules.values():
        union += graph
    return union


def _closure(ontology: Graph, facts: Graph) -> tuple[Graph, list[str]]:
    """owlrl closure of ontology + facts (same settings as cajkg.graph.reason), and its errors."""
    work = Graph()
    work += ontology
    work += facts
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, improved_datatypes=False).expand(work)
    return work, sorted(str(message) for message in work.objects(None, ERR.error))


@pytest.fixture(scope="module")
def axiom_facts() -> Graph:
    return Graph().parse(DATA / "ontology-axioms.ttl", format="turtle")


@pytest.fixture(scope="module")
def reasoned(ontology: Graph, axiom_facts: Graph) -> tuple[Graph, list[str]]:
    return _closure(ontology, axiom_facts)


def _langs(graph: Graph, subject: Node, predicate: URIRef) -> list[str]:
    return sorted(
        (o.language or "") for o in graph.objects(subject, predicate) if isinstance(o, Literal)
    )


# ---------------------------------------------------------------- headers


@pytest.mark.parametrize(("filename", "iri"), MODULES.items())
def test_each_module_declares_its_ontology_iri(modules, filename, iri):
    assert set(modules[filename].subjects(RDF.type, OWL.Ontology)) == {iri}


@pytest.mark.parametrize("filename", MODULES)
def test_each_module_header_is_complete(modules, filename):
    graph, iri = modules[filename], MODULES[filename]
    assert graph.value(iri, OWL.versionIRI) == URIRef(f"{iri.rstrip('/')}/1.0.0")
    assert graph.value(iri, OWL.versionInfo) == Literal("1.0.0")
    assert _langs(graph, iri, DCTERMS.title) == ["de", "en"]
    assert "en" in _langs(graph, iri, DCTERMS.description)
    assert graph.value(iri, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert graph.value(iri, DCTERMS.creator) == Literal("cajkg contributors")
    created = graph.value(iri, DCTERMS.created)
    assert created.datatype == XSD.dateTime
    assert str(created).startswith("2026-11-26")


def test_core_header_names_namespace_and_imports_modules(modules):
    core = modules["cajkg.ttl"]
    assert core.value(CORE, VANN.preferredNamespacePrefix) == Literal("cajkg")
    assert core.value(CORE, VANN.preferredNamespaceUri) == Literal(str(CAJKG))
    assert set(core.objects(CORE, OWL.imports)) == {SECTOR_SCHEME, ALIGNMENT}


def test_alignment_imports_core(modules):
    assert set(modules["alignment.ttl"].objects(ALIGNMENT, OWL.imports)) == {CORE}


# ---------------------------------------------------------------- core vocabulary


def _declared_cajkg_terms(graph: Graph) -> set[URIRef]:
    return {
        s
        for kind in ENTITY_KINDS
        for s in graph.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and s.startswith(CAJKG)
    }


def test_contract_file_lists_exactly_the_declared_terms(modules):
    declared = _declared_cajkg_terms(modules["cajkg.ttl"])
    assert declared == {CAJKG[name] for name in CONTRACT_TERMS}


@pytest.mark.parametrize("name", CONTRACT_TERMS)
def test_term_has_german_and_english_label_and_english_definition(modules, name):
    core, term = modules["cajkg.ttl"], CAJKG[name]
    assert _langs(core, term, RDFS.label) == ["de", "en"]
    assert "en" in _langs(core, term, SKOS.definition)


def test_every_cajkg_iri_used_anywhere_is_declared_in_the_core(modules, ontology):
    declared = _declared_cajkg_terms(modules["cajkg.ttl"])
    used = {term for triple in ontology for term in triple if isinstance(term, URIRef)}
    assert {term for term in used if term.startswith(CAJKG)} <= declared


def test_no_iri_is_declared_with_two_kinds(ontology):
    kinds: dict[Node, set[Node]] = {}
    for kind in ENTITY_KINDS:
        for subject in ontology.subjects(RDF.type, kind):
            kinds.setdefault(subject, set()).add(kind)
    assert {str(s): k for s, k in kinds.items() if len(k) > 1} == {}


def test_only_owl2_datatypes_are_used(ontology):
    literals = [o for o in ontology.objects() if isinstance(o, Literal)]
    literal_types = {o.datatype for o in literals if o.datatype}
    data_ranges = {
        o
        for p in ontology.subjects(RDF.type, OWL.DatatypeProperty)
        for o in ontology.objects(p, RDFS.range)
    }
    assert (literal_types | data_ranges) - OWL2_DATATYPES == set()


# ---------------------------------------------------------------- sectors


def _concepts(graph: Graph) -> set[Node]:
    return set(graph.subjects(RDF.type, SKOS.Concept))


def test_sector_contract_concepts_exist(modules):
    concepts = _concepts(modules["sectors.ttl"])
    assert {SECTOR[name] for name in SECTOR_CONCEPTS} <= concepts


def test_every_concept_is_in_exactly_one_scheme_of_the_right_kind(modules):
    sectors = modules["sectors.ttl"]
    for concept in _concepts(sectors):
        schemes = set(sectors.objects(concept, SKOS.inScheme))
        priority = (concept, RDF.type, CAJKG.PriorityArea) in sectors
        assert schemes == {PRIORITY_SCHEME if priority else SECTOR_SCHEME}, concept


@pytest.mark.parametrize("name", SECTOR_CONCEPTS)
def test_concept_has_both_preflabels_and_an_english_definition(modules, name):
    sectors, concept = modules["sectors.ttl"], SECTOR[name]
    assert _langs(sectors, concept, SKOS.prefLabel) == ["de", "en"]
    assert "en" in _langs(sectors, concept, SKOS.definition)


@pytest.mark.parametrize(
    ("wording", "concept"),
    [
        ("grüne Energie", "green-energy"),
        ("Kernenergie", "nuclear-energy"),
        ("künstliche Intelligenz", "artificial-intelligence"),
        ("KI", "artificial-intelligence"),
        ("Wasserkraft", "hydropower"),
        ("Seltene Erden", "rare-earths"),
        ("kritische Rohstoffe", "critical-raw-materials"),
        ("Humanressourcen", "human-resources"),
        ("grüne Nachhaltigkeit", "priority-green-sustainability"),
        ("Konnektivität", "priority-connectivity"),
    ],
)
def test_article_wording_is_a_label_of_its_concept(modules, wording, concept):
    sectors = modules["sectors.ttl"]
    labels = {
        str(o)
        for p in (SKOS.prefLabel, SKOS.altLabel)
        for o in sectors.objects(SECTOR[concept], p)
        if o.language == "de"
    }
    assert wording in labels


def test_priority_areas_link_to_sectors(modules):
    sectors = modules["sectors.ttl"]
    areas = set(sectors.subjects(RDF.type, CAJKG.PriorityArea))
    assert len(areas) == 3
    for area in areas:
        related = set(sectors.objects(area, CAJKG.relatedSector))
        assert related
        assert all((s, SKOS.inScheme, SECTOR_SCHEME) in sectors for s in related)


def test_broader_hierarchy_has_no_cycles(modules):
    sectors = modules["sectors.ttl"]
    for concept in _concepts(sectors):
        parents = set(sectors.objects(concept, SKOS.broader))
        reachable = {a for p in parents for a in sectors.transitive_objects(p, SKOS.broader)}
        assert concept not in reachable


def test_narrower_mirrors_broader(modules):
    sectors = modules["sectors.ttl"]
    broader = set(sectors.subject_objects(SKOS.broader))
    assert {(o, s) for s, o in sectors.subject_objects(SKOS.narrower)} == broader


def test_top_concepts_are_exactly_the_concepts_without_broader(modules):
    sectors = modules["sectors.ttl"]
    for scheme in (SECTOR_SCHEME, PRIORITY_SCHEME):
        members = set(sectors.subjects(SKOS.inScheme, scheme))
        tops = {c for c in members if not set(sectors.objects(c, SKOS.broader))}
        assert set(sectors.subjects(SKOS.topConceptOf, scheme)) == tops
        assert set(sectors.objects(scheme, SKOS.hasTopConcept)) == tops


def test_related_concepts_are_not_also_hierarchical(modules):
    """SKOS integrity condition S27: skos:related is disjoint with skos:broaderTransitive."""
    sectors = modules["sectors.ttl"]
    for a, b in sectors.subject_objects(SKOS.related):
        assert b not in set(sectors.transitive_objects(a, SKOS.broader))
        assert a not in set(sectors.transitive_objects(b, SKOS.broader))


# ---------------------------------------------------------------- reasoning


def test_ontology_alone_is_consistent(ontology):
    assert _closure(ontology, Graph())[1] == []


def test_axiom_facts_are_consistent(reasoned):
    assert reasoned[1] == []


AI = SECTOR["artificial-intelligence"]
RARE_EARTHS = SECTOR["rare-earths"]
INFERENCES = [
    ("leaderOf chain", EX.tokayev, CAJKG.leaderOf, EX.kazakhstan),
    ("leaderOf chain", EX.takaichi, CAJKG.leaderOf, EX.japan),
    ("hasLeader inverse", EX.kazakhstan, CAJKG.hasLeader, EX.tokayev),
    ("heldBy inverse", EX["president-kz"], CAJKG.heldBy, EX.tokayev),
    ("holdsOffice domain", EX.tokayev, RDF.type, CAJKG.Person),
    ("HeadOfState defined", EX.tokayev, RDF.type, CAJKG.HeadOfState),
    ("HeadOfGovernment defined", EX.takaichi, RDF.type, CAJKG.HeadOfGovernment),
    ("Leader union", EX.tokayev, RDF.type, CAJKG.Leader),
    ("Leader union", EX.takaichi, RDF.type, CAJKG.Leader),
    ("one office, both roles", EX.berdimuhamedov, RDF.type, CAJKG.HeadOfState),
    ("one office, both roles", EX.berdimuhamedov, RDF.type, CAJKG.HeadOfGovernment),
    ("locatedIn transitive", EX.tokyo, CAJKG.locatedIn, EX.asia),
    ("heldIn o locatedIn", EX.summit, CAJKG.heldIn, EX.japan),
    ("heldIn o locatedIn", EX.summit, CAJKG.heldIn, EX.asia),
    ("partOfEvent o heldIn", EX.forum, CAJKG.heldIn, EX.tokyo),
    ("partOfEvent transitive", EX.panel, CAJKG.partOfEvent, EX.summit),
    ("partOfEvent o heldIn, transitive", EX.panel, CAJKG.heldIn, EX.asia),
    ("participatedIn o partOfEvent", EX.ceo, CAJKG.participatedIn, EX.summit),
    ("participant inverse", EX.summit, CAJKG.participant, EX.ceo),
    ("host below participant", EX.summit, CAJKG.participant, EX.japan),
    ("madeAt o partOfEvent", EX.remark, CAJKG.madeAt, EX.summit),
    ("proposedBy inverse", EX.hub, CAJKG.proposedBy, EX.mirziyoyev),
    ("cooperatesWith symmetric", EX.itochu, CAJKG.cooperatesWith, EX.turkmenistan),
    ("UNResolution is a document", EX.resolution, RDF.type, CAJKG.Document),
    ("PriorityArea is a concept", EX["regional-focus"], RDF.type, SKOS.Concept),
    ("skos broaderTransitive", SECTOR.hydropower, SKOS.broaderTransitive, SECTOR.energy),
    ("skos broaderTransitive", RARE_EARTHS, SKOS.broaderTransitive, SECTOR["mineral-resources"]),
    ("skos narrowerTransitive", SECTOR.digital, SKOS.narrowerTransitive, AI),
    ("skos related symmetric", SECTOR.transport, SKOS.related, SECTOR.connectivity),
    ("alignment schema:Person", EX.takaichi, RDF.type, SCHEMA.Person),
    ("alignment schema:Country", EX.japan, RDF.type, SCHEMA.Country),
    ("alignment schema:location", EX.summit, SCHEMA.location, EX.tokyo),
    ("alignment foaf:Person", EX.tokayev, RDF.type, FOAF.Person),
    ("alignment prov:wasAttributedTo", EX.remark, PROV.wasAttributedTo, EX.tokayev),
    ("alignment dcterms:subject", EX.hub, DCTERMS.subject, AI),
    ("alignment org:holds", EX.tokayev, ORG.holds, EX["president-kz"]),
    ("partner o organOf", EX["support-tj"], CAJKG.partner, EX.japan),
    ("hasOrgan o supports", EX.japan, CAJKG.supports, EX.resolution),
    ("hasOrgan inverse", EX.japan, CAJKG.hasOrgan, EX["government-jp"]),
    ("organOf below basedIn", EX["government-jp"], CAJKG.basedIn, EX.japan),
    ("basedIn o locatedIn", EX["tech-park"], CAJKG.basedIn, EX.asia),
    ("meetingOf below inFrameworkOf", EX.summit, CAJKG.inFrameworkOf, EX.dialogue),
    ("hasMeeting inverse", EX.dialogue, CAJKG.hasMeeting, EX.summit),
]


@pytest.mark.parametrize(("axiom", "s", "p", "o"), INFERENCES, ids=[i[0] for i in INFERENCES])
def test_axiom_inference(reasoned, ontology, axiom_facts, axiom, s, p, o):
    assert (s, p, o) not in axiom_facts and (s, p, o) not in ontology, "asserted, not inferred"
    assert (s, p, o) in reasoned[0]


def test_defined_classes_do_not_overreach(reasoned):
    graph = reasoned[0]
    assert (EX.takaichi, RDF.type, CAJKG.HeadOfState) not in graph
    assert (EX.tokayev, RDF.type, CAJKG.HeadOfGovernment) not in graph
    assert (EX.ceo, RDF.type, CAJKG.Leader) not in graph


def _error_cases() -> list[tuple[str, URIRef, Graph]]:
    dataset = Dataset()
    dataset.parse(DATA / "ontology-errors.trig", format="trig")
    culprits = dict(dataset.default_graph.subject_objects(EX.culprit))
    return sorted(
        (str(g.identifier).removeprefix(str(EX)), culprits[g.identifier], g)
        for g in dataset.graphs()
        if g.identifier in culprits
    )


ERROR_CASES = _error_cases()


def test_error_cases_were_all_collected():
    text = (DATA / "ontology-errors.trig").read_text(encoding="utf-8")
    assert len(ERROR_CASES) == text.count("{") == 10


@pytest.mark.parametrize(("case", "culprit", "facts"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_inconsistent_facts_are_reported(ontology, case, culprit, facts):
    errors = _closure(ontology, facts)[1]
    assert any(str(culprit) in message for message in errors), f"{case}: {errors}"
