// "Why these answers?" in the workbench: posts the editor's query to /explain/answers and shows,
// for each row, the triples it matched, the rule of each inferred one (with a link to its full
// proof) and the sentences behind them with the quoted words marked. Text only: no innerHTML.
(function () {
  "use strict";
  const button = document.getElementById("why-answers");
  const editor = document.getElementById("query");
  const infer = document.getElementById("infer");
  const box = document.getElementById("why");
  if (!button || !editor || !box) return;

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }
  function short(term) {
    if (term.type === "literal") return JSON.stringify(term.value) + (term["xml:lang"] ? "@" + term["xml:lang"] : "");
    return term.value.replace(/^.*[/#]/, "");
  }
  function nt(term) {  // an object as /explain takes it: an IRI or an N-Triples literal
    if (term.type !== "literal") return term.value;
    const text = '"' + term.value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r") + '"';
    return text + (term["xml:lang"] ? "@" + term["xml:lang"] : term.datatype ? "^^<" + term.datatype + ">" : "");
  }
  function sentences(proof, seen, out) {  // every sentence of the proof's leaves, once
    for (const source of proof.sources || []) {
      for (const s of source.sentences) if (!seen.has(s.iri)) { seen.add(s.iri); out.push(s); }
    }
    for (const step of proof.derivations || []) for (const child of step.premises) sentences(child, seen, out);
    return out;
  }
  function quote(sentence) {
    const marked = new Array(sentence.text.length).fill(false);
    for (const m of sentence.mentions) for (let i = m.start; i < m.end; i++) marked[i] = true;
    const q = el("blockquote", null, "sentence");
    let i = 0;
    while (i < sentence.text.length) {
      let j = i;
      while (j < sentence.text.length && marked[j] === marked[i]) j++;
      q.appendChild(marked[i] ? el("mark", sentence.text.slice(i, j)) : document.createTextNode(sentence.text.slice(i, j)));
      i = j;
    }
    q.appendChild(el("footer", "sentence " + sentence.position));
    return q;
  }
  function triple(explained) {
    const t = explained.triple;
    const li = el("li", null, "why-triple " + explained.status);
    li.appendChild(el("span", [t.s, t.p, t.o].map(short).join(" "), "triple"));
    li.appendChild(document.createTextNode(" "));
    li.appendChild(el("span", explained.status, "badge " + explained.status));
    if (explained.status === "inferred") {
      li.appendChild(document.createTextNode(" by rule "));
      li.appendChild(el("code", explained.proof.derivations[0].rule, "rule"));
      const a = el("a", "why?", "why");
      a.href = "/explain?" + new URLSearchParams({ s: t.s.value, p: t.p.value, o: nt(t.o) }).toString();
      li.appendChild(document.createTextNode(" "));
      li.appendChild(a);
    }
    for (const s of sentences(explained.proof, new Set(), [])) li.appendChild(quote(s));
    return li;
  }
  function show(data) {
    box.replaceChildren(el("h2", "Why these answers?"));
    box.appendChild(el("p", "Explained " + data.explainedRows + " of " + data.totalRows + " rows.", "muted"));
    data.rows.forEach(function (row, n) {
      const details = el("details", null, "why-row");
      details.open = n < 3;
      const values = Object.entries(row.bindings).map(([k, v]) => "?" + k + " = " + short(v));
      details.appendChild(el("summary", "Row " + (n + 1) + ": " + values.join(", ")));
      if (row.unexplained) details.appendChild(el("p", row.unexplained, "muted"));
      for (const match of row.matches) {
        const list = el("ul", null, "why-triples");
        for (const index of match.triples) list.appendChild(triple(data.triples[index]));
        details.appendChild(list);
      }
      box.appendChild(details);
    });
  }
  async function explain() {
    box.hidden = false;
    box.replaceChildren(el("p", "Explaining…", "status"));
    const response = await fetch("/explain/answers", {
      method: "POST",
      headers: { Accept: "application/json" },
      body: new URLSearchParams({ query: editor.value, infer: infer ? infer.checked : true }),
    });
    const type = response.headers.get("Content-Type") || "";
    if (!type.startsWith("application/json")) {
      box.replaceChildren(el("div", "HTTP " + response.status + ": " + (await response.text()), "error"));
      return;
    }
    const data = await response.json();
    if (response.status !== 200) {
      const error = el("div", "Cannot explain the answers of this query:", "error cannot");
      const list = el("ul");
      for (const reason of data.cannot || []) list.appendChild(el("li", reason));
      error.appendChild(list);
      box.replaceChildren(error);
      return;
    }
    show(data);
  }
  button.addEventListener("click", explain);
})();
