"""The timeline and the charts over the real built graph, through a real server: well-formed SVG
with a text alternative, the article's qualifiers kept, nothing fetched from elsewhere, and a
write that shows up in the next drawing."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import TOKEN, _Server

from cajkg.graph.build import build_dataset
from cajkg.graph.iris import RES
from cajkg.graph.store.base import Store
from cajkg.graph.store.factory import open_store
from cajkg.server import create_app

SVG = "{http://www.w3.org/2000/svg}"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CHARTS = ("sums-jpy", "sums-usd", "counts", "proposals-leader", "proposals-sector")


@pytest.fixture(scope="module")
def store() -> Store:
    return open_store("memory", dataset=build_dataset)


@pytest.fixture(scope="module")
def url(store: Store) -> Iterator[str]:
    server = _Server(create_app({"TESTING": True, "CAJKG_UPDATE_TOKEN": TOKEN}, store=store))
    yield server.url
    server.stop()


def svg(url: str, path: str) -> ET.Element:
    response = requests.get(url + path, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert "<script" not in response.text
    # Links stay on this server; nothing is loaded from a CDN or a tile server.
    assert not re.search(r'(?:href|src)="(?:https?:)?//', response.text)
    root = ET.fromstring(response.content)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.findtext(f"{SVG}title") and root.findtext(f"{SVG}desc")
    return root


def texts(root: ET.Element, cls: str) -> list[str]:
    return [e.text or "" for e in root.iter(f"{SVG}text") if cls in (e.get("class") or "")]


def test_the_timeline_marks_stated_and_implied(url: str) -> None:
    root = svg(url, "/timeline.svg")
    assert texts(root, "when") == [
        "before 2005",
        "20 December 2025",
        "May 2026",
        "2028",
        "until 2040",
        "date not given",
    ]
    desc = root.findtext(f"{SVG}desc") or ""
    assert "20 December 2025: First Central Asia + Japan Summit, in Tokyo (implied)" in desc
    assert "2028: Year of International Law 2028 (stated)" in desc
    assert "Next Central Asia + Japan Summit, in Kazakhstan (stated)" in desc
    page = requests.get(url + "/timeline", timeout=30).text
    assert "before 2005 (more than 20 years earlier)" in page


def test_the_charts_keep_the_articles_precision(url: str) -> None:
    usd = svg(url, "/charts/sums-usd.svg")
    assert texts(usd, "value")[::2] == [
        "more than 19 billion USD",
        "more than 8.5 billion USD",
        "more than 3.7 billion USD",
    ]
    jpy = svg(url, "/charts/sums-jpy.svg")
    assert "approximately 3 trillion JPY" in texts(jpy, "value")
    assert "“rund 3 Billionen Yen”" in texts(jpy, "value")
    counts = svg(url, "/charts/counts.svg")
    assert texts(counts, "value")[::2] == ["more than 150", "more than 60"]
    leaders = svg(url, "/charts/proposals-leader.svg")
    assert texts(leaders, "value")[0] == "10 proposals"
    for name in CHARTS:
        svg(url, f"/charts/{name}.svg")
    for path in ("/charts", "/timeline"):
        assert "19000000000" not in requests.get(url + path, timeout=30).text
    missing = requests.get(url + "/charts/nothing.svg", timeout=30)
    assert missing.status_code == 404 and "sums-usd" in missing.text


def test_a_write_shows_up_in_the_pictures(url: str) -> None:
    insert = """
    PREFIX cajkg: <https://w3id.org/cajkg/ontology#>
    PREFIX cjr: <https://w3id.org/cajkg/resource/>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
    INSERT DATA { GRAPH <https://w3id.org/cajkg/graph/pictures-test> {
      cjr:test-forum a cajkg:Forum ; rdfs:label "Test forum 2031"@en ; cajkg:time cjr:time-2031 .
      cjr:time-2031 a cajkg:TimeSpecification ; cajkg:year 2031 .
      cjr:test-grant a cajkg:Cooperation ; rdfs:label "Test grant"@en ;
        cajkg:amount cjr:amount-test-grant .
      cjr:amount-test-grant a cajkg:MonetaryAmount ; cajkg:value 12.5 ;
        cajkg:currency cajkg:USD ; cajkg:qualifier cajkg:Approximately .
    } }"""
    response = requests.post(f"{url}/update", data={"update": insert}, headers=AUTH, timeout=60)
    assert response.status_code == 204, response.text
    when = texts(svg(url, "/timeline.svg"), "when")
    assert when.index("2031") == when.index("2028") + 1
    assert "approximately 12.5 USD" in texts(svg(url, "/charts/sums-usd.svg"), "value")


COORDINATES = Path(__file__).parent / "data" / "map-coordinates.ttl"


def test_the_map_shades_the_states_and_places_the_capitals(url: str) -> None:
    before = svg(url, "/map.svg")
    states = {
        (a.findtext(f"{SVG}title") or "").split(":")[0]
        for a in before.iter(f"{SVG}a")
        if a.find(f"{SVG}path") is not None
    }
    assert states == {
        "Kazakhstan",
        "Kyrgyzstan",
        "Tajikistan",
        "Turkmenistan",
        "Uzbekistan",
        "Japan",
    }
    assert "Uzbekistan: 12 statements and 10 proposals on its behalf." in (
        before.findtext(f"{SVG}desc") or ""
    )
    # Coordinates written through the Graph Store protocol put the capitals on the map.
    put = requests.put(
        f"{url}/store",
        params={"graph": "https://w3id.org/cajkg/graph/map-test"},
        data=COORDINATES.read_bytes(),
        headers={**AUTH, "Content-Type": "text/turtle"},
        timeout=60,
    )
    assert put.status_code == 201
    after = svg(url, "/map.svg")
    names = texts(after, "place-name")
    assert {"Tokyo", "Tashkent", "Astana", "Dushanbe"} <= set(names)
    tokyo = next(
        c for c in after.iter(f"{SVG}circle") if "capital" in (c.get("class") or "") and c.get("cx")
    )
    assert float(tokyo.get("cx") or 0) > 0
    page = requests.get(f"{url}/map", timeout=30).text
    assert "Kambarata-1 hydropower plant" in page and "no coordinates" in page
    marked = requests.get(
        f"{url}/map.svg",
        params={"mark": ["https://w3id.org/cajkg/resource/Tokyo", str(RES.Kazakhstan), "x"]},
        timeout=30,
    )
    assert 'data-marked="2"' in marked.text and "2 marked." in marked.text
    too_many = requests.get(f"{url}/map.svg", params={"mark": ["x"] * 101}, timeout=30)
    assert too_many.status_code == 400 and "at most 100" in too_many.text


def test_the_country_shapes_are_read_without_a_network() -> None:
    """The Natural Earth outlines come from the installed package: in a fresh process where an
    audit hook refuses every socket and URL request, the shapes still load."""
    script = (
        "import sys\n"
        "def guard(event, args):\n"
        "    if event.startswith(('socket.', 'urllib.Request')):\n"
        "        raise OSError(f'network use in an offline test: {event}')\n"
        "sys.addaudithook(guard)\n"
        "from cajkg.graph import geoshapes\n"
        "names = {c.name for c in geoshapes.countries()}\n"
        "assert {'Kazakhstan', 'Japan', 'Uzbekistan'} <= names, names\n"
        "print(len(names))\n"
    )
    done = subprocess.run(
        [sys.executable, "-P", "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 20
