"""Explanations in a real headless Chromium (Debian's /usr/bin/chromium, never a downloaded one),
driven by Playwright against a real server on a loopback port: the "why?" link of a resource
page leads to the proof tree, with the rule, the sentence and its highlighted words; the
workbench's "why these answers?" shows each row's triples, rules and marked sentences.
Screenshots go to tests/artifacts/ (docs/screenshots/explain.png is a copy of explain.png)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from chromium import ARTIFACTS, needs_chromium, page_of
from conftest import running
from playwright.sync_api import expect

from cajkg.graph.build import build_dataset
from cajkg.graph.reasoner import IncrementalReasoner
from cajkg.graph.store.memory import MemoryStore
from cajkg.server import create_app

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    store = MemoryStore(build_dataset(), reasoner=IncrementalReasoner(), workers=1)
    app = create_app(
        {"TESTING": True, "CAJKG_DATA_DIR": str(tmp_path_factory.mktemp("var"))}, store=store
    )
    with running(app) as url:
        yield url
    store.close()


def test_why_on_a_resource_page_shows_the_rule_and_the_sentence(browser, site) -> None:
    page = page_of(browser)
    page.goto(site + "/resource/Kassym-Jomart-Tokayev.html")
    row = page.locator("tr", has=page.locator("a[href*='leaderOf']")).filter(
        has=page.locator("a.why")
    )
    expect(row.first).to_be_visible()
    row.first.locator("a.why").click()
    page.wait_for_url("**/explain?*")
    expect(page.locator("h1")).to_have_text("Why does the graph say that?")
    root = page.locator("ul.proof-tree > li.proof").first
    expect(root.locator("> .triple")).to_contain_text("leaderOf")
    expect(root.locator("> .badge.inferred")).to_be_visible()
    expect(root.locator("a.rule code").first).to_have_text("prp-spo2")
    sentence = root.locator("blockquote.sentence").first
    expect(sentence).to_contain_text("Qassym-Schomart Toqajew")
    marks = sentence.locator("mark")
    expect(marks.first).to_be_visible()
    words = [marks.nth(i).inner_text().strip() for i in range(marks.count())]
    assert all(words) and all(w in sentence.inner_text() for w in words)
    assert any("Toqajew" in w or "Kasach" in w or "Präsident" in w for w in words), words
    page.screenshot(path=ARTIFACTS / "explain.png", full_page=True)

    page.locator("a.toggle").click()
    expect(page.locator("p.limits")).to_contain_text("All non-circular proofs")
    expect(page.locator("a.rule code").first).to_have_text("prp-spo2")
    page.screenshot(path=ARTIFACTS / "explain-all.png", full_page=True)
    page.close()


def test_why_on_a_defined_class(browser, site) -> None:
    page = page_of(browser)
    page.goto(site + "/resource/Kassym-Jomart-Tokayev.html")
    link = page.locator("a.why[href*='HeadOfState']").first
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url("**/explain?*")
    rules = page.locator("a.rule code").all_inner_texts()
    assert "cls-svf1" in rules and "cax-sco" in rules, rules
    expect(page.locator("blockquote.sentence mark").first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "explain-head-of-state.png", full_page=True)
    page.close()


LEADERS = """PREFIX cajkg: <https://w3id.org/cajkg/ontology#>
PREFIX cjr: <https://w3id.org/cajkg/resource/>
SELECT ?leader ?country WHERE {
  ?leader cajkg:leaderOf ?country .
  ?country cajkg:locatedIn cjr:Central-Asia
} ORDER BY ?country"""


def test_why_these_answers_in_the_workbench(browser, site) -> None:
    page = page_of(browser)
    page.goto(site + "/query")
    page.locator("#query").fill(LEADERS)
    page.locator("#run").click()
    expect(page.locator("table.results-table tbody tr")).to_have_count(5, timeout=30_000)
    page.locator("#why-answers").click()
    rows = page.locator("#why details.why-row")
    expect(rows).to_have_count(5, timeout=30_000)
    first = rows.first
    expect(first.locator("summary")).to_contain_text("?leader")
    inferred = first.locator("li.why-triple.inferred").first
    expect(inferred.locator("code.rule")).to_have_text("prp-spo2")
    expect(inferred.locator("blockquote.sentence mark").first).to_be_visible()
    asserted = first.locator("li.why-triple.asserted").first
    expect(asserted).to_contain_text("locatedIn")
    page.screenshot(path=ARTIFACTS / "why-answers.png", full_page=True)

    inferred.locator("a.why").click()
    page.wait_for_url("**/explain?*")
    expect(page.locator("a.rule code").first).to_have_text("prp-spo2")
    page.close()


def test_why_these_answers_names_what_it_cannot_explain(browser, site) -> None:
    page = page_of(browser)
    page.goto(site + "/query")
    page.locator("#query").fill(
        "PREFIX cajkg: <https://w3id.org/cajkg/ontology#>\n"
        "SELECT ?c (COUNT(?p) AS ?n) WHERE { ?p cajkg:leaderOf ?c } GROUP BY ?c"
    )
    page.locator("#why-answers").click()
    expect(page.locator("#why .cannot")).to_contain_text("aggregates", timeout=30_000)
    page.screenshot(path=ARTIFACTS / "why-answers-cannot.png")
    page.close()


def test_what_depends_on_a_sentence(browser, site) -> None:
    """The sentence page's "What depends on this sentence?" button leads to the inferred facts
    that would disappear and the competency answers that would change; a "why?" link there
    leads to the proof that rests on the sentence."""
    page = page_of(browser)
    page.goto(site + "/sentence/s12.html")
    page.get_by_role("link", name="What depends on this sentence?").click()
    page.wait_for_url("**/explain/impact?*")
    expect(page.locator("h1")).to_have_text("What depends on this?")
    expect(page.locator("p.lead")).to_contain_text("sentence 12")
    gone = page.locator("ul.disappear > li").filter(has_text="leaderOf")
    expect(gone.first).to_contain_text("Kassym-Jomart-Tokayev")
    changed = page.locator(".answer-change").filter(has_text="16-japan-investment-in-kazakhstan")
    expect(changed.locator("li.lost").first).to_be_visible()
    expect(changed).to_contain_text("would no longer hold")
    page.screenshot(path=ARTIFACTS / "impact-sentence.png", full_page=True)
    gone.first.locator("a.why").click()
    page.wait_for_url("**/explain?*")
    expect(page.locator("ul.proof-tree blockquote.sentence").first).to_contain_text("Toqajew")


def test_if_retracted_on_a_resource_page(browser, site) -> None:
    page = page_of(browser)
    page.goto(site + "/resource/Kassym-Jomart-Tokayev.html")
    row = page.locator("tr.asserted", has=page.locator("a[href$='holdsOffice']"))
    row.first.locator("a.impact").click()
    page.wait_for_url("**/explain/impact?*")
    expect(page.locator("ul.retracted")).to_contain_text("holdsOffice")
    expect(page.locator("ul.disappear")).to_contain_text("HeadOfState")
    expect(page.locator(".answer-change h3 a").filter(has_text="19-heads-of-state")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "impact-triple.png", full_page=True)
