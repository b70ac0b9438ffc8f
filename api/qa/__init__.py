"""Question answering over the graph, with text retrieval as the fallback.

    ctx = Context.open(db)                       # api.qa.engine re-exports both
    answer("天门市…局2024年预算收入总额是多少？", ctx)
    → {"question", "answer", "value", "unit", "evidence": [{source_file, page, quote, iri}],
       "sparql", "intent", "entities", "confidence", "interpretation", "source", "candidates"}

Flow: intent (intent.py, from the wording) → entity linking (linking.py, against the
graph's own labels) → the handler for that intent (answerer.py dispatches to handlers/),
which runs a SPARQL template (templates.py) and writes an answer sentence with the figure
and its unit, plus evidence. Facts the graph has no term for are read from the archived
document's tables by row label (sources.py, handlers/table_rows.py); anything else goes to
text retrieval with an extractive answer (handlers/retrieval.py). When nothing supports an
answer the reply says 未找到… and carries no value — never a guess. Before a handler runs,
the names and years the question names must resolve (answerer.preflight): a name several
agencies share gets the candidates, a name no agency has the nearest ones, never another
agency's figure or a sum over everything. Every answer carries a confidence (confidence.py)
and the reading it answers ("江苏省人民检察院 · 2019 · 部门预算 · 本年支出合计").

Modules, each with one job:
  context.py   Context: the store, the lexicon of names, the document archive, the searcher
  question.py  Question: one question's text, intent and links, and the reads handlers share
  result.py    Result and evidence items, and the wordings every answer shares
  answerer.py  answer(question, ctx): preflight, intent → handler, text fallback, confidence
  confidence.py how far to trust an answer (CONFIDENT: stated as the answer)
  handlers/    one module per kind of question: amounts (which measure is asked) → totals,
               lines, projects, table_rows; agency (code, parent, units, subordinates, staff);
               policies; rankings (superlative, compare, sum); analysis (shares and ratios, a
               project's own fields); changes (a change the newer text states); retrieval
               (the text fallback)
  intent.py, linking.py, aliases.py, templates.py, sources.py, text.py: wording, names and
               their everyday forms, SPARQL, archived documents, text helpers
  cli.py       `budgetkg ask`
"""
