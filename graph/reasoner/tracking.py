"""The reasoner of a store that keeps its data elsewhere (the sparql store).

It is seeded from the store's merge of the asserted graphs on the first write, then fed only each
write's change of that merge, so a write costs what the change costs. The store names the state
it last wrote (a token stored with the data, replaced by every write through cajkg); when the
token found before a write is not the one this process wrote, another process wrote in between,
and the reasoner is seeded again from the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .adapter import Inference, Reasoner, as_reasoner
from .delta import Delta
from .index import RDFTriple


class Tracking:
    """A Reasoner following a store's merge of the asserted graphs across processes."""

    def __init__(self, reasoner: Reasoner | Inference) -> None:
        self.reasoner = as_reasoner(reasoner)
        self.token: str | None = None  # the store state the reasoner is on; None: not seeded

    def change(
        self,
        added: Iterable[RDFTriple],
        removed: Iterable[RDFTriple],
        token: str | None,
        merge: Callable[[], Iterable[RDFTriple]],
    ) -> Delta:
        """The inferred graph's change for one change of the merge. When the reasoner is not
        on the state `token` names, it is seeded from `merge()` (the merge before the write)
        and the Delta is a reset: the whole inferred graph after the write. Raises, leaving
        the reasoner on the state it was on, when the write cannot be reasoned about."""
        start: set[RDFTriple] | None = None
        if self.token is None or self.token != token:
            self.token = None
            start = set(self.reasoner.seed(merge()))
            self.token = token
        delta = self.reasoner.change(added, removed)  # raises: the reasoner is unchanged
        self.token = None  # on no state the store names, until `wrote`
        if start is not None:
            delta = Delta(frozenset(delta.applied(start)), reset=True)
        return delta

    def wrote(self, token: str) -> None:
        """The store now holds the state this reasoner is on, under `token`."""
        self.token = token
