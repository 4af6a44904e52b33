"""The curated facts of all 44 sentences of the article, the entity names and the SHACL shapes.

Checks that the records are anchored in the article (every quote and wording is the article's own
text), that each sentence graph has its provenance record, that the shapes accept these facts and
reject broken records with a readable message, and that the graph answers the analyst's questions
the curation was written for.

pySHACL is given the ontology merged into the data graph rather than as `ont_graph`: with
`ont_graph`, pySHACL deep-clones every owl:NamedIndividual of the ontology to depth 10, which is
exponential on the SKOS sector scheme (broader/narrower/inScheme links) and does not finish.
It is called through cajkg's `pyshacl_validate`, never directly: pySHACL leaves rdflib's literal
normalization switched on, which breaks every later test that reads literals (cajkg.graph.validate).
"""

from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import SH

from cajkg.graph.article import split_sentences
from cajkg.graph.iris import CAJKG, GRAPH, RES, SECTOR, SENT
from cajkg.graph.validate import pyshacl_validate

FACTS = resources.files("cajkg.graph") / "facts"
FACT_FILES = (
    "entities.trig",
    "geonames.trig",
    "s01-s20.trig",
    "s21-s44.trig",
    "translation-en.trig",
)
SENTENCES = 44
DATA = Path(__file__).parent / "data"

# Resources that the sentence files rely on entities.trig to name (its header says so).
SHARED = (
    "Japan Kazakhstan Kyrgyzstan Tajikistan Turkmenistan Uzbekistan Central-Asia Asia Eurasia "
    "Central-Asian-mountain-regions Tokyo Tashkent Astana Dushanbe Turkmenbashi "
    "Turkmenbashi-seaport Sanae-Takaichi Kassym-Jomart-Tokayev Sadyr-Japarov Emomali-Rahmon "
    "Serdar-Berdimuhamedov Shavkat-Mirziyoyev Prime-Minister-of-Japan President-of-Kazakhstan "
    "President-of-Kyrgyzstan President-of-Tajikistan President-of-Turkmenistan "
    "President-of-Uzbekistan first-summit economic-forum Kazakhstan-visit-to-Japan "
    "Dushanbe-water-conference-2026 next-summit Government-of-Japan Takaichi-press-service "
    "United-Nations Astana-Hub Alem-ai Kyrgyz-High-Technology-Park japan-kantei-website Itochu "
    "Mitsubishi Kawasaki Sumitomo Toyo Sojitz Komatsu Toyota Tokyo-Initiative-CA-JAD "
    "Tokyo-Declaration Japan-investment-target AI-cooperation-partnership "
    "Trans-Caspian-International-Transport-Route Kambarata-1 Dushanbe-Water-Process "
    "UN-resolution-AI-sustainable-development Central-Asia-plus-Japan-dialogue"
).split()

SHAPE_MESSAGES = {
    "shapes-bad-proposal.ttl": "A statement needs exactly one speaker",
    "shapes-bad-amount.ttl": "A monetary amount needs exactly one cajkg:currency",
    "shapes-bad-mention.ttl": "does not occur in the sentence",
    "shapes-bad-label.ttl": "needs exactly one German (@de) and one English (@en) rdfs:label",
    "shapes-bad-summit.ttl": "A summit that took place needs its date",
    "shapes-bad-office.ttl": "must name the one state it belongs to",
    "shapes-bad-proposal-shortcut.ttl": "lacks the shortcut to what was proposed",
    "shapes-bad-intention.ttl": "A statement of intention needs exactly one cajkg:modality",
    "shapes-bad-government.ttl": "must name the one state it is an organ of",
}
# Fixtures whose violation comes from a SHACL-SPARQL constraint (run by cajkg.graph.shacl_sparql).
SPARQL_MESSAGES = ("does not occur", "lacks the shortcut")


@pytest.fixture(scope="module")
def facts() -> Dataset:
    """Every fact file, each named graph kept apart."""
    ds = Dataset(default_union=True)
    for name in FACT_FILES:
        ds.parse(data=(FACTS / name).read_text(encoding="utf-8"), format="trig")
    return ds


@pytest.fixture(scope="module")
def sentences() -> dict[URIRef, str]:
    """Sentence IRI -> text, split the way the build splits the article."""
    text = (resources.files("cajkg.graph") / "article-de.txt").read_text(encoding="utf-8")
    return {SENT[s.id]: s.text for s in split_sentences(text)}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    for module in resources.files("cajkg.ontology").iterdir():
        if module.name.endswith(".ttl"):
            graph.parse(data=module.read_text(encoding="utf-8"), format="turtle")
    return graph


@pytest.fixture(scope="module")
def shapes() -> Graph:
    text = (resources.files("cajkg.graph") / "shapes.ttl").read_text(encoding="utf-8")
    return Graph().parse(data=text, format="turtle")


