"""Full-text search over the graph's names and the article's sentences (no Flask here).

SQLite's FTS5 (in Python's standard library) keeps the inverted index and ranks candidates by
BM25; Snowball (snowballstemmer) stems German and English words; rapidfuzz finds the indexed
terms within a small edit distance of a word that matches nothing. cajkg adds only what these
libraries do not know: a folding of German and English transliterations (Toqajew = Tokayev,
Taschkent = Tashkent, Usbekistan = Uzbekistan) applied to every stem, and the final ordering
(see `SearchIndex.search` and README-search.md).

The index is built from the store through graph/sparql/search-*.rq, in memory, in well under a
second on the seed graph, on the first search; after a write, `LiveIndex` re-reads only the
documents of the subjects the write touched and patches the index in place.
"""

from __future__ import annotations

import math
import re
import sqlite3
import threading
import time
import unicodedata
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import snowballstemmer  # type: ignore[import-untyped]
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from rdflib import URIRef

from cajkg.graph.iris import DEFAULT_BASE, Base

MAX_QUERY_LENGTH = 200  # characters of a search string
MAX_WORDS = 12  # words of a search string
MAX_LIMIT = 50  # hits per kind
COVERAGE = 1000  # weight of the words' coverage: more than any name bonus (8) + BM25 (1)
CANDIDATES = 400  # documents that BM25 hands to the final ordering
SENTENCES = "Sentences"
OTHER = "Other"

_WORD = re.compile(r"\w+")
_GERMAN = snowballstemmer.stemmer("german")
_ENGLISH = snowballstemmer.stemmer("english")
# Transliterations of the same name in German and English spelling, applied in this order to a
# lower-case, accent-free stem: Tadschikistan/Tajikistan, Taschkent/Tashkent,
# Kasachstan/Kazakhstan, Toqajew/Tokayev, Usbekistan/Uzbekistan, Mirsijojew/Mirziyoyev.
_FOLDS = (
    ("dsch", "j"),
    ("tsch", "ch"),
    ("sch", "sh"),
    ("kh", "ch"),
    ("ck", "k"),
    ("q", "k"),
    ("w", "v"),
    ("z", "s"),
    ("y", "i"),
    ("j", "i"),
)
_REPEATS = re.compile(r"(.)\1+")


class SearchError(ValueError):
    """The search string cannot be searched (HTTP 400); the message says why."""


