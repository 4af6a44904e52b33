import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.semanticweb.owlapi.io.RDFParserMetaData;
import org.semanticweb.owlapi.model.AxiomType;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.OWLAnnotation;
import org.semanticweb.owlapi.model.OWLDeclarationAxiom;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLEntity;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyID;
import org.semanticweb.owlapi.model.parameters.Imports;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

/**
 * What the OWL API found wrong with one loaded ontology, without a reasoner. Declared but
 * unused terms are listed for the curator but do not make an ontology unclean: a vocabulary
 * module legitimately declares classes that only the instance data uses.
 */
final class Findings {
    private final Map<String, Object> report = new LinkedHashMap<>();
    private boolean clean = true;

    private Findings() {}

    static Findings of(OWLOntology ontology) {
        Findings f = new Findings();
        OWLDocumentFormat format = ontology.getNonnullFormat();
        OWLOntologyID id = ontology.getOntologyID();
        f.report.put("format", format.getKey());
        f.report.put("ontology_iri", id.getOntologyIRI().map(IRI::toString).orElse(null));
        f.report.put("version_iri", id.getVersionIRI().map(IRI::toString).orElse(null));
        f.report.put("imports", ontology.importsDeclarations()
                .map(d -> d.getIRI().toString()).sorted().toList());
        f.report.put("imports_closure_size", ontology.importsClosure().count());
        f.report.put("axiom_count", ontology.getAxiomCount());
        f.report.put("logical_axiom_count", ontology.getLogicalAxiomCount());
        // What Protégé shows for the ontology with its imports: each distinct axiom once.
        f.report.put("closure_axiom_count",
                ontology.importsClosure().flatMap(OWLOntology::axioms).distinct().count());
        f.report.put("parse_errors", List.of());
        RDFParserMetaData rdf = format.getOntologyLoaderMetaData()
                .filter(RDFParserMetaData.class::isInstance).map(RDFParserMetaData.class::cast)
                .orElse(null);
        f.report.put("triple_count", rdf == null ? null : rdf.getTripleCount());
        f.finding("unparsed_triples", rdf == null ? List.of()
                : rdf.getUnparsedTriples().map(Object::toString).sorted().toList());
        f.finding("guessed_declarations", rdf == null ? List.of() : guessed(rdf));
        f.finding("profile_violations", violations(ontology));
        f.finding("undeclared_terms", undeclared(ontology));
        f.report.put("unused_declarations", unused(ontology));
        return f;
    }

    Map<String, Object> asMap() {
        return report;
    }

    boolean clean() {
        return clean;
    }

    private void finding(String key, List<?> items) {
        report.put(key, items);
        clean &= items.isEmpty();
    }

    /** IRIs whose entity type the RDF parser had to guess because nothing declared it. */
    private static List<Map<String, Object>> guessed(RDFParserMetaData rdf) {
        List<Map<String, Object>> out = new ArrayList<>();
        rdf.getGuessedDeclarations().asMap().forEach((iri, types) -> {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("iri", iri.toString());
            item.put("types", types.stream().map(Class::getSimpleName).sorted().toList());
            out.add(item);
        });
        out.sort(Comparator.comparing(m -> (String) m.get("iri")));
        return out;
    }

    /** OWL 2 DL profile violations over the imports closure: what Protégé's reasoners reject. */
    private static List<Map<String, Object>> violations(OWLOntology ontology) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (OWLProfileViolation v : new OWL2DLProfile().checkOntology(ontology).getViolations()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("type", v.getClass().getSimpleName());
            item.put("message", v.toString().trim());
            out.add(item);
        }
        return out;
    }

    /**
     * Non-built-in terms used in an axiom or ontology annotation but declared nowhere in the
     * closure. OWL 2 DL requires declarations for classes, properties and datatypes only, so
     * undeclared named individuals are not findings.
     */
    private static List<Map<String, Object>> undeclared(OWLOntology ontology) {
        Stream<OWLEntity> annotationProperties = ontology.importsClosure()
                .flatMap(OWLOntology::annotations).map(OWLAnnotation::getProperty);
        Set<OWLEntity> used = Stream
                .concat(ontology.signature(Imports.INCLUDED), annotationProperties)
                .filter(e -> !e.isOWLNamedIndividual() && !e.isBuiltIn())
                .filter(e -> !ontology.isDeclared(e, Imports.INCLUDED))
                .collect(Collectors.toCollection(TreeSet::new));
        return used.stream().map(Findings::describe).toList();
    }

    /** Terms this ontology declares that no other axiom, annotation or ontology header uses. */
    private static List<Map<String, Object>> unused(OWLOntology ontology) {
        Set<OWLEntity> inHeaders = ontology.importsClosure().flatMap(OWLOntology::annotations)
                .flatMap(OWLAnnotation::signature).collect(Collectors.toSet());
        return ontology.axioms(AxiomType.DECLARATION)
                .map(OWLDeclarationAxiom::getEntity)
                .filter(e -> !inHeaders.contains(e))
                .filter(e -> ontology.referencingAxioms(e, Imports.INCLUDED)
                        .allMatch(a -> a.getAxiomType() == AxiomType.DECLARATION))
                .filter(e -> ontology.annotationAssertionAxioms(e.getIRI(), Imports.INCLUDED)
                        .findAny().isEmpty())
                .sorted().map(Findings::describe).toList();
    }

    private static Map<String, Object> describe(OWLEntity entity) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("iri", entity.getIRI().toString());
        item.put("kind", entity.getEntityType().getName());
        return item;
    }
}
