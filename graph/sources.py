"""Where the graph's source files live, found through importlib.resources so that an installed
wheel and a checkout behave the same."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable


@dataclass(frozen=True)
class Sources:
    """The files a build reads: ontology modules, article, curated facts, SHACL shapes."""

    ontology: tuple[Traversable, ...]
    article: Traversable
    facts: tuple[Traversable, ...]
    shapes: Traversable

    def all(self) -> tuple[Traversable, ...]:
        """Every input, in a stable order (the build cache is keyed by their content)."""
        return (*self.ontology, self.article, *self.facts, self.shapes)


def _sorted(folder: Traversable, suffix: str) -> tuple[Traversable, ...]:
    return tuple(
        sorted((f for f in folder.iterdir() if f.name.endswith(suffix)), key=lambda f: f.name)
    )


def default_sources() -> Sources:
    """The sources shipped with the package."""
    graph = resources.files("cajkg.graph")
    return Sources(
        ontology=_sorted(resources.files("cajkg.ontology"), ".ttl"),
        article=graph / "article-de.txt",
        facts=_sorted(resources.files("cajkg.graph.facts"), ".trig"),
        shapes=graph / "shapes.ttl",
    )
