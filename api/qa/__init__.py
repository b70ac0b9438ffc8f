"""Question answering over the graph, with text retrieval as the fallback.

    ctx = Context.open(db)                       # api.qa.engine re-exports both
    answer("天门市…局2024年预算收入总额是多少？", ctx)
    → {"question", "answer", "value", "unit", "evidence": [{source_file, page, quote, iri}],
       "sparql", "intent", "entities"}

Flow: intent (intent.py, from the wording) → entity linking (linking.py, against the
graph's own labels) → the handler for that intent (answerer.py dispatches to handlers/),
which runs a SPARQL template (templates.py) and writes an answer sentence with the figure
and its unit, plus evidence. Facts the graph has no term for are read from the archived
document's tables by row label (sources.py, handlers/table_rows.py); anything else goes to
text retrieval with an extractive answer (handlers/retrieval.py). When nothing supports an
answer the reply says 未找到… and carries no value — never a guess.

Modules, each with one job:
  context.py   Context: the store, the lexicon of names, the document archive, the searcher
  question.py  Question: one question's text, intent and links, and the reads handlers share
  result.py    Result and evidence items, and the wordings every answer shares
  answerer.py  answer(question, ctx): intent → handler, text fallback, errors
  handlers/    one module per kind of question: amounts (which measure is asked) → totals,
               lines, projects, table_rows; agency (code, parent, units, staff); policies;
               rankings (superlative, compare, sum); retrieval (the text fallback)
  intent.py, linking.py, templates.py, sources.py, text.py: wording, names, SPARQL,
               archived documents, text helpers
  cli.py       `budgetkg ask`
"""