class SearchTimeout(RuntimeError):
    """The search ran past its deadline (HTTP 503)."""


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Case, accents, umlauts and transliteration folded away: the spelling-free form."""
    text = word.lower().replace("ß", "ss")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    for old, new in _FOLDS:
        text = text.replace(old, new)
    return _REPEATS.sub(r"\1", text)


@lru_cache(maxsize=65536)
def keys(word: str, lang: str = "") -> tuple[str, ...]:
    """The index terms of a word: its folded Snowball stem in its language (both stemmers for a
    literal without a language tag, or in another language)."""
    lower = word.lower()
    if lang.startswith("de"):
        stems = {_GERMAN.stemWord(lower)}
    elif lang.startswith("en"):
        stems = {_ENGLISH.stemWord(lower)}
    else:
        stems = {_GERMAN.stemWord(lower), _ENGLISH.stemWord(lower)}
    return tuple(sorted({fold(s) for s in stems if s}))


def query_keys(word: str) -> tuple[str, ...]:
    """What a searched word may match: its stems in both languages and its unstemmed form."""
    return tuple(sorted({*keys(word), fold(word.lower())}))


@dataclass(frozen=True)
class Doc:
    """One searchable text: a name of a resource or a sentence."""

    iri: str
    kind: str  # the group it is shown in: "States", ..., or SENTENCES
    text: str
    lang: str
    rank: int = 99  # the kind's rank (lower first); sentences come last
    position: int | None = None  # a sentence's place in its article

    @property
    def is_entity(self) -> bool:
        """Whether the document names a resource (it ranks before sentences)."""
        return self.kind != SENTENCES


@dataclass(frozen=True)
class Hit:
    """One result: a resource (by its best-matching name) or a sentence."""

    iri: str
    kind: str
    label: str  # the resource's display name, or the sentence text
    text: str  # the matching text
    lang: str
    score: float
    spans: tuple[tuple[int, int], ...]  # highlighted character ranges of `text`
    position: int | None = None

    def as_json(self) -> dict[str, Any]:
        """The hit as the JSON API shows it."""
        return {
            "iri": self.iri,
            "kind": self.kind,
            "label": self.label,
            "text": self.text,
            "lang": self.lang,
            "score": round(self.score, 4),
            "highlights": [list(span) for span in self.spans],
            **({"position": self.position} if self.position is not None else {}),
        }


@dataclass
class Results:
    """The hits of one search, best first, and how the words were read."""

    query: str
    words: list[str]
    hits: list[Hit]
    corrections: dict[str, list[str]] = field(default_factory=dict)  # word -> fuzzy terms
    total: int = 0
    indexed: int = 0  # documents in the index searched

    def groups(self) -> list[tuple[str, list[Hit]]]:
        """Hits by kind; the kind of the best hit first."""
        grouped: dict[str, list[Hit]] = {}
        for hit in self.hits:
            grouped.setdefault(hit.kind, []).append(hit)
        return list(grouped.items())


def words_of(query: str) -> list[str]:
    """The words of a search string, or SearchError with the reason it cannot be searched."""
    if len(query) > MAX_QUERY_LENGTH:
        raise SearchError(
            f"the search string is {len(query)} characters; at most {MAX_QUERY_LENGTH}"
        )
    if any(unicodedata.category(c) == "Cc" for c in query):
        raise SearchError("the search string contains control characters")
    words = _WORD.findall(query)
    if not words:
        raise SearchError("the search string has no word to search for (letters or digits)")
    if len(words) > MAX_WORDS:
        raise SearchError(f"the search string has {len(words)} words; at most {MAX_WORDS}")
    return words


def _fuzzy_distance(term: str) -> int:
    if term.isdigit():
        return 0
    return 2 if len(term) >= 8 else 1 if len(term) >= 4 else 0


class SearchIndex:
    """An FTS5 index over documents, patched in place by `replace` after a write; thread-safe
    (one lock around each search and each patch)."""

    def __init__(self, docs: Iterable[Doc]) -> None:
        self.docs: list[Doc | None] = []  # by rowid; None: replaced since
        self._tokens: list[tuple[tuple[str, ...], ...]] = []  # per doc: each word's terms
        self._rows: dict[str, list[int]] = {}  # rowids per resource or sentence IRI
        self._frequency: dict[str, int] = {}  # documents per term, for the vocabulary
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._lock = threading.RLock()
        self._db.execute("CREATE VIRTUAL TABLE doc USING fts5(terms, tokenize='ascii')")
        self._db.executemany("INSERT INTO doc(rowid, terms) VALUES (?, ?)", self._add(docs))
        self.vocabulary = sorted(self._frequency)
        self._names = _display_names(d for d in self.docs if d is not None)
        self._size = len(self.docs)

    def __len__(self) -> int:
        return self._size

    def _add(self, docs: Iterable[Doc]) -> list[tuple[int, str]]:
        """Tokenize documents into new rowids; the rows for FTS5 (the vocabulary's counts are
        kept, its sorted list is not)."""
        rows = []
        for doc in docs:
            tokens = tuple(keys(word, doc.lang) for word in _WORD.findall(doc.text))
            terms = [k for token in tokens for k in token]
            for term in set(terms):
                self._frequency[term] = self._frequency.get(term, 0) + 1
            rowid = len(self.docs)
            rows.append((rowid, " ".join(terms)))
            self._rows.setdefault(doc.iri, []).append(rowid)
            self.docs.append(doc)
            self._tokens.append(tokens)
        return rows

    def replace(self, iris: Iterable[str], docs: Iterable[Doc]) -> None:
        """Drop every document of these IRIs and add `docs` (the documents the store now holds
        for them): the index after a write, without reading anything else."""
        with self._lock:
            gone: list[int] = []
            changed: set[str] = set()
            for iri in iris:
                for rowid in self._rows.pop(iri, ()):
                    for term in {k for token in self._tokens[rowid] for k in token}:
                        self._frequency[term] -= 1
                        if not self._frequency[term]:
                            del self._frequency[term]
                            changed.add(term)
                    self.docs[rowid] = None
                    self._tokens[rowid] = ()
                    gone.append(rowid)
                self._names.pop(iri, None)
            new = list(docs)
            rows = self._add(new)
            self._db.executemany("DELETE FROM doc WHERE rowid = ?", [(r,) for r in gone])
            self._db.executemany("INSERT INTO doc(rowid, terms) VALUES (?, ?)", rows)
            for term in changed - self._frequency.keys():  # no document has it any more
                at = bisect_left(self.vocabulary, term)
                if at < len(self.vocabulary) and self.vocabulary[at] == term:
                    del self.vocabulary[at]
            for _, terms in rows:
                for term in terms.split():
                    if not self._known(term, prefix=False):
                        insort(self.vocabulary, term)
            self._names.update(
                _display_names(d for iri in {d.iri for d in new} for d in self._docs_of(iri))
            )
            self._size += len(rows) - len(gone)

    def _known(self, term: str, prefix: bool) -> bool:
        at = bisect_left(self.vocabulary, term)
        if at == len(self.vocabulary):
            return False
        found = self.vocabulary[at]
        return found == term or (prefix and found.startswith(term))

    def _docs_of(self, iri: str) -> Iterator[Doc]:
        for rowid in self._rows.get(iri, ()):
            doc = self.docs[rowid]
            if doc is not None:
                yield doc

    def _alternatives(self, words: list[str]) -> tuple[list[tuple[set[str], set[str]]], dict]:
        """Per word: the terms it matches exactly or as a prefix, and its fuzzy terms (only for
        a word none of whose forms is in the index)."""
        out, corrections = [], {}
        for word in words:
            exact = {k for k in query_keys(word) if k}
            fuzzy: set[str] = set()
            if not any(self._known(k, len(k) >= 4) for k in exact):
                for k in exact:
                    distance = _fuzzy_distance(k)
                    if distance:
                        found = process.extract(
                            k,
                            self.vocabulary,
                            scorer=Levenshtein.distance,
                            score_cutoff=distance,
                            limit=8,
                        )
                        fuzzy.update(term for term, _, _ in found)
                if fuzzy:
                    corrections[word] = sorted(fuzzy)
            out.append((exact, fuzzy))
        return out, corrections

    def search(
        self, query: str, *, limit: int = 10, lang: str = "", deadline: float | None = None
    ) -> Results:
        """The hits for a search string, at most `limit` per kind.

        Score: 1000 x the document's coverage of the words (each word counts 1 for an exact
        stem, 0.8 for a prefix of a longer term such as a compound, 0.6 for a typo-corrected
        term), + 5 for a name of a resource and up to 3 more by how much of the name the words
        fill (the state named "Kazakhstan" before "President of Kazakhstan", both before the
        sentences), + BM25 squeezed into [0, 1) for the remaining ties. Coverage always decides
        first: the smallest difference in it (0.2 of one word in 12) outweighs the rest.
        `lang` keeps only texts whose language tag starts with it ("de", "en").
        """
        words = words_of(query)
        with self._lock:
            return self._search(query, words, max(1, min(limit, MAX_LIMIT)), lang, deadline)

    def _search(
        self, query: str, words: list[str], limit: int, lang: str, deadline: float | None
    ) -> Results:
        alternatives, corrections = self._alternatives(words)
        expression = " OR ".join(
            f'"{term}"*' if len(term) >= 4 else f'"{term}"'
            for exact, fuzzy in alternatives
            for term in sorted(exact | fuzzy)
        )
        candidates = self._candidates(expression, deadline)
        grade = _Grader(alternatives)
        scored: list[tuple[float, int, tuple[int, ...]]] = []
        for rowid, bm25 in candidates:
            doc = self.docs[rowid]
            if doc is None or (lang and not doc.lang.lower().startswith(lang)):
                continue
            score, marked = self._score(rowid, grade, bm25)
            if score > 0:
                scored.append((score, rowid, marked))
        docs = self.docs
        scored.sort(key=lambda item: _order(docs[item[1]], item[0]))
        best: dict[str, Hit] = {}
        per_kind: dict[str, int] = {}
        for score, rowid, marked in scored:
            doc = docs[rowid]
            assert doc is not None
            if doc.iri in best or per_kind.get(doc.kind, 0) >= limit:
                continue
            per_kind[doc.kind] = per_kind.get(doc.kind, 0) + 1
            label = self._names.get(doc.iri, doc.text) if doc.is_entity else doc.text
            best[doc.iri] = Hit(
                doc.iri,
                doc.kind,
                label,
                doc.text,
                doc.lang,
                score,
                _spans(doc.text, marked),
                doc.position,
            )
        return Results(
            query, words, list(best.values()), corrections, total=len(scored), indexed=len(self)
        )

    def _candidates(self, expression: str, deadline: float | None) -> list[tuple[int, float]]:
        if not expression:
            return []
        with self._lock:  # reentrant: held by search() already
            if deadline is not None:
                self._db.set_progress_handler(lambda: int(time.monotonic() > deadline), 1000)
            try:
                return self._db.execute(
                    "SELECT rowid, bm25(doc) FROM doc WHERE doc MATCH ? ORDER BY rank LIMIT ?",
                    (expression, CANDIDATES),
                ).fetchall()
            except sqlite3.OperationalError as error:
                if "interrupt" in str(error):
                    raise SearchTimeout("the search ran past its time limit") from error
                raise
            finally:
                self._db.set_progress_handler(None, 0)

    def _score(self, rowid: int, grade: _Grader, bm25: float) -> tuple[float, tuple[int, ...]]:
        """The document's score and the indexes of its words that match."""
        tokens = self._tokens[rowid]
        best = [0.0] * grade.words
        marked = []
        for index, terms in enumerate(tokens):
            matched = False
            for term in terms:
                grades = grade(term)
                if grades is not None:
                    matched = True
                    best = [max(a, b) for a, b in zip(best, grades, strict=True)]
            if matched:
                marked.append(index)
        coverage = sum(best) / len(best)
        if not coverage:
            return 0.0, ()
        relevance = -bm25 / (1 - bm25) if bm25 < 0 else 0.0  # BM25 squeezed into [0, 1)
        score = COVERAGE * coverage + relevance
        if self.docs[rowid].is_entity:  # type: ignore[union-attr]
            score += 5 + 3 * len(marked) / len(tokens)
        return score, tuple(marked)


