"""Consistency checks: places where a disclosure contradicts itself, or another disclosure.

One module per family, each with one job:

  precision     the precision every figure was printed with (the rounding a rule tolerates)
  arithmetic    sums with the document's printed precision (kg.checks.arithmetic lists the rules)
  structure     the structure each document states: third parts of the year's expenditure
                (单位预留机动经费 …), the 三公 subtotal of three parts only (three_public_parts)
  narrative     every figure, change, percentage and comparison word of the 说明 text against
                its own arithmetic and the tables (and the previous year's disclosure, see versions)
  completeness  tables the 目录 lists but the document lacks, one agency/year/kind throughout,
                template placeholders, the asset reporting date, a doubled 句号 (a warning)
  versions      across disclosures in the store: two versions of one disclosure with different
                figures, a 部门预算 against its head unit's 单位预算, a 决算 against its year's 预算,
                the narrative's year-on-year claims against last year's disclosure
  graph         findings as bkg:Finding nodes; report reads them back for `budgetkg check`

`check_document` runs at extraction time on one document and returns the findings kg.rdf.build
stores in the disclosure's graph; `findings_from_store` reads them back and adds the findings
across disclosures, which depend on what else is stored and so are derived when asked for.
Every finding carries its rule, severity (error: a contradiction beyond rounding; warning:
style), expected and found values, the tolerance it allowed and every page involved.
"""

from __future__ import annotations

from kg.checks.report import FINDINGS_QUERY, findings_from_store
from kg.checks.run import check_document, check_facts

__all__ = ["FINDINGS_QUERY", "check_document", "check_facts", "findings_from_store"]
