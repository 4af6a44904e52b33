// The query workbench: loads named queries into the editor, runs the editor's query through
// /sparql with fetch, and shows the answer as a sortable table or, when the rows have a label
// and a number, as a bar chart; keeps the query in the URL and recent queries in this browser;
// marks a syntax error at its line and column. Data only ever reaches the page through
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

  const NUMERIC = /#(integer|decimal|double|float|long|int|short|byte|nonNegativeInteger|positiveInteger|unsignedInt|unsignedLong)$/;

  function isNumber(term) {
    return !!term && term.type !== "uri" && term.type !== "bnode" &&
      (NUMERIC.test(term.datatype || "") || (!term.datatype && !term["xml:lang"] &&
        term.value.trim() !== "" && !isNaN(Number(term.value))));
  }

  function sortKey(term) {
    if (!term) return [2, ""];
    if (isNumber(term)) return [0, Number(term.value)];
    return [1, (term.type === "uri" ? curie(term.value) : term.value).toLowerCase()];
  }

  function compare(a, b) {
    const [ka, va] = sortKey(a), [kb, vb] = sortKey(b);
    if (ka !== kb) return ka - kb;
    return va < vb ? -1 : va > vb ? 1 : 0;
  }

  // A results table whose column headers sort it (again: the other way round).
  function table(data) {
    const vars = data.head.vars || [];
    const rows = data.results.bindings.slice();
    const t = el("table", null, { class: "results-table" });
    const head = el("tr");
    const body = el("tbody");
    function fill() {
      body.replaceChildren();
      for (const row of rows) {
        const tr = body.appendChild(el("tr"));
        for (const v of vars) tr.appendChild(cell(row[v]));
      }
    }
    for (const v of vars) {
      const th = el("th", null, { scope: "col", "aria-sort": "none" });
      const button = el("button", "?" + v, { type: "button", class: "sort", title: "Sort by ?" + v });
      button.addEventListener("click", function () {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        for (const other of head.children) other.setAttribute("aria-sort", "none");
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        rows.sort((a, b) => (ascending ? 1 : -1) * compare(a[v], b[v]));
        fill();
      });
      th.appendChild(button);
      head.appendChild(th);
    }
    t.appendChild(el("thead")).appendChild(head);
    t.appendChild(body);
    fill();
    t.rows_ = rows;  // the rows in their current order, which the chart follows
    return [t, rows.length];
  }

  // The columns to chart: the first whose values are all numbers, and the first other column
  // (its label); null when the rows have no such pair.
  function chartColumns(data) {
    const vars = data.head.vars || [];
    const rows = data.results.bindings;
    if (!rows.length) return null;
    const number = vars.find((v) => rows.every((r) => isNumber(r[v])));
    const label = vars.find((v) => v !== number && rows.every((r) => r[v]));
    return number && label ? { number, label } : null;
  }

  const SVG_NS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // A horizontal bar chart of the rows (at most 60), built as SVG nodes (never markup).
  function barChart(all, columns) {
    const rows = all.slice(0, 60);
    const values = rows.map((r) => Number(r[columns.number].value));
    const largest = Math.max(...values.map(Math.abs), 1e-300);
    const left = 260, room = 420, step = 26, width = left + room + 120;
    const height = 40 + rows.length * step;
    const chart = svg("svg", { class: "results-chart", viewBox: `0 0 ${width} ${height}`,
      width: width, height: height, role: "img", "aria-labelledby": "chart-title" });
    chart.appendChild(svg("title", { id: "chart-title" },
      `?${columns.number} by ?${columns.label}, ${rows.length} bars`));
    chart.appendChild(svg("text", { x: 0, y: 18, class: "chart-heading" },
      `?${columns.number} by ?${columns.label}`));
    rows.forEach((row, index) => {
      const y = 30 + index * step;
      const term = row[columns.label];
      const name = term.type === "uri" ? curie(term.value) : term.value;
      const label = svg("text", { x: left - 8, y: y + 14, "text-anchor": "end", class: "chart-label" },
        name.length > 38 ? name.slice(0, 37) + "…" : name);
      if (term.type === "uri") {
        const link = svg("a", { href: localHref(term.value) });
        link.appendChild(svg("title", {}, term.value));
        link.appendChild(label);
        chart.appendChild(link);
      } else {
        chart.appendChild(label);
      }
      const w = Math.max(1, (room * Math.abs(values[index])) / largest);
      chart.appendChild(svg("rect", { x: left, y: y + 2, width: w.toFixed(1), height: 16, class: "chart-bar" }));
      chart.appendChild(svg("text", { x: left + w + 6, y: y + 14, class: "chart-value" },
        row[columns.number].value));
    });
    return chart;
  }

  // The map of the states and places among the results (the server draws it: /map.svg?mark=).
  async function mapOf(iris, box) {
    const params = new URLSearchParams();
    for (const iri of iris) params.append("mark", iri);
    box.replaceChildren(el("p", "Drawing the map…", { class: "status" }));
    try {
      const response = await fetch("/map.svg?" + params.toString());
      const text = await response.text();
      if (!response.ok) throw new Error(text);
      const marked = Number((/data-marked="(\d+)"/.exec(text) || [0, 0])[1]);
      if (!marked) {
        box.replaceChildren(el("p", "None of the results is a state or a place with coordinates.", { class: "status", id: "map-status" }));
        return;
      }
      const url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
      box.replaceChildren(
        el("p", marked + (marked === 1 ? " result is" : " results are") + " marked on the map.", { class: "status", id: "map-status" }),
        el("img", null, { src: url, alt: "Map of Central Asia and Japan with " + marked + " of the results marked", class: "results-map" }));
    } catch (failure) {
      box.replaceChildren(el("p", "The map could not be drawn: " + failure.message, { class: "error" }));
    }
  }

  // Table, chart and map views of a SELECT result; the chart only when the rows can have one,
  // the map only when they hold IRIs.
  function views(data) {
    const [t, count] = table(data);
    const columns = chartColumns(data);
    const iris = [...new Set(data.results.bindings.flatMap((row) =>
      Object.values(row).filter((term) => term.type === "uri").map((term) => term.value)))].slice(0, 100);
    if (!columns && !iris.length) {
      results.appendChild(t);
      return count;
    }
    const bar = el("div", null, { class: "view-switch", role: "group", "aria-label": "Show the results as" });
    const chartBox = el("div", null, { class: "chart-wrap", hidden: "" });
    const mapBox = el("div", null, { class: "chart-wrap", hidden: "", id: "map-view" });
    const buttons = [];
    function view(name, label, show) {
      const button = el("button", label, { type: "button", "aria-pressed": String(name === "table"), id: "view-" + name });
      button.addEventListener("click", function () {
        for (const other of buttons) other.setAttribute("aria-pressed", String(other === button));
        t.hidden = name !== "table";
        chartBox.hidden = name !== "chart";
        mapBox.hidden = name !== "map";
        if (show) show();
      });
      buttons.push(button);
      bar.appendChild(button);
    }
    view("table", "Table");
    if (columns) view("chart", "Bar chart", () => chartBox.replaceChildren(barChart(t.rows_, columns)));
    if (iris.length) view("map", "Map", () => mapOf(iris, mapBox));
    results.append(bar, t, chartBox, mapBox);
    return count;
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
    remember(query);
    const type = response.headers.get("Content-Type") || "";
    if (!response.ok) {
      status.textContent = "";
      const message = await response.text();
      error.replaceChildren(
        el("strong", "The query failed (HTTP " + response.status + "). "),
        el("pre", message));
      markError(query, message);
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
        const count = views(data);
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

  // "error at LINE:COLUMN: ..." (the endpoint's syntax errors): show the line with a caret
  // under the column, and select that place in the editor.
  function markError(query, message) {
    const found = /error at (\d+):(\d+)/.exec(message);
    if (!found) return;
    const line = Number(found[1]), column = Number(found[2]);
    const lines = query.split("\n");
    if (line < 1 || line > lines.length) return;
    const text = lines[line - 1];
    const pointer = el("pre", null, { class: "error-pointer", id: "error-pointer" });
    pointer.append(el("span", "line " + line + ", column " + column + ":\n", { class: "muted" }),
      text + "\n" + " ".repeat(Math.max(0, column - 1)) + "^");
    error.appendChild(pointer);
    let offset = 0;
    for (let i = 0; i < line - 1; i++) offset += lines[i].length + 1;
    offset += Math.min(column - 1, text.length);
    editor.focus();
    editor.setSelectionRange(offset, Math.min(offset + 1, query.length));
  }

  // The query in the address bar (so a link shares it), and in the list of recent queries
  // (kept in this browser only).
  const HISTORY = "cajkg.workbench.history";
  function recent() {
    try {
      const list = JSON.parse(localStorage.getItem(HISTORY) || "[]");
      return Array.isArray(list) ? list.filter((q) => typeof q === "string") : [];
    } catch (failure) {
      return [];
    }
  }

  function remember(query) {
    const namedQuery = named.find((q) => q.text === query);
    const params = new URLSearchParams(namedQuery ? { name: namedQuery.name } : { query });
    if (!infer.checked) params.set("infer", "false");
    history.replaceState(null, "", "?" + params.toString());
    const list = [query, ...recent().filter((q) => q !== query)].slice(0, 20);
    try {
      localStorage.setItem(HISTORY, JSON.stringify(list));
    } catch (failure) {
      // storage may be full or disabled: the list simply is not kept
    }
    showHistory();
  }

  function showHistory() {
    const box = document.getElementById("history");
    const list = document.getElementById("history-list");
    if (!box || !list) return;
    const queries = recent();
    list.replaceChildren();
    for (const query of queries) {
      const summary = query.split("\n").filter((l) => l.trim() && !/^\s*(PREFIX|#)/i.test(l)).join(" ");
      const button = el("button", summary.slice(0, 110) || query.slice(0, 110),
        { type: "button", class: "history-item", title: query });
      button.addEventListener("click", function () {
        editor.value = query;
        paint();
        heading.textContent = "Your query";
        document.getElementById("editor-note").textContent = "";
        form.requestSubmit();
      });
      list.appendChild(el("li")).appendChild(button);
    }
    box.hidden = queries.length === 0;
  }

  // Syntax highlighting: the editor's text is transparent over a copy of it, in coloured
  // spans, kept in step on every change and scroll (text only ever set as textContent).
  const painted = document.querySelector("#highlight code");
  // comment | string | IRI | variable | prefixed name or `a` | language tag | number | word
  const TOKENS = /(#[^\n]*)|("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(<[^<>"{}|^`\\\s]*>)|([?$][\w\u00B7\u00C0-\uFFFF]+)|((?:[A-Za-z][\w.-]*)?:[\w.:%-]*|\ba\b)|(@[A-Za-z]+(?:-[A-Za-z0-9]+)*)|(\b\d+(?:\.\d*)?(?:[eE][+-]?\d+)?\b)|([A-Za-z_]+)/g;
  const KEYWORDS = new Set(("BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED AS FROM NAMED " +
    "WHERE GROUP BY HAVING ORDER ASC DESC LIMIT OFFSET VALUES UNDEF OPTIONAL GRAPH SERVICE SILENT " +
    "BIND MINUS UNION FILTER EXISTS NOT IN INSERT DELETE DATA WITH USING DEFAULT ALL LOAD CLEAR " +
    "DROP CREATE ADD MOVE COPY TO INTO").split(" "));
  const CLASSES = ["comment", "string", "iri", "variable", "pname", "langtag", "number"];

  function paint() {
    if (!painted) return;
    const text = editor.value;
    const parts = [];
    let at = 0;
    for (const match of text.matchAll(TOKENS)) {
      if (match.index > at) parts.push(document.createTextNode(text.slice(at, match.index)));
      let kind = CLASSES[match.slice(1).findIndex((group) => group !== undefined)];
      if (kind === undefined) kind = KEYWORDS.has(match[0].toUpperCase()) ? "keyword" : null;
      parts.push(kind ? el("span", match[0], { class: "tok-" + kind }) : document.createTextNode(match[0]));
      at = match.index + match[0].length;
    }
    parts.push(document.createTextNode(text.slice(at) + "\n"));  // a last empty line keeps its height
    painted.replaceChildren(...parts);
    scrollPaint();
  }

  function scrollPaint() {
    const pre = painted.parentElement;
    pre.scrollTop = editor.scrollTop;
    pre.scrollLeft = editor.scrollLeft;
  }

  if (painted) {
    root.classList.add("highlighting");
    editor.addEventListener("input", paint);
    editor.addEventListener("scroll", scrollPaint);
    paint();
  }

  // Completion (Ctrl+Space): prefixes, ontology terms and entity names (labels in German and
  // English, through the search API) for the word before the cursor; a chosen prefixed name
  // gets its PREFIX declaration if the query lacks it.
  const prefixMap = Object.fromEntries(prefixes);
  const menu = document.getElementById("complete");
  let options = [], active = -1, span = [0, 0], asking = 0;

  function closeMenu() {
    options = [];
    active = -1;
    if (menu) { menu.hidden = true; menu.replaceChildren(); }
    editor.setAttribute("aria-expanded", "false");
    editor.removeAttribute("aria-activedescendant");
  }

  function highlightOption(index) {
    active = index;
    menu.querySelectorAll("li").forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) editor.setAttribute("aria-activedescendant", "complete-" + index);
  }

  function showMenu(found) {
    options = found;
    menu.replaceChildren();
    if (!found.length) {
      menu.appendChild(el("li", "Nothing to complete here.", { class: "muted", role: "option", "aria-disabled": "true" }));
    }
    found.forEach((option, index) => {
      const li = el("li", null, { role: "option", id: "complete-" + index, "aria-selected": "false" });
      li.append(el("code", option.insert), " ", el("span", option.note, { class: "muted" }));
      li.addEventListener("mousedown", function (event) { event.preventDefault(); accept(index); });
      menu.appendChild(li);
    });
    menu.hidden = false;
    editor.setAttribute("aria-expanded", "true");
    if (found.length) highlightOption(0);
  }

  function ensurePrefix(prefix) {
    if (!prefixMap[prefix] || new RegExp("PREFIX\\s+" + prefix + ":", "i").test(editor.value)) return;
    const declaration = "PREFIX " + prefix + ": <" + prefixMap[prefix] + ">\n";
    const at = editor.selectionStart;
    editor.value = declaration + editor.value;
    editor.setSelectionRange(at + declaration.length, at + declaration.length);
    paint();
  }

  function accept(index) {
    const option = options[index];
    if (!option) return closeMenu();
    editor.setRangeText(option.insert, span[0], span[1], "end");
    if (option.prefix) ensurePrefix(option.prefix);
    closeMenu();
    editor.focus();
    editor.dispatchEvent(new Event("input"));
  }

  async function suggest() {
    const end = editor.selectionStart;
    const found = /[A-Za-z\u00C0-\u024F_][\w\u00C0-\u024F-]*:?[\w\u00C0-\u024F-]*$/.exec(editor.value.slice(0, end));
    if (!found) return showMenu([]);
    const word = found[0];
    span = [end - word.length, end];
    const colon = word.indexOf(":");
    const prefix = colon >= 0 ? word.slice(0, colon) : null;
    const words = colon >= 0 ? word.slice(colon + 1) : word;
    const list = [];
    if (prefix === null) {
      for (const [name, ns] of prefixes) {
        if (name.startsWith(word.toLowerCase())) list.push({ insert: name + ":", note: ns, prefix: name });
      }
    }
    const mine = ++asking;
    if (words.length >= 2) {
      try {
        const response = await fetch("/search?" + new URLSearchParams({ q: words, format: "json", limit: 6 }),
                                     { headers: { Accept: "application/json" } });
        if (response.ok) {
          const data = await response.json();
          for (const group of data.groups) {
            if (group.kind === "Sentences") continue;
            for (const hit of group.hits) {
              const name = curie(hit.iri);
              const own = name !== hit.iri ? name.slice(0, name.indexOf(":")) : null;
              if (prefix !== null && own !== prefix) continue;
              list.push({ insert: own ? name : "<" + hit.iri + ">", note: hit.label + " · " + group.kind, prefix: own });
            }
          }
        }
      } catch (failure) {
        // no suggestions from the search then; the prefixes still show
      }
    }
    if (mine === asking) showMenu(list.slice(0, 12));
  }

  editor.addEventListener("keydown", function (event) {
    if (event.key === " " && event.ctrlKey) {
      event.preventDefault();
      suggest();
      return;
    }
    if (menu.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      if (options.length) highlightOption((active + step + options.length) % options.length);
    } else if ((event.key === "Enter" || event.key === "Tab") && options.length) {
      event.preventDefault();
      accept(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      closeMenu();
    }
  });
  editor.addEventListener("blur", closeMenu);

  function choose(event) {
    const query = named.find((q) => q.name === event.currentTarget.dataset.name);
    if (!query) return;
    event.preventDefault();
    editor.value = query.text;
    paint();
    heading.textContent = query.question;
    document.getElementById("editor-note").textContent = query.note;
    for (const link of document.querySelectorAll("a.example")) link.classList.remove("current");
    event.currentTarget.classList.add("current");
    history.replaceState(null, "", "?name=" + encodeURIComponent(query.name));
    form.requestSubmit();
  }

  form.addEventListener("submit", run);
  for (const link of document.querySelectorAll("a.example")) link.addEventListener("click", choose);
  showHistory();
  const asked = new URLSearchParams(location.search);
  if (asked.has("name") || asked.has("query")) form.requestSubmit();
})();
