"""cajkg graph layer: sources, load, reason, validate, export. Never imports Flask.

rdflib rewrites a literal's lexical form through its Python value when it creates the literal
(`"01"^^xsd:integer` becomes `"1"`, `"INF"^^xsd:double` becomes `"inf"`, which is not even valid,
`Z` becomes `+00:00`). cajkg keeps every term exactly as written, in parsed bodies, stored data
and answers alike, so this is switched off once, for the whole process, before any literal is made.
One exception is Oxigraph's: it keeps numbers by value (oxigraph#526), so a store on Oxigraph
(the embedded ones, or `oxigraph serve` behind the sparql store) answers `"2.0"^^xsd:decimal` as
`"2"`; the dumps keep the form written.
"""

import rdflib

rdflib.NORMALIZE_LITERALS = False
