// The /sparql page's editor: CodeMirror 6 (static/vendor/codemirror-sparql.min.js, built by
// `make editor`) over the form's textarea, with SPARQL highlighting and completion of
// prefixes, keywords and the ontology's terms (from the page's data-vocab). The form is
// still what runs a query: the page works without this script, and without the bundle
// the textarea keeps Ctrl+Enter.
(function () {
  "use strict";
  var form = document.getElementById("sparql-form");
  var box = document.getElementById("query");
  if (!form || !box) return;
  // CodeMirror writes its theme as <style> elements; the page's policy admits them only
  // with this response's nonce (api/routes/sparql.py), which this script tag carries.
  var nonce = (document.currentScript && document.currentScript.nonce) || "";

  function run() {
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
    return true;
  }

  var CM = window.BudgetKGCodeMirror;
  if (!CM) {
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
    });
    return;
  }

  var vocab = {};
  try { vocab = JSON.parse(form.getAttribute("data-vocab") || "{}"); } catch (e) { vocab = {}; }
  var prefixes = vocab.prefixes || {};
  var terms = vocab.terms || [];
  var KEYWORDS = ["SELECT", "DISTINCT", "WHERE", "FILTER", "OPTIONAL", "UNION", "MINUS", "GRAPH", "VALUES",
    "BIND", "AS", "ORDER BY", "GROUP BY", "HAVING", "LIMIT", "OFFSET", "DESC", "ASC", "ASK", "CONSTRUCT",
    "DESCRIBE", "PREFIX", "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT", "STR", "LANG",
    "CONTAINS", "STRSTARTS", "REGEX", "COALESCE", "IF", "BOUND", "EXISTS", "NOT EXISTS", "IN", "NOT IN"];

  function declared(doc, p) {
    return new RegExp("(^|\\s)PREFIX\\s+" + p + "\\s*:", "i").test(doc);
  }

  // Insert `text` for the word being completed, and the PREFIX line it needs when the
  // query does not declare that prefix yet.
  function insert(prefix, text) {
    return function (view, completion, from, to) {
      var specs = [];
      if (prefix && prefixes[prefix] && !declared(view.state.doc.toString(), prefix)) {
        specs.push({ from: 0, insert: "PREFIX " + prefix + ": <" + prefixes[prefix] + ">\n" });
      }
      specs.push({ from: from, to: to, insert: text });
      var changes = view.state.changes(specs);
      view.dispatch({ changes: changes, selection: { anchor: changes.mapPos(to, 1) }, userEvent: "input.complete" });
    };
  }

  function termOption(t, label) {
    return {
      label: label || t.name, detail: label ? t.name : t.label, info: t.comment || t.label_en || null,
      type: t.kind === "property" ? "property" : "class", apply: insert(t.name.split(":")[0], t.name)
    };
  }

  function complete(ctx) {
    var line = ctx.state.doc.lineAt(ctx.pos);
    var before = line.text.slice(0, ctx.pos - line.from);
    var decl = /\bPREFIX\s+([A-Za-z][\w-]*)?$/i.exec(before);
    if (decl) {  // PREFIX b| → the whole declaration
      var doc = ctx.state.doc.toString();
      return {
        from: ctx.pos - (decl[1] || "").length,
        options: Object.keys(prefixes).filter(function (p) { return !declared(doc, p); }).map(function (p) {
          return { label: p + ":", detail: prefixes[p], type: "namespace", apply: p + ": <" + prefixes[p] + ">" };
        })
      };
    }
    var name = ctx.matchBefore(/[A-Za-z][\w.-]*:[\w-]*/);
    if (name) {  // bkg:Ag| → the terms of that prefix
      var p = name.text.slice(0, name.text.indexOf(":") + 1);
      var found = terms.filter(function (t) { return t.name.indexOf(p) === 0; });
      return found.length ? { from: name.from, options: found.map(function (t) { return termOption(t); }),
        validFor: /^[A-Za-z][\w.-]*:[\w-]*$/ } : null;
    }
    var zh = ctx.matchBefore(/[\u3400-\u9fff]+/);
    if (zh) {  // 预算单位| → bkg:Agency (by its label)
      var byLabel = terms.filter(function (t) { return t.label && t.label.indexOf(zh.text) >= 0; });
      return byLabel.length ? { from: zh.from, options: byLabel.map(function (t) { return termOption(t, t.label); }) } : null;
    }
    var word = ctx.matchBefore(/[A-Za-z_][\w-]*/);
    if (!word && !ctx.explicit) return null;
    var options = Object.keys(prefixes).map(function (p) {
      return { label: p + ":", detail: prefixes[p], type: "namespace", apply: insert(p, p + ":"), boost: -1 };
    });
    options = options.concat(KEYWORDS.map(function (k) { return { label: k, type: "keyword" }; }));
    options = options.concat(terms.map(function (t) { return termOption(t); }));
    return { from: word ? word.from : ctx.pos, options: options, validFor: /^[\w-]*$/ };
  }

  var sparql = CM.StreamLanguage.define(CM.sparqlMode);
  var view = new CM.EditorView({
    doc: box.value,
    extensions: [
      CM.basicSetup,
      sparql,
      sparql.data.of({ autocomplete: complete }),
      CM.Prec.highest(CM.keymap.of([{ key: "Mod-Enter", run: run }])),
      CM.EditorView.lineWrapping,
      CM.EditorView.cspNonce.of(nonce),
      CM.EditorView.contentAttributes.of({ "aria-label": "SPARQL" })
    ]
  });
  box.parentNode.insertBefore(view.dom, box);
  box.classList.add("cm-replaced");  // hidden (editor.css), still the field the form sends
  form.addEventListener("submit", function () { box.value = view.state.doc.toString(); });
})();
