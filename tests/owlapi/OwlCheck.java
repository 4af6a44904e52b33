import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.io.IRIDocumentSource;
import org.semanticweb.owlapi.io.OWLOntologyDocumentSource;
import org.semanticweb.owlapi.io.OWLParserException;
import org.semanticweb.owlapi.io.UnparsableOntologyException;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyCreationException;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.model.UnloadableImportException;

/**
 * Loads ontology documents with the OWL API, the library Protégé is built on, and reports in
 * JSON whatever would make Protégé or a DL reasoner choke: parse errors, triples the RDF
 * mapping could not turn into axioms, OWL 2 DL violations, undeclared terms, inconsistency
 * and unsatisfiable classes.
 *
 * <p>Usage: {@code OwlCheck [--reasoner hermit|openllet|none] [--timeout SECONDS]
 * [--ontology-dir DIR] FILE-OR-URL...}. Exit status: 0 all clean, 1 a file has findings,
 * 2 a file (or one of its imports) could not be loaded or the arguments are wrong,
 * 3 the checker itself failed.
 *
 * <p>An http(s) URL is loaded as Protégé opens one (the OWL API's own request and Accept
 * header); its imports that cannot be resolved (only --ontology-dir resolves any, the network
 * never) are reported as {@code missing_imports}, the way Protégé lists them, instead of
 * stopping the load.
 */
public final class OwlCheck {
    private static final String USAGE =
            "usage: OwlCheck [--reasoner hermit|openllet|none] [--timeout SECONDS]"
                    + " [--ontology-dir DIR] FILE...";

    private OwlCheck() {}

    public static void main(String[] args) {
        int status;
        try {
            status = run(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            status = 2;
        } catch (Exception e) {
            e.printStackTrace();
            status = 3;
        }
        System.exit(status);
    }

    private static int run(String[] args) throws Exception {
        String reasoner = "hermit";
        long timeoutSeconds = 120;
        File ontologyDir = null;
        List<String> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reasoner" -> reasoner = value(args, ++i);
                case "--timeout" -> timeoutSeconds = Long.parseLong(value(args, ++i));
                case "--ontology-dir" -> ontologyDir = new File(value(args, ++i));
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return 0;
                }
                default -> files.add(args[i]);
            }
        }
        if (files.isEmpty() || !Reasoning.NAMES.contains(reasoner)) {
            System.err.println(USAGE);
            return 2;
        }
        LocalImports imports = LocalImports.scan(ontologyDir);
        List<Map<String, Object>> reports = new ArrayList<>();
        int status = 0;
        for (String file : files) {
            Map<String, Object> report = check(file, imports, reasoner, timeoutSeconds);
            reports.add(report);
            boolean loaded = (boolean) report.get("loaded");
            status = Math.max(status, !loaded ? 2 : (boolean) report.get("clean") ? 0 : 1);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("owlapi_version", OWLManager.class.getPackage().getImplementationVersion());
        out.put("reasoner", reasoner);
        out.put("import_mappings", imports.mappings());
        out.put("clean", status == 0);
        out.put("files", reports);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        System.out.println(json.writeValueAsString(out));
        return status;
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(USAGE);
        }
        return args[i];
    }

    /** One fresh manager per file, so that files sharing an import do not clash. */
    private static Map<String, Object> check(
            String location, LocalImports imports, String reasoner, long timeoutSeconds) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("file", location);
        boolean url = location.startsWith("http://") || location.startsWith("https://");
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        manager.getIRIMappers().add(imports);
        List<String> missing = new ArrayList<>();
        manager.addMissingImportListener(
                event -> missing.add(event.getImportedOntologyURI().toString()));
        OWLOntologyLoaderConfiguration config = manager.getOntologyLoaderConfiguration()
                .setMissingImportHandlingStrategy(url
                        ? MissingImportHandlingStrategy.SILENT
                        : MissingImportHandlingStrategy.THROW_EXCEPTION)
                .setRepairIllegalPunnings(false)
                .setReportStackTraces(false);
        OWLOntologyDocumentSource source;
        if (url) {
            source = new IRIDocumentSource(IRI.create(location));
        } else {
            File file = new File(location);
            source = new FileDocumentSource(file, LocalImports.forFile(file));
        }
        OWLOntology ontology;
        try {
            ontology = manager.loadOntologyFromOntologyDocument(source, config);
        } catch (OWLOntologyCreationException | UnloadableImportException e) {
            report.put("loaded", false);
            report.put("clean", false);
            report.put("parse_errors", parseErrors(e));
            return report;
        }
        report.put("loaded", true);
        Findings findings = Findings.of(ontology);
        report.putAll(findings.asMap());
        report.put("missing_imports", missing.stream().sorted().toList());
        Map<String, Object> reasoning = Reasoning.run(reasoner, ontology, timeoutSeconds);
        report.put("reasoning", reasoning);
        report.put("clean",
                findings.clean() && missing.isEmpty() && Reasoning.clean(reasoning));
        return report;
    }

    /** The per-parser messages when no parser accepted the document, else the single cause. */
    private static List<String> parseErrors(Exception e) {
        List<String> errors = new ArrayList<>();
        if (e instanceof UnparsableOntologyException unparsable) {
            for (Map.Entry<?, OWLParserException> entry : unparsable.getExceptions().entrySet()) {
                errors.add(entry.getKey().getClass().getSimpleName() + ": "
                        + entry.getValue().getMessage());
            }
        }
        if (errors.isEmpty()) {
            errors.add(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return errors;
    }
}
