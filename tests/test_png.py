"""The pictures as PNG (for places that take no SVG): the same drawing at twice its size, drawn
from the graph so that a write shows up in it, and rendered without touching the network."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import requests
from conftest import TOKEN, _Server
from defusedxml import EntitiesForbidden
from flask import Flask
from PIL import Image

from cajkg.graph.build import build_dataset
from cajkg.graph.store.factory import open_store
from cajkg.server import create_app
from cajkg.server.png import png_response

AUTH = {"Authorization": f"Bearer {TOKEN}"}
PLACE = Path(__file__).parent / "data" / "png-place.ttl"  # a new capital
CAPITAL_RED = (0xA8, 0x32, 0x1E)  # .place.capital's stroke in map-svg.html


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    store = open_store("memory", dataset=build_dataset)
    server = _Server(create_app({"TESTING": True, "CAJKG_UPDATE_TOKEN": TOKEN}, store=store))
    yield server.url
    server.stop()
    store.close()


def image(url: str, path: str) -> Image.Image:
    response = requests.get(url + path, timeout=60)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "image/png"
    return Image.open(io.BytesIO(response.content)).convert("RGB")


def svg_size(url: str, path: str) -> tuple[int, int]:
    text = requests.get(url + path, timeout=60).text
    head = text[: text.index(">")]
    width = float(head.split('width="')[1].split('"')[0])
    height = float(head.split('height="')[1].split('"')[0])
    return round(width), round(height)


def reddish(picture: Image.Image) -> int:
    """Pixels of the capitals' red."""
    colours = picture.getcolors(picture.width * picture.height) or []
    return sum(
        count
        for count, (r, g, b) in colours
        if abs(r - CAPITAL_RED[0]) < 30 and abs(g - CAPITAL_RED[1]) < 30 and b < 70
    )


@pytest.mark.parametrize("path", ["/timeline", "/charts/sums-usd", "/charts/counts", "/map"])
def test_each_picture_is_also_a_png_twice_its_size(url: str, path: str) -> None:
    picture = image(url, f"{path}.png")
    width, height = svg_size(url, f"{path}.svg")
    assert picture.size == (2 * width, 2 * height)
    assert len(picture.getcolors(picture.width * picture.height) or []) > 8, "not a blank"


def test_a_write_shows_in_the_png(url: str) -> None:
    before = reddish(image(url, "/map.png"))
    put = requests.put(
        f"{url}/store",
        params={"graph": "https://w3id.org/cajkg/graph/png-test"},
        data=PLACE.read_bytes(),
        headers={**AUTH, "Content-Type": "text/turtle"},
        timeout=60,
    )
    assert put.status_code == 201
    assert reddish(image(url, "/map.png")) > before + 100, "the new capital is drawn"


def test_png_errors_are_the_svgs(url: str) -> None:
    missing = requests.get(f"{url}/charts/no-such-chart.png", timeout=30)
    assert missing.status_code == 404 and "sums-usd" in missing.text
    many = requests.get(f"{url}/map.png", params={"mark": ["x"] * 101}, timeout=30)
    assert many.status_code == 400 and "at most 100" in many.text


def test_the_renderer_fetches_nothing() -> None:
    """An SVG that links an image on a live loopback server: the PNG is made, the server is
    never asked (and no XML entity is expanded)."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            'width="40" height="20"><rect width="40" height="20" fill="#00f"/>'
            f'<image href="http://127.0.0.1:{port}/image.png" width="10" height="10"/>'
            '<image xlink:href="file:///etc/hostname" width="10" height="10"/></svg>'
        )
        with Flask(__name__).app_context():
            response = png_response(svg)
            picture = Image.open(io.BytesIO(response.get_data())).convert("RGB")
            assert picture.size == (80, 40) and picture.getpixel((60, 30)) == (0, 0, 255)
            entity = f'<!DOCTYPE svg [<!ENTITY e SYSTEM "http://127.0.0.1:{port}/entity">]>'
            with pytest.raises(EntitiesForbidden):
                png_response(entity + svg)
    finally:
        server.shutdown()
    assert asked == []
