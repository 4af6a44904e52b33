"""The web pages in a real headless Chromium (Debian's /usr/bin/chromium, never a downloaded one),
driven by Playwright against a real server on a loopback port. Screenshots go to tests/artifacts/.

The walk uses the real built graph (the build cache makes this quick after `cajkg build`); the
XSS check uses the fixture dataset with a hostile label written through SPARQL Update.
"""

from __future__ import annotations

import pytest
from chromium import ARTIFACTS, needs_chromium, page_of
from conftest import running
from pages_fixture import evil_store, fixture_dataset, write_build
from playwright.sync_api import expect

from cajkg.graph.build import build_dataset
from cajkg.graph.store.memory import MemoryStore
from cajkg.server import create_app

EVIL = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def real_site(tmp_path_factory):
    store = MemoryStore(build_dataset())
    app = create_app(
        {"TESTING": True, "CAJKG_DATA_DIR": str(tmp_path_factory.mktemp("var"))}, store=store
    )
    with running(app) as url:
        yield url


@pytest.fixture(scope="module")
def evil_site(tmp_path_factory):
    dataset = fixture_dataset()
    build = tmp_path_factory.mktemp("build")
    write_build(dataset, build)
    store = evil_store(dataset, EVIL)
    app = create_app(
        {
            "TESTING": True,
            "CAJKG_BUILD_DIR": str(build),
            "CAJKG_DATA_DIR": str(tmp_path_factory.mktemp("var")),
        },
        store=store,
    )
    with running(app) as url:
        yield url


def test_a_newcomer_walks_from_a_question_to_the_source_sentence(browser, real_site):
    page = page_of(browser)
    page.goto(real_site + "/")
    expect(page.locator("h1")).to_contain_text("knowledge graph")
    expect(page.locator(".counts")).to_contain_text("inferred triples")
    page.screenshot(path=ARTIFACTS / "home.png", full_page=True)

    page.get_by_role("link", name="Query", exact=True).click()
    example = page.locator("a.example").first
    question = example.inner_text()
    example.click()
    expect(page.locator("#editor-title")).to_have_text(question)
    rows = page.locator("table.results-table tbody tr")
    expect(rows.first).to_be_visible(timeout=30_000)
    expect(page.locator("#status")).to_contain_text("row")
    expect(page.locator("#download-csv")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "workbench.png", full_page=True)

    page.locator("table.results-table a[href^='/resource/']").first.click()
    page.wait_for_url("**/resource/*.html")
    expect(page.locator("h1")).to_be_visible()
    mark = page.locator(".sources blockquote mark").first
    expect(mark).to_be_visible()
    assert mark.inner_text().strip()
    page.screenshot(path=ARTIFACTS / "resource.png", full_page=True)

    page.get_by_role("link", name="Show the neighbourhood as a diagram").click()
    expect(page.locator("svg.diagram")).to_be_visible()
    assert page.locator("svg.diagram g.node").count() > 1
    page.screenshot(path=ARTIFACTS / "diagram.png", full_page=True)
    page.close()


def test_the_article_and_the_ontology_render(browser, real_site):
    page = page_of(browser)
    page.goto(real_site + "/article")
    expect(page.locator("li.sentence")).to_have_count(44)
    page.screenshot(path=ARTIFACTS / "article.png")
    page.locator("li.sentence a.mention").first.click()
    page.wait_for_url("**/resource/*.html")
    page.goto(real_site + "/ontology#Summit")
    expect(page.locator("article#Summit")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "ontology.png")
    page.close()


def test_workbench_errors_are_readable(browser, real_site):
    page = page_of(browser)
    page.goto(real_site + "/query")
    page.locator("#query").fill("SELECT * WHERE { ?s ?p }")
    page.locator("#run").click()
    expect(page.locator("#error")).to_be_visible()
    expect(page.locator("#error")).to_contain_text("HTTP 400")
    page.close()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/resource/Evil",
        "/resource/Japan",
        "/ontology",
        "/diagram?iri=https%3A%2F%2Fw3id.org%2Fcajkg%2Fresource%2FJapan",
    ],
)
def test_a_hostile_label_never_runs(browser, evil_site, path):
    page = page_of(browser)
    page.goto(evil_site + path)
    page.wait_for_load_state("load")
    expect(page.locator("body")).to_contain_text(EVIL[:30])  # shown as text (maybe cut short)
    assert page.evaluate("window.__xss") is None  # and never run
    page.close()


def test_a_hostile_label_in_query_results_stays_text(browser, evil_site):
    page = page_of(browser)
    page.goto(evil_site + "/query")
    page.locator("#query").fill(
        "SELECT ?x ?name WHERE { ?x <http://www.w3.org/2000/01/rdf-schema#label> ?name "
        "FILTER(CONTAINS(?name, 'script')) }"
    )
    page.locator("#run").click()
    expect(page.locator("table.results-table tbody tr")).to_have_count(1)
    expect(page.locator("table.results-table tbody")).to_contain_text(EVIL)
    assert page.evaluate("window.__xss") is None
    page.close()
