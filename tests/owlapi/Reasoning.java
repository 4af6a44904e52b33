import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.semanticweb.owlapi.model.OWLClass;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyCreationException;
import org.semanticweb.owlapi.reasoner.OWLReasoner;
import org.semanticweb.owlapi.reasoner.OWLReasonerFactory;
import org.semanticweb.owlapi.reasoner.SimpleConfiguration;
import org.semanticweb.owlapi.util.Version;

/**
 * Consistency and class satisfiability with a DL reasoner, as Protégé's "Start reasoner" does.
 * Factories are looked up by class name so the checker compiles and runs with
 * {@code --reasoner none} when no reasoner jar is on the class path.
 */
final class Reasoning {
    private static final Map<String, String> FACTORIES = Map.of(
            "hermit", "org.semanticweb.HermiT.ReasonerFactory",
            "openllet", "openllet.owlapi.OpenlletReasonerFactory");
    static final Set<String> NAMES = Set.of("hermit", "openllet", "none");
    /** Explaining is a search with many reasoner calls: only the first few classes get one. */
    private static final int EXPLAINED = 5;

    private Reasoning() {}

    static Map<String, Object> run(String name, OWLOntology ontology, long timeoutSeconds) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("reasoner", name);
        if (!FACTORIES.containsKey(name)) {
            return out;
        }
        OWLReasoner reasoner = null;
        try {
            OWLReasonerFactory factory = (OWLReasonerFactory) Class.forName(FACTORIES.get(name))
                    .getDeclaredConstructor().newInstance();
            reasoner = factory.createReasoner(
                    ontology, new SimpleConfiguration(timeoutSeconds * 1000));
            Version v = reasoner.getReasonerVersion();
            out.put("reasoner_version", v.getMajor() + "." + v.getMinor() + "." + v.getPatch()
                    + "." + v.getBuild());
            boolean consistent = reasoner.isConsistent();
            out.put("consistent", consistent);
            if (!consistent) {
                out.put("unsatisfiable_classes", List.of());
                out.put("inconsistency_explanation",
                        Justification.ofInconsistency(ontology, factory));
                return out;
            }
            List<OWLClass> unsatisfiable = reasoner.getUnsatisfiableClasses().entities()
                    .filter(c -> !c.isOWLNothing()).sorted().toList();
            out.put("unsatisfiable_classes",
                    unsatisfiable.stream().map(OWLClass::toStringID).toList());
            Map<String, List<String>> explanations = new LinkedHashMap<>();
            for (OWLClass c : unsatisfiable.subList(0, Math.min(EXPLAINED, unsatisfiable.size()))) {
                explanations.put(c.toStringID(),
                        Justification.ofUnsatisfiable(ontology, factory, reasoner, c));
            }
            out.put("unsatisfiability_explanations", explanations);
        } catch (ReflectiveOperationException | LinkageError e) {
            out.put("error", "reasoner " + name + " is missing a class (class path?): " + e);
        } catch (RuntimeException | OWLOntologyCreationException e) {
            out.put("error", e.getClass().getName() + ": " + e.getMessage());
        } finally {
            if (reasoner != null) {
                reasoner.dispose();
            }
        }
        return out;
    }

    /** True when no reasoner ran, or it ran without error and found nothing wrong. */
    static boolean clean(Map<String, Object> result) {
        if (!FACTORIES.containsKey((String) result.get("reasoner"))) {
            return true;
        }
        return !result.containsKey("error")
                && Boolean.TRUE.equals(result.get("consistent"))
                && ((List<?>) result.get("unsatisfiable_classes")).isEmpty();
    }
}