def run_shapes(data: Graph, ontology: Graph, shapes: Graph) -> Graph:
    """Validate data + ontology with RDFS inference; return the SHACL report graph."""
    merged = Graph()
    merged += ontology
    merged += data
    _, report, _ = pyshacl_validate(merged, shacl_graph=shapes, inference="rdfs")
    return report


def sentence_graphs(ds: Dataset) -> list[URIRef]:
    return sorted(g.identifier for g in ds.graphs() if str(g.identifier).startswith(str(GRAPH.s)))


def test_every_triple_is_in_a_named_graph(facts):
    assert len(facts.graph(DATASET_DEFAULT_GRAPH_ID)) == 0


def test_the_fact_files_are_all_there():
    assert sorted(p.name for p in FACTS.iterdir() if p.name.endswith(".trig")) == sorted(FACT_FILES)


def test_each_sentence_s01_to_s44_has_a_stated_graph_with_provenance(facts, sentences):
    assert len(sentences) == SENTENCES
    prov = facts.graph(GRAPH.provenance)
    expected = [GRAPH[f"s{n:02d}"] for n in range(1, SENTENCES + 1)]
    assert sentence_graphs(facts) == expected
    for name in expected:
        assert len(facts.graph(name)) > 0, name
        assert (name, RDF.type, CAJKG.StatedFactGraph) in prov, name
        assert list(prov.objects(name, CAJKG.derivedFromSentence)) == [SENT[name[-3:]]], name
        assert any(prov.objects(name, CAJKG.mention)), f"{name} records no mention"


def test_implied_graphs_say_where_they_come_from_and_why(facts):
    prov = facts.graph(GRAPH.provenance)
    implied = [g.identifier for g in facts.graphs() if "/graph/implied-" in str(g.identifier)]
    assert GRAPH["implied-summit-year"] in implied
    for name in implied:
        assert (name, RDF.type, CAJKG.ImpliedFactGraph) in prov, name
        assert any(prov.objects(name, CAJKG.derivedFromSentence)), name
        notes = list(prov.objects(name, CAJKG.curatorNote))
        assert notes and all(n.language == "en" for n in notes), name


def test_every_quote_is_text_of_its_sentence(facts, sentences):
    prov = facts.graph(GRAPH.provenance)
    checked, missing = 0, []
    for graph, mention in prov.subject_objects(CAJKG.mention):
        quote = str(prov.value(mention, CAJKG.quote))
        sentence = prov.value(graph, CAJKG.derivedFromSentence)
        checked += 1
        if quote not in sentences[sentence]:
            missing.append(f"{graph}: {quote!r}")
    assert missing == []
    assert checked == len(set(prov.subjects(RDF.type, CAJKG.Mention))) >= 100


def test_every_wording_is_german_text_of_its_sentence(facts, sentences):
    wrong = []
    for name in sentence_graphs(facts):
        text = sentences[SENT[name[-3:]]]
        for wording in facts.graph(name).objects(None, CAJKG.wording):
            if wording.language != "de" or str(wording) not in text:
                wrong.append(f"{name}: {wording!r}")
    assert wrong == []


def test_every_resource_has_a_german_and_an_english_label(facts):
    entities = facts.graph(GRAPH.entities) + facts.graph(GRAPH["translation-en"])
    used = {
        term
        for s, p, o, _ in facts.quads()
        for term in (s, o)
        if isinstance(term, URIRef) and str(term).startswith(str(RES))
    }
    used |= {RES[name] for name in SHARED}
    unlabelled = [
        str(r)
        for r in sorted(used)
        if {lit.language for lit in entities.objects(r, RDFS.label)} != {"de", "en"}
    ]
    assert unlabelled == []


def test_shapes_accept_the_curated_records(facts, ontology, shapes):
    """No violation at all: every fact file, the entity names included, conforms."""
    data = Graph()
    for s, p, o, _ in facts.quads():
        data.add((s, p, o))
    report = run_shapes(data, ontology, shapes)
    problems = [
        f"{report.value(r, SH.focusNode)}: {report.value(r, SH.resultMessage)}"
        for r in report.subjects(RDF.type, SH.ValidationResult)
    ]
    assert problems == []


def test_every_bad_record_fixture_is_listed():
    assert sorted(p.name for p in DATA.glob("shapes-*.ttl")) == sorted(SHAPE_MESSAGES)


@pytest.mark.parametrize("fixture", sorted(SHAPE_MESSAGES))
def test_shapes_reject_a_bad_record_with_a_readable_message(fixture, ontology, shapes):
    data = Graph().parse(DATA / fixture, format="turtle")
    report = run_shapes(data, ontology, shapes)
    assert (None, SH.conforms, Literal(False)) in report
    messages = [str(m) for m in report.objects(None, SH.resultMessage)]
    assert any(SHAPE_MESSAGES[fixture] in m for m in messages), messages


