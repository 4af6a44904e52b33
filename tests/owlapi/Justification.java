import com.clarkparsia.owlapi.explanation.BlackBoxExplanation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLAxiom;
import org.semanticweb.owlapi.model.OWLClass;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyCreationException;
import org.semanticweb.owlapi.model.parameters.Imports;
import org.semanticweb.owlapi.reasoner.OWLReasoner;
import org.semanticweb.owlapi.reasoner.OWLReasonerFactory;

/**
 * One justification (a minimal set of axioms that entails the problem), as Protégé's
 * "Explain" button shows it, so a failing check says which facts to look at.
 */
final class Justification {
    private Justification() {}

    /** Why a class is unsatisfiable, in a consistent ontology. */
    static List<String> ofUnsatisfiable(
            OWLOntology ontology, OWLReasonerFactory factory, OWLReasoner reasoner, OWLClass c) {
        BlackBoxExplanation explanation = new BlackBoxExplanation(ontology, factory, reasoner);
        try {
            return render(explanation.getExplanation(c));
        } finally {
            explanation.dispose();
        }
    }

    /**
     * Why the ontology is inconsistent. The OWL API's black-box explainer asks the reasoner
     * about owl:Thing, which reasoners refuse on an inconsistent ontology, so this runs
     * QuickXplain (Junker 2004) over the logical axioms with consistency checks only.
     */
    static List<String> ofInconsistency(OWLOntology ontology, OWLReasonerFactory factory)
            throws OWLOntologyCreationException {
        List<OWLAxiom> axioms = ontology.axioms(Imports.INCLUDED)
                .filter(OWLAxiom::isLogicalAxiom).sorted().collect(Collectors.toList());
        return render(quickXplain(factory, List.of(), false, axioms));
    }

    private static List<OWLAxiom> quickXplain(
            OWLReasonerFactory factory,
            List<OWLAxiom> background,
            boolean backgroundChanged,
            List<OWLAxiom> candidates)
            throws OWLOntologyCreationException {
        if (backgroundChanged && !consistent(factory, background)) {
            return List.of();
        }
        if (candidates.size() == 1) {
            return candidates;
        }
        List<OWLAxiom> first = candidates.subList(0, candidates.size() / 2);
        List<OWLAxiom> second = candidates.subList(candidates.size() / 2, candidates.size());
        List<OWLAxiom> fromSecond = quickXplain(factory, concat(background, first), true, second);
        List<OWLAxiom> fromFirst = quickXplain(
                factory, concat(background, fromSecond), !fromSecond.isEmpty(), first);
        return concat(fromFirst, fromSecond);
    }

    private static boolean consistent(OWLReasonerFactory factory, List<OWLAxiom> axioms)
            throws OWLOntologyCreationException {
        OWLOntology subset =
                OWLManager.createOWLOntologyManager().createOntology(Set.copyOf(axioms));
        OWLReasoner reasoner = factory.createNonBufferingReasoner(subset);
        try {
            return reasoner.isConsistent();
        } finally {
            reasoner.dispose();
        }
    }

    private static List<OWLAxiom> concat(List<OWLAxiom> a, List<OWLAxiom> b) {
        List<OWLAxiom> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static List<String> render(Set<OWLAxiom> axioms) {
        return axioms.stream().map(Object::toString).sorted().toList();
    }

    private static List<String> render(List<OWLAxiom> axioms) {
        return render(Set.copyOf(axioms));
    }
}
