"""What one update did to the inferred graph."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .index import RDFTriple


@dataclass(frozen=True)
class Delta:
    """How the inferred graph (what cjg:inferred holds) changed with one update."""

    added: frozenset[RDFTriple] = frozenset()
    removed: frozenset[RDFTriple] = frozenset()
    reset: bool = False  # True: `added` is the whole new inferred graph (after a full rebuild)

    def then(self, second: Delta, whole: Callable[[], Iterable[RDFTriple]]) -> Delta:
        """One Delta for this change followed by `second`; `whole()` gives the inferred graph
        after both, asked for only when either was a full rebuild (listing the whole closure
        on every write would make a write cost the size of the graph)."""
        if self.reset or second.reset:
            return Delta(frozenset(whole()), reset=True)
        return Delta(
            (self.added - second.removed) | second.added,
            (self.removed - second.added) | second.removed,
        )

    def applied(self, inferred: set[RDFTriple]) -> set[RDFTriple]:
        """The inferred graph `inferred` after this change."""
        if self.reset:
            return set(self.added)
        return (inferred - self.removed) | self.added
