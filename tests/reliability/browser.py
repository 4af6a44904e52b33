"""Script injection through labels, checked in headless Chromium on every HTML page.

One authorised update gives every typed subject hostile labels (rdfs:label and skos:prefLabel,
with and without language tags) and links a summit-like resource to a `javascript:` IRI. Then
Chromium (Debian's /usr/bin/chromium, never a downloaded one) opens every GET route without
parameters from app.url_map, a sample of resource pages, the payload's own page, a 404 page
with the payload in its path and the workbench with it in the query: `window.__xss` must stay
undefined, no dialog may open and no link may point at `javascript:`.
"""

from __future__ import annotations

from urllib.parse import quote

from chromium import CHROMIUM, installed, launched
from rdflib import Literal

from .report import Rows
from .server import Server

EVIL = (
    '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
    '"><svg onload="window.__xss=3"></svg>\'-alert(4)-\''
)
BASE = "https://w3id.org/cajkg/"
INJECT = f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
INSERT {{ GRAPH <urn:cajkg:xss> {{
  ?s rdfs:label {Literal(EVIL).n3()}, {Literal(EVIL, lang="en").n3()},
     {Literal(EVIL, lang="de").n3()} ;
     skos:prefLabel {Literal(EVIL, lang="en").n3()} ;
     rdfs:comment {Literal(EVIL, lang="en").n3()} ;
     rdfs:seeAlso <javascript:window.__xss=5> . }} }}
WHERE {{ SELECT DISTINCT ?s {{ ?s a ?class }} }}"""
SAMPLE = f"""SELECT DISTINCT ?s {{ ?s a ?class FILTER(STRSTARTS(STR(?s), "{BASE}")) }}
ORDER BY ?s LIMIT 60"""


def _pages(server: Server) -> list[str]:
    from .security import html_routes

    rows = server.select(SAMPLE)
    iris = [r["s"]["value"] for r in rows]
    step = max(1, len(iris) // 20)
    resources = ["/" + iri[len(BASE) :].replace("#", "%23") for iri in iris[::step]]
    hostile = quote(EVIL, safe="")
    return [
        *html_routes(),
        *resources,
        f"/resource/{hostile}",
        f"/query?query={quote('SELECT ?l { ?s rdfs:label ?l } LIMIT 50')}",
        f"/query?query={hostile}",
        f"/sparql?query={hostile}",
    ]


def xss(rows: Rows, server: Server) -> None:
    """Inject, then walk the pages in Chromium."""
    if not installed():
        rows.add(
            "script injection through labels in every HTML page",
            None,
            f"{CHROMIUM} is not installed (make debian installs it)",
        )
        return
    injected = server.update(INJECT)
    pages = _pages(server)
    fired, shown, failures = [], 0, []
    with launched() as browser:
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in pages:
            try:
                page.goto(server.url + path, wait_until="load", timeout=60_000)
                page.wait_for_timeout(300)
                value = page.evaluate("window.__xss")
                links = page.evaluate(
                    "document.querySelectorAll('a[href^=\"javascript:\" i]').length"
                )
                text = page.evaluate("document.body ? document.body.innerText : ''")
            except Exception as error:
                failures.append((path, type(error).__name__))
                continue
            shown += "window.__xss=1" in text
            if value is not None or links or dialogs:
                fired.append((path, value, links, list(dialogs)))
                dialogs.clear()
    ran = [f for f in fired if f[1] is not None or f[3]]
    linked = [f[0] for f in fired if f[2]]
    where = "routes from app.url_map + resource pages + reflected query/path"
    rows.add(
        "script injection through labels: no script runs in any HTML page (Chromium)",
        injected.status_code == 204 and not ran and not failures and shown > 0,
        f"labels injected: {injected.status_code}; {len(pages)} pages opened, payload shown "
        f"as text on {shown}; scripts run or dialogs: {ran or 'none'}; pages that failed "
        f"to load: {failures or 'none'}",
        where,
    )
    rows.add(
        "script injection through IRIs: no javascript: link in any HTML page",
        injected.status_code == 204 and not linked,
        f"pages with a javascript: link (an object IRI <javascript:...> rendered as href): "
        f"{len(linked)}, e.g. {linked[:3] or 'none'}",
        where,
    )
