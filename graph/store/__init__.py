"""Stores behind one interface: memory (rdflib), oxigraph (on disk), sparql (remote)."""
