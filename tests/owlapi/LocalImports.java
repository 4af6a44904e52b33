import java.io.File;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.FunctionalSyntaxDocumentFormat;
import org.semanticweb.owlapi.formats.NTriplesDocumentFormat;
import org.semanticweb.owlapi.formats.OWLXMLDocumentFormat;
import org.semanticweb.owlapi.formats.RDFXMLDocumentFormat;
import org.semanticweb.owlapi.formats.TurtleDocumentFormat;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyCreationException;
import org.semanticweb.owlapi.model.OWLOntologyID;
import org.semanticweb.owlapi.model.OWLOntologyIRIMapper;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.model.OWLRuntimeException;

/**
 * Resolves {@code owl:imports} to the ontology documents of one local folder and to nothing
 * else: an import no local file declares maps to a file that does not exist, so loading fails
 * instead of reaching for the network. The OWL API's own AutoIRIMapper cannot read Turtle.
 */
final class LocalImports implements OWLOntologyIRIMapper {
    private static final long serialVersionUID = 1L;

    private static final IRI NOWHERE =
            IRI.create(new File("/nonexistent/no-local-file-for-this-import"));
    /** Suppliers, not instances: a loaded format records prefixes and loader metadata. */
    private static final Map<String, Supplier<OWLDocumentFormat>> FORMATS = Map.of(
            "ttl", TurtleDocumentFormat::new,
            "owl", RDFXMLDocumentFormat::new,
            "rdf", RDFXMLDocumentFormat::new,
            "nt", NTriplesDocumentFormat::new,
            "ofn", FunctionalSyntaxDocumentFormat::new,
            "owx", OWLXMLDocumentFormat::new);

    private final Map<IRI, IRI> documents;

    private LocalImports(Map<IRI, IRI> documents) {
        this.documents = documents;
    }

    /** Reads the ontology and version IRI of every ontology document in {@code dir}. */
    static LocalImports scan(File dir) {
        Map<IRI, IRI> documents = new HashMap<>();
        File[] files = dir == null ? new File[0] : dir.listFiles();
        if (files == null) {
            throw new IllegalArgumentException("not a folder: " + dir);
        }
        for (File file : files) {
            OWLDocumentFormat format = forFile(file);
            if (format == null) {
                continue;
            }
            OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
            manager.getIRIMappers().add(iri -> NOWHERE);
            OWLOntology ontology;
            try {
                ontology = manager.loadOntologyFromOntologyDocument(
                        new FileDocumentSource(file, format),
                        manager.getOntologyLoaderConfiguration().setMissingImportHandlingStrategy(
                                MissingImportHandlingStrategy.SILENT));
            } catch (OWLOntologyCreationException | OWLRuntimeException e) {
                continue; // reported when the file itself is checked; importing it fails then too
            }
            IRI document = IRI.create(file.getAbsoluteFile());
            OWLOntologyID id = ontology.getOntologyID();
            id.getOntologyIRI().ifPresent(iri -> documents.put(iri, document));
            id.getVersionIRI().ifPresent(iri -> documents.put(iri, document));
        }
        return new LocalImports(documents);
    }

    /** The document format named by the file extension; null for files that are no ontology. */
    static OWLDocumentFormat forFile(File file) {
        String name = file.getName();
        int dot = name.lastIndexOf('.');
        Supplier<OWLDocumentFormat> format =
                dot < 0 ? null : FORMATS.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
        return format == null ? null : format.get();
    }

    /** Ontology IRI to local document, for the report. */
    Map<String, String> mappings() {
        Map<String, String> out = new TreeMap<>();
        documents.forEach((iri, doc) -> out.put(iri.toString(), doc.toString()));
        return out;
    }

    @Override
    public IRI getDocumentIRI(IRI ontologyIRI) {
        return documents.getOrDefault(ontologyIRI, NOWHERE);
    }
}
