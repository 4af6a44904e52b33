// Quick results under the search box in the header: the JSON API (/search?format=json) as you
// type, a few hits per kind, each a link; Enter still opens the full results page.
(function () {
  "use strict";
  const input = document.getElementById("site-search-q");
  const panel = document.getElementById("site-search-suggest");
  if (!input || !panel) return;
  let timer = null;
  let asked = 0;

  function hide() { panel.hidden = true; panel.textContent = ""; }

  function piece(hit) {
    // The hit's text with its highlighted ranges in <mark>, built as DOM nodes (never as HTML).
    const out = document.createElement("span");
    out.className = "snippet";
    let text = hit.text, at = 0;
    const spans = hit.highlights;
    let start = 0;
    if (text.length > 120 && spans.length) start = Math.max(0, spans[0][0] - 30);
    const end = Math.min(text.length, start + 120);
    if (start) out.append("…");
    at = start;
    for (const [a0, b0] of spans) {
      const a = Math.max(a0, start), b = Math.min(b0, end);
      if (a >= b) continue;
      if (a > at) out.append(text.slice(at, a));
      const mark = document.createElement("mark");
      mark.textContent = text.slice(a, b);
      out.append(mark);
      at = b;
    }
    if (at < end) out.append(text.slice(at, end));
    if (end < text.length) out.append("…");
    return out;
  }

  function show(data) {
    panel.textContent = "";
    if (!data.groups.length) {
      const p = document.createElement("p");
      p.textContent = "Nothing matches.";
      panel.append(p);
    }
    for (const group of data.groups) {
      const h = document.createElement("h3");
      h.textContent = group.kind;
      const list = document.createElement("ul");
      for (const hit of group.hits) {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = hit.href;
        if (group.kind === "Sentences") {
          a.textContent = "Sentence " + (hit.position ?? "");
          li.append(a, " ", piece(hit));
        } else if (hit.text === hit.label) {
          const name = piece(hit);  // the matching name is the one shown: highlight it in place
          name.className = "";
          a.append(name);
          li.append(a);
        } else {
          a.textContent = hit.label;
          li.append(a, " ", piece(hit));
        }
        list.append(li);
      }
      panel.append(h, list);
    }
    const all = document.createElement("p");
    const link = document.createElement("a");
    link.href = "/search?q=" + encodeURIComponent(data.query);
    link.textContent = "All results for “" + data.query + "”";
    all.append(link);
    panel.append(all);
    panel.hidden = false;
  }

  async function ask() {
    const q = input.value.trim();
    if (!q) { hide(); return; }
    const mine = ++asked;
    try {
      const response = await fetch("/search?format=json&limit=3&q=" + encodeURIComponent(q),
                                   { headers: { Accept: "application/json" } });
      if (mine !== asked) return;
      if (!response.ok) { hide(); return; }
      show(await response.json());
    } catch (error) {
      hide();
    }
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") hide();
  });
  document.addEventListener("click", function (event) {
    if (!panel.contains(event.target) && event.target !== input) hide();
  });
})();
