// The pieces of CodeMirror 6 the /sparql page uses, bundled into one file
// (api/static/vendor/codemirror-sparql.min.js) and published as window.BudgetKGCodeMirror.
// The page's own logic stays readable in api/static/editor.js, outside the bundle.
import { basicSetup } from "codemirror";
import { EditorView, keymap } from "@codemirror/view";
import { Prec } from "@codemirror/state";
import { StreamLanguage } from "@codemirror/language";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";

window.BudgetKGCodeMirror = { basicSetup, EditorView, keymap, Prec, StreamLanguage, sparqlMode: sparql };
