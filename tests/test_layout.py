"""Packaging guards: every folder with Python code is a listed package, import names are not
generic, and the graph layer never imports the web layer."""

from __future__ import annotations

import ast
import importlib.util
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def _package_folders() -> dict[str, Path]:
    """Each listed package and the folder it comes from, following package-dir."""
    mapping = SETUPTOOLS["package-dir"]
    out = {}
    for package in SETUPTOOLS["packages"]:
        top = next(name for name in mapping if package == name or package.startswith(name + "."))
        rest = package[len(top) :].lstrip(".").replace(".", "/")
        out[package] = ROOT / mapping[top] / rest
    return out


def test_every_code_folder_is_a_listed_package():
    listed = {path.resolve() for path in _package_folders().values()}
    for top in SETUPTOOLS["package-dir"].values():
        for init in (ROOT / top).rglob("__init__.py"):
            assert init.parent.resolve() in listed, f"{init.parent} is not a listed package"


def test_no_generic_top_level_import_names():
    assert importlib.util.find_spec("graph") is None
    assert importlib.util.find_spec("server") is None
    assert importlib.util.find_spec("cajkg.graph") is not None


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_graph_layer_never_imports_the_web_layer():
    for path in (ROOT / "graph").rglob("*.py"):
        for name in _imports(path):
            assert not name.startswith(("flask", "werkzeug", "cajkg.server")), f"{path}: {name}"