# The analyst's questions. Queries run on the union of the curated graphs, without reasoning.

PREFIXES = """
PREFIX cajkg: <https://w3id.org/cajkg/ontology#>
PREFIX cjr: <https://w3id.org/cajkg/resource/>
PREFIX cjg: <https://w3id.org/cajkg/graph/>
PREFIX sector: <https://w3id.org/cajkg/sector/>
"""


def dec(value: int) -> Literal:
    return Literal(Decimal(value))


def ask(facts: Dataset, query: str) -> set[tuple]:
    return {tuple(row) for row in facts.query(PREFIXES + query)}


def test_which_sentence_states_kazakhstans_investment_volume(facts):
    rows = ask(
        facts,
        """SELECT ?sentence ?value ?currency ?qualifier WHERE {
            GRAPH ?g { ?inv cajkg:investmentIn cjr:Kazakhstan ; cajkg:amount ?a }
            ?a cajkg:value ?value ; cajkg:currency ?currency ; cajkg:qualifier ?qualifier .
            GRAPH cjg:provenance { ?g cajkg:derivedFromSentence ?sentence } }""",
    )
    assert rows == {(SENT.s12, dec(8500000000), CAJKG.USD, CAJKG.MoreThan)}


def test_documents_signed_at_the_summit_and_their_sectors(facts):
    rows = ask(
        facts,
        """SELECT ?count ?qualifier ?sector WHERE {
            ?docs cajkg:signedAt cjr:first-summit ; cajkg:documentCount ?q ;
                  cajkg:fromSector ?sector .
            ?q cajkg:value ?count ; cajkg:qualifier ?qualifier }""",
    )
    assert rows == {
        (dec(150), CAJKG.MoreThan, SECTOR["public-sector"]),
        (dec(150), CAJKG.MoreThan, SECTOR["private-sector"]),
    }


def test_japans_investment_target_currency_period_and_precision(facts):
    rows = ask(
        facts,
        """SELECT ?value ?currency ?qualifier ?years ?usd ?usdQualifier WHERE {
            cjr:Japan-investment-target cajkg:amount ?a ; cajkg:period ?p ;
                                        cajkg:investor cjr:Japan .
            ?a cajkg:value ?value ; cajkg:currency ?currency ; cajkg:qualifier ?qualifier ;
               cajkg:equivalentAmount ?e .
            ?e cajkg:currency cajkg:USD ; cajkg:value ?usd ; cajkg:qualifier ?usdQualifier .
            ?p cajkg:durationYears ?years }""",
    )
    assert rows == {
        (
            dec(3000000000000),
            CAJKG.JPY,
            CAJKG.Approximately,
            dec(5),
            dec(19000000000),
            CAJKG.MoreThan,
        )
    }


def test_japans_prime_minister_and_how_the_article_calls_her(facts):
    holders = ask(
        facts,
        """SELECT ?person ?office WHERE {
            ?person cajkg:holdsOffice ?office .
            ?office a cajkg:PrimeMinisterOffice ; cajkg:officeOf cjr:Japan }""",
    )
    assert holders == {(RES["Sanae-Takaichi"], RES["Prime-Minister-of-Japan"])}
    quotes = ask(
        facts,
        """SELECT ?quote WHERE { GRAPH cjg:provenance {
            ?g cajkg:mention [ cajkg:mentionOf cjr:Prime-Minister-of-Japan ;
                               cajkg:quote ?quote ] } }""",
    )
    assert {(Literal("japanische Premierministerin"),), (Literal("Regierungschefin"),)} <= quotes


def test_which_japanese_priorities_kyrgyzstan_backed_and_in_what_words(facts):
    rows = ask(
        facts,
        """SELECT ?area ?wording WHERE {
            ?s a cajkg:Endorsement ; cajkg:onBehalfOf cjr:Kyrgyzstan ;
               cajkg:concernsSector ?area ; cajkg:wording ?wording .
            cjr:Japan cajkg:priorityArea ?area }""",
    )
    assert rows == {
        (SECTOR["priority-green-sustainability"], Literal("Umweltfreundlichkeit", lang="de")),
        (SECTOR["priority-connectivity"], Literal("Konnektivität", lang="de")),
        (
            SECTOR["priority-human-resource-development"],
            Literal("Entwicklung des menschlichen Potenzials", lang="de"),
        ),
    }


