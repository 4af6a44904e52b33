"""The search box in a real headless Chromium (Debian's /usr/bin/chromium), driven by Playwright
against a real server on a loopback port: quick results while typing, the results page after
Enter, German, English, a typo and a transliteration; a hostile label stays text. Screenshots go
to tests/artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from chromium import ARTIFACTS, needs_chromium, page_of
from conftest import running
from pages_fixture import evil_store, fixture_dataset, write_build
from playwright.sync_api import expect
from rdflib import Graph, URIRef
from test_browser import EVIL

from cajkg.graph.build import build_dataset
from cajkg.graph.store.memory import MemoryStore
from cajkg.server import create_app

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = MemoryStore(build_dataset())
    coordinates = Graph().parse(Path(__file__).parent / "data" / "map-coordinates.ttl")
    store.add_to_graph(URIRef("https://w3id.org/cajkg/graph/map-test"), coordinates)
    app = create_app(
        {"TESTING": True, "CAJKG_DATA_DIR": str(tmp_path_factory.mktemp("var"))}, store=store
    )
    with running(app) as url:
        yield url


def test_typing_into_the_search_box(browser, site):
    page = page_of(browser)
    page.goto(site + "/article")
    box = page.get_by_role("searchbox", name="Search names and sentences")
    suggest = page.locator("#site-search-suggest")

    # German, with an umlaut-free transliteration of an English name: quick results as one types.
    box.fill("Taschkent")
    expect(suggest).to_be_visible()
    expect(suggest.locator("h3").first).to_have_text("Places")
    expect(suggest.locator("a").first).to_have_text("Tashkent")
    expect(suggest.locator("mark").first).to_have_text("Taschkent")
    page.screenshot(path=ARTIFACTS / "search-suggest.png")

    # A typo: the quick result still finds Kambarata-1, and Enter opens the results page.
    box.fill("Kambarta")
    expect(suggest.locator("a").first).to_have_text("Kambarata-1")
    box.press("Enter")
    page.wait_for_url("**/search?q=Kambarta")
    expect(page.locator("#search-summary")).to_contain_text("kambarata")
    expect(page.locator("section.search-group h2").first).to_contain_text("Initiatives")
    expect(page.locator("a.hit-title").first).to_have_text("Kambarata-1")

    # English on the results page's own box; the state ranks before the sentences.
    page.locator("#search-page-q").fill("Kazakhstan")
    page.locator("#search-page-q").press("Enter")
    page.wait_for_url("**/search?q=Kazakhstan")
    expect(page.locator("section.search-group h2").first).to_contain_text("States")
    expect(page.locator("a.hit-title").first).to_have_text("Kazakhstan")
    sentences = page.locator("section.search-group", has_text="Sentences")
    # German sentences too (the English rendering of a sentence may come first).
    expect(sentences.locator("mark", has_text="Kasachstan").first).to_be_visible()

    # German stems and compounds; the hit links to its page.
    page.locator("#search-page-q").fill("Wasser")
    page.locator("#search-page-q").press("Enter")
    page.wait_for_url("**/search?q=Wasser")
    expect(page.locator("mark", has_text="Wasserressourcen").first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "search.png", full_page=True)
    page.locator("a.hit-title").first.click()
    page.wait_for_url("**/sector/*")
    expect(page.locator("h1")).to_be_visible()

    # A transliterated name in the header box, then Escape closes the quick results.
    box = page.get_by_role("searchbox", name="Search names and sentences")
    box.fill("Toqajew")
    expect(suggest.locator("a").first).to_have_text("Tokayev")
    box.press("Escape")
    expect(suggest).to_be_hidden()
    page.close()


@pytest.fixture(scope="module")
def evil_site(tmp_path_factory):
    dataset = fixture_dataset()
    build = tmp_path_factory.mktemp("build")
    write_build(dataset, build)
    app = create_app(
        {"TESTING": True, "CAJKG_BUILD_DIR": str(build)}, store=evil_store(dataset, EVIL)
    )
    with running(app) as url:
        yield url


def test_a_hostile_label_stays_text_in_search(browser, evil_site):
    page = page_of(browser)
    page.goto(evil_site + "/")
    page.get_by_role("searchbox", name="Search names and sentences").fill("window xss")
    suggest = page.locator("#site-search-suggest")
    expect(suggest.locator("a").first).to_contain_text("<script>")
    page.goto(evil_site + "/search?q=window+onerror")
    expect(page.locator("a.hit-title").first).to_contain_text("<script>")
    assert page.evaluate("window.__xss") is None
    page.close()


def test_the_timeline_and_the_charts(browser, site):
    page = page_of(browser)
    page.goto(site + "/")
    page.get_by_role("link", name="Timeline", exact=True).click()
    page.wait_for_url("**/timeline")
    svg = page.locator("svg.timeline")
    expect(svg).to_be_visible()
    expect(svg.locator("title").first).to_have_text("Timeline of the dated things in the graph")
    whens = svg.locator("text.when").all_text_contents()
    assert whens[:5] == ["before 2005", "20 December 2025", "May 2026", "2028", "until 2040"]
    assert whens[-1] == "date not given"
    assert svg.locator("circle.implied").count() == 3  # 2 entries + the legend
    items = page.locator("ol.timeline-list li")
    expect(items.nth(1)).to_contain_text("First Central Asia + Japan Summit")
    expect(items.nth(1).locator(".badge")).to_have_text("implied")  # the year is inferred
    expect(items.nth(2).locator(".badge")).to_have_text("stated")
    expect(items.last).to_contain_text("in Kazakhstan")
    page.screenshot(path=ARTIFACTS / "timeline.png", full_page=True)
    svg.locator("a").nth(1).click()
    page.wait_for_url("**/resource/first-summit*")

    page.goto(site + "/charts")
    usd = page.locator("section#sums-usd svg")
    expect(usd.locator("text.value").first).to_have_text("more than 19 billion USD")
    expect(page.locator("section#sums-jpy svg text.value").first).to_have_text(
        "approximately 3 trillion JPY"
    )
    expect(page.locator("section#counts table")).to_contain_text("mehr als 150")
    leaders = page.locator("section#proposals-leader tbody tr")
    expect(leaders.first).to_contain_text("Shavkat Mirziyoyev")
    page.screenshot(path=ARTIFACTS / "charts.png", full_page=True)
    page.close()


def test_the_map(browser, site):
    page = page_of(browser)
    page.goto(site + "/")
    page.get_by_role("link", name="Map", exact=True).click()
    page.wait_for_url("**/map")
    svg = page.locator("svg.map")
    expect(svg).to_be_visible()
    names = svg.locator("text.state-name").all_text_contents()
    assert sorted(names) == sorted(
        ["Japan", "Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan"]
    )
    assert {"Tokyo", "Tashkent"} <= set(svg.locator("text.place-name").all_text_contents())
    expect(page.locator("table tbody tr").first).to_contain_text("Japan")
    page.screenshot(path=ARTIFACTS / "map.png", full_page=True)
    svg.locator("a", has=page.locator("text.place-name", has_text="Tashkent")).click()
    page.wait_for_url("**/resource/Tashkent*")
    page.close()


CHART_QUERY = """PREFIX cajkg: <https://w3id.org/cajkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?leader (COUNT(DISTINCT ?p) AS ?proposals) WHERE {
  ?p a cajkg:Proposal ; cajkg:madeBy ?leader .
}
GROUP BY ?leader"""


def expected_chart(site: str) -> tuple[int, int, int, str]:
    """What the chart query answers on the endpoint: rows, the least and the most proposals,
    and the local name of the leader with the most (the graph decides, not this test)."""
    reply = requests.post(
        site + "/sparql",
        data={"query": CHART_QUERY},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    reply.raise_for_status()
    counts = [
        (int(row["proposals"]["value"]), row["leader"]["value"].rsplit("/", 1)[-1])
        for row in reply.json()["results"]["bindings"]
    ]
    assert len(counts) >= 3 and len({n for n, _ in counts}) > 1, counts
    return len(counts), min(counts)[0], max(counts)[0], max(counts)[1]


def test_the_workbench_sorts_charts_shares_and_remembers(browser, site):
    n, least, most, top = expected_chart(site)
    page = page_of(browser)
    page.goto(site + "/query")
    page.locator("#query").fill(CHART_QUERY)
    page.locator("#run").click()
    rows = page.locator("table.results-table tbody tr")
    expect(rows).to_have_count(n)

    # Sorting by the count, both ways.
    header = page.locator("table.results-table th", has_text="?proposals")
    header.locator("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(rows.first.locator("td").nth(1).locator(".literal")).to_have_text(str(least))
    header.locator("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(rows.first.locator("td").nth(1).locator(".literal")).to_have_text(str(most))
    expect(rows.first).to_contain_text(top)

    # A label and a number: the same rows as a bar chart.
    page.locator("#view-chart").click()
    chart = page.locator("svg.results-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("rect.chart-bar")).to_have_count(n)
    assert str(most) in chart.locator("text.chart-value").all_text_contents()
    expect(page.locator("table.results-table")).to_be_hidden()
    page.screenshot(path=ARTIFACTS / "workbench-chart.png", full_page=True)

    # The query is in the URL: opening the link runs it again; it is in the recent queries.
    assert "query=" in page.url
    page.goto(page.url)
    expect(page.locator("table.results-table tbody tr")).to_have_count(n)
    expect(page.locator("#query")).to_have_value(CHART_QUERY)
    history = page.locator("#history")
    history.locator("summary").click()
    expect(history.locator("button.history-item").first).to_contain_text("SELECT ?leader")

    # A syntax error is marked at its line and column, in the message and in the editor.
    broken = "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o = )\n}"
    page.locator("#query").fill(broken)
    page.locator("#run").click()
    pointer = page.locator("#error-pointer")
    expect(pointer).to_contain_text("line 4, column 2")
    assert (
        page.evaluate("document.getElementById('query').selectionStart") == broken.index("}") + 1
    )  # 4:2
    page.screenshot(path=ARTIFACTS / "workbench-error.png")
    page.close()


def test_the_workbench_completes_terms_and_names(browser, site):
    page = page_of(browser)
    page.goto(site + "/query")
    editor = page.locator("#query")
    editor.fill("SELECT ?x WHERE {\n  ?x a Propos")
    editor.press("End")
    editor.press("Control+Space")
    menu = page.locator("#complete")
    expect(menu).to_be_visible()
    expect(menu.locator("li").first.locator("code")).to_have_text("cajkg:Proposal")
    page.screenshot(path=ARTIFACTS / "workbench-complete.png")
    editor.press("Enter")
    expect(menu).to_be_hidden()
    value = editor.input_value()
    assert value.startswith("PREFIX cajkg: <https://w3id.org/cajkg/ontology#>\n")
    assert value.endswith("?x a cajkg:Proposal")

    # An entity by its German name (a transliteration), inserted as its prefixed name.
    editor.press("End")
    editor.type(" ; cajkg:madeAt ?e . ?e cajkg:heldIn Tokio")
    editor.press("Control+Space")
    expect(menu.locator("li code", has_text="cjr:Tokyo").first).to_be_visible()
    option = menu.locator("li", has=page.locator("code", has_text="cjr:Tokyo")).first
    option.dispatch_event("mousedown")
    value = editor.input_value()
    assert "PREFIX cjr: <https://w3id.org/cajkg/resource/>" in value
    assert value.endswith("cajkg:heldIn cjr:Tokyo")
    editor.type(" }")
    page.locator("#run").click()
    expect(page.locator("table.results-table tbody tr").first).to_be_visible()
    page.close()


def test_the_workbench_highlights_the_query(browser, site):
    page = page_of(browser)
    page.goto(site + "/query?name=04-next-summit-venue")
    expect(page.locator("table.results-table tbody tr").first).to_be_visible()
    painted = page.locator("#highlight code")
    expect(painted.locator(".tok-keyword", has_text="SELECT")).to_have_count(1)
    assert painted.locator(".tok-variable").count() > 1
    assert painted.locator(".tok-iri").count() >= 1
    # The painted copy holds exactly the editor's text, so the colours sit under the letters.
    assert painted.text_content() == page.locator("#query").input_value() + "\n"
    page.locator("#query").press("Control+End")
    page.locator("#query").type("\n# a comment")
    expect(painted.locator(".tok-comment").last).to_have_text("# a comment")
    box = page.locator("#query").bounding_box()
    pre = page.locator("#highlight").bounding_box()
    assert box and pre and abs(box["height"] - pre["height"]) < 1 and abs(box["y"] - pre["y"]) < 1
    page.screenshot(path=ARTIFACTS / "workbench-highlight.png")
    page.close()


def test_the_workbench_shows_places_on_the_map(browser, site):
    page = page_of(browser)
    page.goto(site + "/query")
    page.locator("#query").fill(
        "PREFIX cajkg: <https://w3id.org/cajkg/ontology#>\n"
        "SELECT ?place WHERE { { ?place a cajkg:State } UNION { ?place a cajkg:CapitalCity } }"
    )
    page.locator("#run").click()
    expect(page.locator("table.results-table tbody tr").first).to_be_visible()
    page.locator("#view-map").click()
    expect(page.locator("#map-status")).to_contain_text("10 results are marked on the map")
    image = page.locator("#map-view img.results-map")
    expect(image).to_be_visible()
    assert "10 of the results marked" in (image.get_attribute("alt") or "")
    assert page.evaluate("document.querySelector('#map-view img').naturalWidth") > 0
    page.screenshot(path=ARTIFACTS / "workbench-map.png", full_page=True)
    page.close()