class _Grader:
    """How well one index term matches each searched word: 1 the same term, 0.8 a longer term
    that begins with it (a compound), 0.6 a typo-corrected term; None when it matches none.
    Memoized per search: the same terms recur in many documents."""

    def __init__(self, alternatives: list[tuple[set[str], set[str]]]) -> None:
        self.words = len(alternatives)
        self._words = [
            (exact, fuzzy, tuple(e for e in exact if len(e) >= 4)) for exact, fuzzy in alternatives
        ]
        self._memo: dict[str, tuple[float, ...] | None] = {}

    def __call__(self, term: str) -> tuple[float, ...] | None:
        if term in self._memo:
            return self._memo[term]
        grades = tuple(
            1.0
            if term in exact
            else 0.8
            if prefixes and term.startswith(prefixes)
            else 0.6
            if term in fuzzy
            else 0.0
            for exact, fuzzy, prefixes in self._words
        )
        found = self._memo[term] = grades if any(grades) else None
        return found


def _order(doc: Doc | None, score: float) -> tuple[float, int, str, str, str]:
    """Best score first; ties by kind, then by IRI, language and text (stable across patches)."""
    assert doc is not None
    return (-score, doc.rank, doc.iri, doc.lang, doc.text)


def _spans(text: str, marked: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    """The character ranges of the text's words at the given indexes."""
    wanted = set(marked)
    return tuple(m.span() for index, m in enumerate(_WORD.finditer(text)) if index in wanted)


def _display_names(docs: Iterable[Doc]) -> dict[str, str]:
    """The name shown for each resource: an English one, else German, else any (shortest)."""
    names: dict[str, tuple[int, int, str]] = {}
    for doc in docs:
        if not doc.is_entity:
            continue
        order = 0 if doc.lang.startswith("en") else 1 if doc.lang.startswith("de") else 2
        candidate = (order, len(doc.text), doc.text)
        if doc.iri not in names or candidate < names[doc.iri]:
            names[doc.iri] = candidate
    return {iri: name for iri, (_, _, name) in names.items()}


def query_text(name: str, base: Base) -> str:
    """The text of graph/sparql/<name>.rq, rewritten to the deployment's base."""
    text = (resources.files("cajkg.graph") / "sparql" / f"{name}.rq").read_text(encoding="utf-8")
    return text if base.iri == DEFAULT_BASE else text.replace(DEFAULT_BASE, base.iri)


def documents(
    select: Callable[[str], Iterator[dict[str, Any]]],
    base: Base,
    iris: Iterable[str] | None = None,
) -> list[Doc]:
    """The documents to index, from the three search queries; `select` runs a SELECT and yields
    its solutions as dicts of rdflib terms. `iris`: only the documents of these resources and
    sentences (each query restricted by a VALUES block), in batches of `BATCH`."""
    wanted = None if iris is None else sorted(set(iris))
    kinds: dict[str, tuple[int, str]] = {}
    for row in _select(select, "search-kinds", "x", base, wanted):
        rank, kind = int(row["rank"]), str(row["kind"])
        iri = str(row["x"])
        if iri not in kinds or (rank, kind) < kinds[iri]:
            kinds[iri] = (rank, kind)
    docs = []
    for row in _select(select, "search-labels", "x", base, wanted):
        iri, label = str(row["x"]), row["label"]
        rank, kind = kinds.get(iri, (50, OTHER))
        docs.append(Doc(iri, kind, str(label), getattr(label, "language", None) or "", rank))
    for row in _select(select, "search-sentences", "sentence", base, wanted):
        text, position = row["text"], row.get("position")
        docs.append(
            Doc(
                str(row["sentence"]),
                SENTENCES,
                str(text),
                getattr(text, "language", None) or "",
                100,
                int(position) if position is not None else None,
            )
        )
    docs.sort(key=lambda d: (d.rank, d.iri, d.lang, d.text))
    return docs


BATCH = 256  # IRIs in one VALUES block
_WHERE = re.compile(r"\bWHERE\s*\{")


def _select(
    select: Callable[[str], Iterator[dict[str, Any]]],
    name: str,
    variable: str,
    base: Base,
    iris: list[str] | None,
) -> Iterator[dict[str, Any]]:
    """The solutions of graph/sparql/<name>.rq, for every resource or only for `iris` (a
    VALUES block on ?variable at the start of its WHERE clause)."""
    text = query_text(name, base)
    if iris is None:
        yield from select(text)
        return
    where = _WHERE.search(text)
    assert where is not None, f"{name}.rq has no WHERE clause"
    for at in range(0, len(iris), BATCH):
        values = " ".join(URIRef(iri).n3() for iri in iris[at : at + BATCH])
        restricted = (
            f"{text[: where.end()]}\n  VALUES ?{variable} {{ {values} }}{text[where.end() :]}"
        )
        yield from select(restricted)


class LiveIndex:
    """The index of the store as it is now. The store tells `changed` of every write it applies
    (a change listener, graph/store/base.py), before the write is acknowledged; `changed` only
    notes the subjects of the changed quads (names, sentences and kinds depend only on their
    subject's own triples). The next search first re-reads the documents of those subjects and
    patches the index (`SearchIndex.replace`): a write is searchable once it is acknowledged, and
    costs a few small queries instead of a rebuild. A store without listeners calls
    `invalidate()` after each write instead, and the next search rebuilds the index; so does a
    write that touches more than `MAX_PATCH` subjects."""

    MAX_PATCH = 5000  # subjects; more than this and a rebuild is cheaper than the VALUES queries

    def __init__(
        self,
        load: Callable[[], list[Doc]],
        load_some: Callable[[list[str]], list[Doc]] | None = None,
    ) -> None:
        self._load = load
        self._load_some = load_some
        self._lock = threading.Lock()  # one build or patch at a time
        self._pending_lock = threading.Lock()  # held for microseconds, by the store's writer
        self._pending: set[str] = set()
        self._generation = 0
        self._built: tuple[int, SearchIndex] | None = None
        self.build_seconds = math.nan
        self.patch_seconds = math.nan

    def invalidate(self) -> None:
        """The store changed in ways not told: the next search reads it again."""
        self._generation += 1

    def changed(self, added: Iterable[tuple[Any, ...]], removed: Iterable[tuple[Any, ...]]) -> None:
        """A change listener: note the IRIs of the subjects the write touched."""
        subjects = {
            str(q[0]) for quads in (added, removed) for q in quads if isinstance(q[0], URIRef)
        }
        if not subjects:
            return
        with self._pending_lock:
            self._pending |= subjects
            if len(self._pending) > self.MAX_PATCH or self._load_some is None:
                self._pending.clear()
                self._generation += 1

    def current(self) -> SearchIndex:
        """The index of the store at the last acknowledged write, built or patched if needed."""
        with self._lock:
            with self._pending_lock:
                generation, pending = self._generation, self._pending
                self._pending = set()
            if self._built is None or self._built[0] != generation:
                started = time.perf_counter()
                self._built = (generation, SearchIndex(self._load()))
                self.build_seconds = time.perf_counter() - started
            elif pending and self._load_some is not None:
                started = time.perf_counter()
                iris = sorted(pending)
                self._built[1].replace(iris, self._load_some(iris))
                self.patch_seconds = time.perf_counter() - started
            return self._built[1]
