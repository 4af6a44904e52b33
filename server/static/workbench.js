// The query workbench: loads named queries into the editor, runs the editor's query through
// /sparql with fetch, and shows the answer as a table. Data only ever reaches the page through
// textContent and attributes, never as markup.
"use strict";

(function () {
  const root = document.querySelector(".workbench");
  if (!root) return;
  const base = root.dataset.base;
  const endpoint = root.dataset.endpoint;
  const form = document.getElementById("query-form");
  const editor = document.getElementById("query");
  const infer = document.getElementById("infer");
  const status = document.getElementById("status");
  const error = document.getElementById("error");
  const results = document.getElementById("results");
  const downloads = document.getElementById("downloads");
  const heading = document.getElementById("editor-title");
  const named = JSON.parse(document.getElementById("named-queries").textContent);
  const prefixes = Object.entries(JSON.parse(document.getElementById("prefixes").textContent));

  function el(tag, text, attrs) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    return node;
  }

  function localHref(iri) {
    if (iri.startsWith(base)) return "/" + iri.slice(base.length);
    return /^https?:\/\//i.test(iri) ? iri : "#";  // never a javascript: link from data
  }

  function curie(iri) {
    for (const [prefix, ns] of prefixes) {
      if (iri.startsWith(ns) && iri.length > ns.length) return prefix + ":" + iri.slice(ns.length);
    }
    return iri;
  }

  function cell(term) {
    const td = el("td");
    if (!term) return td;
    if (term.type === "uri") {
      const a = el("a", curie(term.value), { href: localHref(term.value), title: term.value });
      if (!term.value.startsWith(base)) a.className = "external";
      td.appendChild(a);
    } else if (term.type === "bnode") {
      td.appendChild(el("span", "_:" + term.value, { class: "bnode" }));
    } else {
      td.appendChild(el("span", term.value, { class: "literal" }));
      const lang = term["xml:lang"];
      if (lang) td.appendChild(el("span", " @" + lang, { class: "lang" }));
      else if (term.datatype) td.appendChild(el("span", " " + curie(term.datatype), { class: "datatype" }));
    }
    return td;
  }

  function table(data) {
    const vars = data.head.vars || [];
    const rows = data.results.bindings;
    const t = el("table", null, { class: "results-table" });
    const head = el("tr");
    for (const v of vars) head.appendChild(el("th", "?" + v, { scope: "col" }));
    t.appendChild(el("thead")).appendChild(head);
    const body = t.appendChild(el("tbody"));
    for (const row of rows) {
      const tr = body.appendChild(el("tr"));
      for (const v of vars) tr.appendChild(cell(row[v]));
    }
    return [t, rows.length];
  }

  function setDownloads(query, kind) {
    const params = (format) =>
      endpoint + "?" + new URLSearchParams({ query, infer: infer.checked, format }).toString();
    document.getElementById("download-csv").href = params("csv");
    document.getElementById("download-json").href = params("json");
    document.getElementById("download-ttl").href = params("turtle");
    document.getElementById("download-csv").hidden = kind !== "bindings";
    document.getElementById("download-json").hidden = kind === "graph";
    document.getElementById("download-ttl").hidden = kind !== "graph";
    downloads.hidden = false;
  }

  async function run(event) {
    event.preventDefault();
    const query = editor.value;
    error.hidden = true;
    results.replaceChildren();
    downloads.hidden = true;
    status.textContent = "Running…";
    const started = performance.now();
    let response;
    try {
      response = await fetch(endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Accept: "application/sparql-results+json, text/turtle;q=0.9",
        },
        body: new URLSearchParams({ query, infer: infer.checked }),
      });
    } catch (failure) {
      status.textContent = "";
      error.textContent = "The server could not be reached: " + failure.message;
      error.hidden = false;
      return;
    }
    const ms = Math.round(performance.now() - started);
    const type = response.headers.get("Content-Type") || "";
    if (!response.ok) {
      status.textContent = "";
      error.replaceChildren(
        el("strong", "The query failed (HTTP " + response.status + "). "),
        el("pre", await response.text()));
      error.hidden = false;
      return;
    }
    if (type.startsWith("application/sparql-results+json")) {
      const data = await response.json();
      if (typeof data.boolean === "boolean") {
        results.appendChild(el("p", data.boolean ? "Yes (true)" : "No (false)", { class: "boolean" }));
        status.textContent = "ASK answered in " + ms + " ms.";
        setDownloads(query, "boolean");
      } else {
        const [t, count] = table(data);
        results.appendChild(t);
        status.textContent = count + (count === 1 ? " row" : " rows") + " in " + ms + " ms" +
          (infer.checked ? ", inferred facts included." : ", asserted facts only.");
        setDownloads(query, "bindings");
      }
    } else {
      results.appendChild(el("pre", await response.text(), { class: "graph-result" }));
      status.textContent = "Graph result in " + ms + " ms.";
      setDownloads(query, "graph");
    }
  }

  function choose(event) {
    const query = named.find((q) => q.name === event.currentTarget.dataset.name);
    if (!query) return;
    event.preventDefault();
    editor.value = query.text;
    heading.textContent = query.question;
    document.getElementById("editor-note").textContent = query.note;
    for (const link of document.querySelectorAll("a.example")) link.classList.remove("current");
    event.currentTarget.classList.add("current");
    history.replaceState(null, "", "?name=" + encodeURIComponent(query.name));
    form.requestSubmit();
  }

  form.addEventListener("submit", run);
  for (const link of document.querySelectorAll("a.example")) link.addEventListener("click", choose);
  if (new URLSearchParams(location.search).has("name")) form.requestSubmit();
})();
