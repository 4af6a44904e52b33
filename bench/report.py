"""Benchmark results as a Markdown table and PNG plots (matplotlib, headless)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def _s(figure: dict[str, float] | None, scale: float = 1.0, digits: int = 2) -> str:
    """median (min-max) x n of a summary."""
    if not figure:
        return "-"
    med, lo, hi = (figure[k] * scale for k in ("median", "min", "max"))
    return f"{med:.{digits}f} ({lo:.{digits}f}-{hi:.{digits}f}) x{figure['n']}"


def _ratio(a: float | None, b: float | None) -> str:
    if not a or not b or math.isnan(a) or math.isnan(b):
        return "-"
    return f"{a / b:.2f}"


def markdown(results: dict[str, Any]) -> str:
    """The whole report."""
    lines = [
        "# cajkg benchmark results",
        "",
        f"Plan: `{results['plan']}`; total {results['total_s']:.0f} s. Medians with (min-max) "
        "and the number of runs; every figure in one table was measured in the same run. "
        f"Queries: {', '.join(results['queries'])}.",
        "",
        "## Datasets (K articles)",
        "",
        "| K | asserted quads | inferred triples |",
        "| --- | --- | --- |",
    ]
    lines += [
        f"| {d['k']} | {d['asserted_quads']} | {d['inferred']} |" for d in results["datasets"]
    ]
    lines += [
        "",
        "## Build steps (seconds; peak RSS in MB of the process, input included)",
        "",
        "| K | step | seconds | peak MB |",
        "| --- | --- | --- | --- |",
    ]
    for k, steps in results["steps"].items():
        for name in ("parse", "owlrl", "fast", "validate"):
            if name in steps:
                lines.append(
                    f"| {k} | {name} | {_s(steps[name]['seconds'])} | "
                    f"{_s(steps[name]['peak_mb'], digits=0)} |"
                )
    lines += [
        "",
        "## Closure: owlrl against cajkg.graph.reasoner (same run)",
        "",
        "| K | owlrl s | fast s | speed-up | one-triple add ms | one-triple remove ms |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for k, steps in results["steps"].items():
        owlrl = steps.get("owlrl", {}).get("seconds", {}).get("median")
        fast = steps["fast"]["seconds"]["median"]
        update = steps["update"]
        lines.append(
            f"| {k} | {f'{owlrl:.2f}' if owlrl else '-'} | {fast:.2f} | {_ratio(owlrl, fast)} | "
            f"{update['add_ms']:.2f} | {update['remove_ms']:.2f} |"
        )
    for k, servers in results["http"].items():
        cajkg, oxi = servers["cajkg"], servers["oxigraph"]
        lines += [
            "",
            f"## HTTP at K={k}: cajkg against oxigraph serve (same data, same run)",
            "",
            f"Start-up to first answer: cajkg {cajkg['startup_s']:.2f} s, oxigraph "
            f"{oxi['startup_s']:.2f} s (oxigraph's includes its bulk load). cajkg was ready "
            f"(/readyz: a query worker loaded, the reasoner seeded) after "
            f"{cajkg.get('ready_s') or 0:.2f} s; queries were timed after that.",
            "",
            f"One-triple update until a query sees it: cajkg (incremental reasoner, "
            f"inferences visible) {_s(cajkg['update_ms'], digits=1)} ms; oxigraph (no "
            f"reasoning, the triple only) {_s(oxi['update_ms'], digits=1)} ms.",
            "",
        ]
        if "search" in cajkg:
            search, pictures = cajkg["search"], cajkg["pictures"]
            lines += [
                f"Search (GET /search, JSON, one client): p50 {search['p50_ms']:.1f} ms, p95 "
                f"{search['p95_ms']:.1f} ms (target: p50 <= 10 ms on the seed graph, <= 50 ms at "
                f"about 1M triples). A picture (timeline, chart, map SVG): p50 "
                f"{pictures['p50_ms']:.1f} ms, p95 {pictures['p95_ms']:.1f} ms (target: p50 <= "
                f"100 ms on the seed graph).",
                "",
            ]
        if "search_index_s" in cajkg:
            lines += [
                f"Search index: {cajkg['search_documents']} documents, built in "
                f"{cajkg['search_index_s']:.2f} s in the background after /readyz (target: <= 1 "
                f"s on the seed graph); the first search, timed from /readyz, took "
                f"{cajkg['search_first_s']:.2f} s. A one-label write until a search finds it "
                f"(the index patched, not rebuilt): {_s(cajkg['search_write_ms'], digits=1)} ms.",
                "",
            ]
        if "explain" in cajkg:
            explained = cajkg["explain"]
            lines += [
                f"Explaining one inferred triple (GET /explain, JSON, one client): p50 "
                f"{explained['p50_ms']:.1f} ms, p95 {explained['p95_ms']:.1f} ms (target: p50 <= "
                f"20 ms on the seed graph, <= 200 ms at about 1M triples).",
                "",
            ]
        if cajkg.get("why_answers"):
            lines += why_answers_lines(cajkg["why_answers"])
        if "cajkg-owlrl-update_ms" in servers:
            lines += [
                f"The same with owlrl as the write-time reasoner (today's server): "
                f"{_s(servers['cajkg-owlrl-update_ms'], digits=0)} ms.",
                "",
            ]
        lines += [
            "| query | clients | cajkg p50 / p95 / p99 ms | oxigraph p50 / p95 / p99 ms | "
            "p50 ratio | cajkg req/s | oxigraph req/s | throughput ratio |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for name, levels in cajkg["queries"].items():
            for clients, c in levels.items():
                o = oxi["queries"][name][clients]
                lines.append(
                    f"| {name} | {clients} | {c['p50_ms']:.1f} / {c['p95_ms']:.1f} / "
                    f"{c['p99_ms']:.1f} | {o['p50_ms']:.1f} / {o['p95_ms']:.1f} / "
                    f"{o['p99_ms']:.1f} | {_ratio(c['p50_ms'], o['p50_ms'])} | "
                    f"{c['throughput_rps']:.1f} | {o['throughput_rps']:.1f} | "
                    f"{_ratio(c['throughput_rps'], o['throughput_rps'])} |"
                )
    for k, figures in results.get("merge", {}).items():
        counts = figures["default_graph_triples"]
        lines += [
            "",
            f"## The RDF-merge default graph at K={k}: its cost (same store, same run)",
            "",
            f"Oxigraph's own union default graph holds {counts['multiset']} triples (a triple "
            f"once per graph holding it); the merge cajkg queries holds {counts['merge']}. "
            f"Computing the merge (`cjg:asserted`) at start took {figures['merge_s']:.2f} s and "
            f"added {figures['merge_quads']} quads to the {figures['quads']} loaded.",
            "",
            "| query | multiset union p50 ms | merge p50 ms | ratio |",
            "| --- | --- | --- | --- |",
        ]
        for name, q in figures["queries"].items():
            lines.append(
                f"| {name} | {q['multiset_ms']:.2f} | {q['merge_ms']:.2f} | "
                f"{_ratio(q['merge_ms'], q['multiset_ms'])} |"
            )
    lines += ["", "Plots: closure.png, query-p50.png, throughput.png.", ""]
    return "\n".join(lines)


def _plot_closure(results: dict[str, Any], out: Path) -> None:
    fig, ax = plt.subplots(figsize=(6, 4))
    for name in ("owlrl", "fast"):
        points = [
            (int(k), s[name]["seconds"]["median"]) for k, s in results["steps"].items() if name in s
        ]
        if points:
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, marker="o", label=name)
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="K articles",
        ylabel="closure seconds",
        title="OWL 2 RL closure: owlrl vs cajkg.graph.reasoner",
    )
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "closure.png", dpi=100)
    plt.close(fig)


def _plot_queries(results: dict[str, Any], out: Path) -> None:
    k, servers = next(iter(results["http"].items()))
    names = list(servers["cajkg"]["queries"])
    fig, ax = plt.subplots(figsize=(max(6, len(names) * 1.2), 4))
    width = 0.4
    for i, server in enumerate(("cajkg", "oxigraph")):
        values = [servers[server]["queries"][n]["1"]["p50_ms"] for n in names]
        ax.bar([x + i * width for x in range(len(names))], values, width, label=server)
    ax.set_xticks([x + width / 2 for x in range(len(names))], names, rotation=30, ha="right")
    ax.set(yscale="log", ylabel="p50 latency ms (1 client)", title=f"Queries at K={k}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "query-p50.png", dpi=100)
    plt.close(fig)


def _plot_throughput(results: dict[str, Any], out: Path) -> None:
    k, servers = next(iter(results["http"].items()))
    fig, ax = plt.subplots(figsize=(6, 4))
    for server in ("cajkg", "oxigraph"):
        per_query = servers[server]["queries"].values()
        levels = list(next(iter(per_query)).keys())
        totals = [
            sum(q[level]["throughput_rps"] for q in per_query) / len(per_query) for level in levels
        ]
        ax.plot([int(level) for level in levels], totals, marker="o", label=server)
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="concurrent clients",
        ylabel="requests/s (mean over queries)",
        title=f"Throughput at K={k}",
    )
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "throughput.png", dpi=100)
    plt.close(fig)


def write(results: dict[str, Any], out: Path) -> None:
    """results.md and the plots into `out`."""
    (out / "results.md").write_text(markdown(results), encoding="utf-8")
    _plot_closure(results, out)
    if results["http"]:
        _plot_queries(results, out)
        _plot_throughput(results, out)


def why_answers_lines(figures: dict[str, dict[str, float]]) -> list[str]:
    """ "Why these answers?" per competency query against the plain query (target: <= 5x)."""
    worst = max(f["ratio"] for f in figures.values())
    lines = [
        f'"Why these answers?" (POST /explain/answers, one client) against the plain query '
        f"(POST /sparql, JSON), p50 of each, for the {len(figures)} competency queries it "
        f"explains; the largest ratio is {worst:.1f}x (target: <= 5x).",
        "",
        "| query | query p50 ms | why p50 ms | ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, f in sorted(figures.items()):
        lines.append(
            f"| {name} | {f['query_p50_ms']:.1f} | {f['why_p50_ms']:.1f} | {f['ratio']:.1f}x |"
        )
    return [*lines, ""]