def test_the_summit_date_is_read_and_its_year_is_marked_as_implied(facts):
    rows = ask(
        facts,
        """SELECT ?day ?month ?year ?precision WHERE {
            GRAPH cjg:s04 { cjr:first-summit cajkg:time ?t ; cajkg:heldIn cjr:Tokyo .
                            ?t cajkg:day ?day ; cajkg:month ?month ;
                               cajkg:datePrecision ?precision }
            GRAPH cjg:implied-summit-year { ?t cajkg:year ?year } }""",
    )
    assert rows == {(Literal(20), Literal(12), Literal(2025), CAJKG.DayPrecision)}


def test_the_next_summit_where_and_which_parts_are_implied(facts):
    rows = ask(
        facts,
        """SELECT ?place ?status ?previous ?ordinal ?sentence WHERE {
            GRAPH ?g { ?summit a cajkg:Summit ; cajkg:heldIn ?place ; cajkg:eventStatus ?status ;
                               cajkg:follows ?previous }
            GRAPH cjg:provenance { ?g cajkg:derivedFromSentence ?sentence }
            GRAPH ?implied { ?summit cajkg:ordinal ?ordinal }
            GRAPH cjg:provenance { ?implied a cajkg:ImpliedFactGraph } }""",
    )
    assert rows == {(RES.Kazakhstan, CAJKG.Planned, RES["first-summit"], Literal(2), SENT.s44)}


def test_when_and_where_the_dushanbe_water_conference_takes_place(facts):
    rows = ask(
        facts,
        """SELECT ?year ?month ?precision ?city ?stated WHERE {
            GRAPH ?stated { ?conf cajkg:inFrameworkOf cjr:Dushanbe-Water-Process ;
                                  cajkg:time ?t .
                            ?t cajkg:year ?year ; cajkg:month ?month ;
                               cajkg:datePrecision ?precision }
            GRAPH ?implied { ?conf cajkg:heldIn ?city }
            GRAPH cjg:provenance { ?implied a cajkg:ImpliedFactGraph ;
                                            cajkg:derivedFromSentence ?sentence } }""",
    )
    assert rows == {(Literal(2026), Literal(5), CAJKG.MonthPrecision, RES.Dushanbe, GRAPH.s23)}


def test_each_statement_of_s21_to_s44_is_made_by_the_president_the_article_quotes_there(facts):
    """Rahmon in s21-s24, Berdimuhamedov in s25-s30, Mirziyoyev in s31-s39 and s42-s43; the
    photo caption (s40-s41) and the next summit (s44) report no statement."""
    speakers = {
        **{n: "Emomali-Rahmon" for n in range(21, 25)},
        **{n: "Serdar-Berdimuhamedov" for n in range(25, 31)},
        **{n: "Shavkat-Mirziyoyev" for n in (*range(31, 40), 42, 43)},
    }
    rows = ask(
        facts,
        "SELECT DISTINCT ?sentence ?person { ?s cajkg:madeBy ?person ; cajkg:statedIn ?sentence }",
    )
    found = {(int(str(s)[-2:]), str(p).rsplit("/", 1)[-1]) for s, p in rows if str(s)[-2:] >= "21"}
    assert found <= set(speakers.items())
    assert {person for _, person in found} == set(speakers.values())
    assert not {n for n, _ in found} & {40, 41, 44}


def _results(report: Graph) -> set[tuple]:
    return {
        (
            report.value(r, SH.focusNode),
            report.value(r, SH.sourceShape),
            str(report.value(r, SH.resultMessage)),
        )
        for r in report.subjects(RDF.type, SH.ValidationResult)
    }


@pytest.mark.parametrize("fixture", sorted(SHAPE_MESSAGES))
def test_sparql_constraints_run_once_give_pyshacls_own_results(fixture, ontology, shapes):
    """The build runs SHACL-SPARQL constraints itself, once each (cajkg.graph.shacl_sparql):
    on every bad-record fixture, over the closure, the report equals pySHACL's."""
    from cajkg.graph import shacl_sparql
    from cajkg.graph.reason import infer_with_owlrl

    dataset = Dataset()
    graph = dataset.graph(URIRef("urn:test:fixture"))
    graph += ontology
    graph += Graph().parse(DATA / fixture, format="turtle")
    data = Graph()
    data += graph
    data += infer_with_owlrl(dataset)
    conforms, full, _ = pyshacl_validate(data, shacl_graph=shapes, inference="none")
    core, checks = shacl_sparql.split(shapes)
    assert checks and all((c.shape, SH.sparql, c.constraint) not in core for c in checks)
    _, ours, _ = pyshacl_validate(data, shacl_graph=core, inference="none")
    from_sparql = {r for r in _results(full) if any(m in r[2] for m in SPARQL_MESSAGES)}
    assert shacl_sparql.run(checks, shapes, data, ours) is not bool(from_sparql)
    expected = fixture in {"shapes-bad-mention.ttl", "shapes-bad-proposal-shortcut.ttl"}
    assert bool(from_sparql) is expected
    assert not conforms
    assert _results(ours) == _results(full)
