"""Planted errors (`generate.py --plant`): one error of a known class in each otherwise clean
document, recorded in its truth ("planted"), so the consistency checks can be measured on what
they are meant to find (recall) and on the clean documents of the same seed (false findings).

Each class is one way real disclosures go wrong:

  sum_row             a 款 row of the expenditure table no longer the sum of its 项 rows
  text_total          the 说明's 本年支出合计 differs from the table's
  three_public_total  the 三公 table's total is not the sum of its parts
  three_public_blank  a part of a 三公 row left blank (the 预算数 row of a 决算)
  share               a stated share (占 P%) the figures do not give
  change_percent      a stated percentage change (增长 P%) the figures do not give (预算)
  completion_rate     完成预算的 P% the figures do not give (决算)
  comparison_word     决算数大于预算数 where the figures say smaller (决算)
  contents_missing    a table the 目录 lists is missing
  placeholder         a template's XX局 left in a heading
  heading_year        a heading printing the wrong year
  total_zero          收入总计 printed as 0
  asset_date          the asset reporting date not the one the kind requires
  doubled_stop        a doubled 句号 (a style warning)
  year_on_year        the 比上年 change implies a previous figure last year's budget does not print
                      (only where the corpus holds that budget)

Without --plant nothing here runs and every byte of the corpus is as before.
"""

from __future__ import annotations

import random
import re
from decimal import Decimal

from data.document import Doc, Table
from kg import vocab as W

COMMON = ("sum_row", "text_total", "three_public_total", "three_public_blank", "share", "contents_missing",
          "placeholder", "heading_year", "total_zero", "asset_date", "doubled_stop")
BY_KIND = {W.BUDGET.code: ("change_percent",), W.FINAL_ACCOUNT.code: ("completion_rate", "comparison_word")}
CLASSES = COMMON + BY_KIND[W.BUDGET.code] + BY_KIND[W.FINAL_ACCOUNT.code] + ("year_on_year",)

_NUM = re.compile(r"\d[\d,]*\.?\d*")


def classes_for(kind: str, has_previous: bool) -> tuple[str, ...]:
    """The classes a document can carry: its kind's, and year_on_year where last year's budget
    is in the corpus."""
    return COMMON + BY_KIND[kind] + (("year_on_year",) if has_previous and kind == W.BUDGET.code else ())


def choose(index: int, kind: str, has_previous: bool) -> list[str]:
    """The classes to try on the index-th document, in turn: every class comes round, and a
    document that cannot carry one (no such sentence) gets the next."""
    options = classes_for(kind, has_previous)
    k = index % len(options)
    return list(options[k:] + options[:k])


def _bump(cell: str, delta: Decimal) -> str:
    """A printed amount moved by `delta` (in its printed unit), printed the same way."""
    v = Decimal(cell.replace(",", "") or "0") + delta
    return f"{v:,.2f}" if "," in cell or (not cell and False) else f"{v:.2f}"


def _paragraphs(doc: Doc, pattern: str) -> list[int]:
    return [i for i, (k, t) in enumerate(doc.blocks) if k == "p" and re.search(pattern, t)]


def _tables(doc: Doc, role: str) -> list[tuple[int, Table]]:
    return [(i, t) for i, (k, t) in enumerate(doc.blocks) if k == "table" and getattr(t, "role", "") == role]


def _sub_number(text: str, m: re.Match, new: str) -> str:
    return text[:m.start(1)] + new + text[m.end(1):]


def _delta(unit: str, r: random.Random) -> Decimal:
    """A difference far beyond rounding: a few 万元, in the document's printed unit."""
    wan = Decimal(r.choice([3, 5, 8, 12]))
    return wan if unit == W.WAN_YUAN else wan * W.YUAN_PER_WAN


def plant(doc: Doc, cls: str, kind: str, year: int, r: random.Random, previous: dict | None = None) -> dict | None:
    """Plant one error of class `cls` into `doc` (its blocks, before rendering); returns what
    was planted for the truth, or None when the document has nothing to plant it in."""
    final = kind == W.FINAL_ACCOUNT.code
    b = doc.blocks
    if cls == "sum_row":
        for _, t in _tables(doc, "functional"):
            w = t.code_width or 1
            rows = [k for k, row in enumerate(t.rows) if len("".join(row[:w]).strip()) == 5]
            if rows:
                k = r.choice(rows)
                row = t.rows[k]
                d = _delta(t.unit, r)
                for c in range(w + 1, w + 3):  # 合计 and 基本支出
                    row[c] = _bump(row[c], d)
                return {"class": cls, "what": f"款级科目 {''.join(row[:w]).strip()} 的合计与{W.BASIC.label}各多 {d}{t.unit}",
                        "where": t.title}
        return None
    if cls == "text_total":
        for i in _paragraphs(doc, rf"{W.EXPENDITURE.label}\s*(\d[\d,]*\.?\d*)"):
            m = re.search(rf"{W.EXPENDITURE.label}\s*(\d[\d,]*\.?\d*)", b[i][1])
            new = _bump(m.group(1), _delta(W.WAN_YUAN if W.WAN_YUAN in b[i][1][m.end():m.end() + 3] else W.YUAN, r))
            b[i] = ("p", _sub_number(b[i][1], m, new))
            return {"class": cls, "what": f"说明中的{W.EXPENDITURE.label}印为 {new}（表中 {m.group(1)}）", "where": "p"}
        return None
    if cls in ("three_public_total", "three_public_blank"):
        for _, t in _tables(doc, "three_public"):
            if len(t.rows) > 1 and len(t.rows[0]) == 2:  # one item per line: 合计 first
                rows = t.rows
                if cls == "three_public_total":
                    rows[0][1] = _bump(rows[0][1], _delta(t.unit, r))
                    return {"class": cls, "what": f"{W.THREE_PUBLIC.label}合计印为 {rows[0][1]}", "where": t.title}
                parts = [k for k in range(1, len(rows)) if rows[k][1].strip() and Decimal(rows[k][1].replace(",", "")) > 0
                         and not rows[k][0].startswith("其中") and W.VEHICLE_OPERATION.label not in rows[k][0]]
                if not parts:
                    return None
                k = r.choice(parts)
                rows[k][1] = ""
                return {"class": cls, "what": f"{W.THREE_PUBLIC.label}表中 {rows[k][0]} 留空", "where": t.title}
            row = t.rows[0]  # a 决算's 预算数 row, or the budget's only row
            start = 1 if final else 0
            if cls == "three_public_total":
                row[start] = _bump(row[start], _delta(t.unit, r))
                return {"class": cls, "what": f"{W.THREE_PUBLIC.label}合计印为 {row[start]}", "where": t.title}
            # the parts: 出国, (用车小计, 购置, 运行), 接待 — blank one that is not zero, never the 小计 alone
            cols = [start + 1, start + 5]
            cols = [c for c in cols if row[c].strip() and Decimal(row[c].replace(",", "")) > 0]
            if not cols:
                return None
            c = r.choice(cols)
            row[c] = ""
            return {"class": cls, "what": f"{W.THREE_PUBLIC.label}表{W.BUDGET.column if final else ''}行第 {c + 1} 列留空", "where": t.title}
        return None
    if cls in ("share", "change_percent", "completion_rate"):
        pat = {"share": rf"{W.SHARE_WORD}\s*(\d+\.\d+)%", "change_percent": r"(?:增长|下降)(\d+\.\d+)%",
               "completion_rate": r"完成(?:年初)?预算的\s*(\d+\.\d+)%"}[cls]
        hits = _paragraphs(doc, pat)
        if not hits:
            return None
        i = r.choice(hits)
        m = re.search(pat, b[i][1])
        v = Decimal(m.group(1))
        new = f"{v + 7 if v < 90 else v - 7:.2f}"
        b[i] = ("p", _sub_number(b[i][1], m, new))
        return {"class": cls, "what": f"{m.group(0)} 改为 {new}%", "where": "p"}
    if cls == "comparison_word":
        word = f"{W.FINAL_ACCOUNT.column}{W.LESS_WORDS[0]}{W.BUDGET.column}"
        for i in _paragraphs(doc, word):
            # only where the figures really differ: "大于" of two equal figures would contradict nothing new
            amounts = [Decimal(x.replace(",", "")) for x in re.findall(r"为\s*([\d,]+\.?\d*)", b[i][1])[:2]]
            if len(amounts) < 2 or amounts[1] >= amounts[0]:
                continue
            b[i] = ("p", b[i][1].replace(word, f"{W.FINAL_ACCOUNT.column}{W.GREATER_WORDS[0]}{W.BUDGET.column}", 1))
            return {"class": cls, "what": f"“{word}”改为“大于”", "where": "p"}
        return None
    if cls == "contents_missing":
        gone = _tables(doc, "gov_fund")
        if not gone:
            return None
        ti, t = gone[0]
        part3 = next((i for i, (k, x) in enumerate(b) if k == "h1" and x.startswith("第三部分")), None)
        contents_end = next((i for i, (k, x) in enumerate(b) if k == "p" and x.startswith("第三部分")), None)
        if part3 is None or contents_end is None:
            return None
        names = [x for k, x in b[part3 + 1:] if k == "h2"]
        head = ti - 1 if b[ti - 1][0] == "h2" else ti
        removed = b[head][1]
        del b[head:ti + 1]
        for n, name in enumerate(names):
            b.insert(contents_end + 1 + n, ("p", name))
        doc.tags = {}  # block indexes moved: the layout families' tags no longer apply
        return {"class": cls, "what": f"目录列出“{removed}”，表已删去", "where": removed}
    if cls == "placeholder":
        for i, (k, x) in enumerate(b):
            if k == "h2" and re.match(r"二、", x):
                b[i] = (k, re.sub(r"^二、", "二、XX局", x))
                return {"class": cls, "what": f"标题“{b[i][1]}”留有模板占位符", "where": b[i][1]}
        return None
    if cls == "heading_year":
        for i, (k, x) in enumerate(b):
            if k == "h1" and x.startswith("第三部分") and str(year) in x:
                b[i] = (k, x.replace(str(year), str(year - 1), 1))
                return {"class": cls, "what": f"标题“{b[i][1]}”年度印错", "where": b[i][1]}
        return None
    if cls == "total_zero":
        for _, t in _tables(doc, "summary"):
            last = t.rows[-1]
            if last[1].strip():
                was, last[1] = last[1], "0.00"
                return {"class": cls, "what": f"{W.GRAND_INCOME.label}印为 0.00（应为 {was}）", "where": t.title}
        return None
    if cls == "asset_date":
        pat = r"截至\s*(\d{4})\s*年\s*12\s*月\s*31\s*日"
        for i in _paragraphs(doc, pat + r"，本单位共有"):
            m = re.search(pat, b[i][1])
            new = b[i][1][:m.start()] + (f"截至 {year} 年 6 月 30 日" if final else f"截至 {year} 年 12 月 31 日") + \
                b[i][1][m.end():]
            b[i] = ("p", new)
            return {"class": cls, "what": "资产统计日期印错", "where": "p"}
        return None
    if cls == "doubled_stop":
        hits = [i for i in _paragraphs(doc, W.FULL_STOP + ".") if not b[i][1].startswith("第")]
        if not hits:
            return None
        i = hits[len(hits) // 2]
        k = b[i][1].index(W.FULL_STOP)
        b[i] = ("p", b[i][1][:k + 1] + W.FULL_STOP + b[i][1][k + 1:])
        return {"class": cls, "what": "句号重复", "where": "p"}
    if cls == "year_on_year":
        pat = rf"{W.EXPENDITURE.label}\s*([\d,]+\.?\d*)\s*(?:{W.WAN_YUAN}|{W.YUAN})，比上年(增加|减少)\s*([\d,]+\.?\d*)\s*(?:{W.WAN_YUAN}|{W.YUAN})，(增长|下降)(\d+\.\d+)%"
        for i in _paragraphs(doc, pat):
            m = re.search(pat, b[i][1])
            now = Decimal(m.group(1).replace(",", ""))
            step = Decimal(r.choice([2, 3, 4])) * (1 if W.WAN_YUAN in m.group(0) else W.YUAN_PER_WAN)
            sign = 1 if m.group(2) == "增加" else -1
            delta = Decimal(m.group(3).replace(",", "")) + step
            before = now - sign * delta
            if before <= 0:
                return None
            pct = f"{(delta * 100 / before).quantize(Decimal('0.01'))}"
            fmt = f"{delta:,.2f}" if "," in m.group(3) else f"{delta:.2f}"
            text = b[i][1]
            text = text[:m.start(5)] + pct + text[m.end(5):]
            text = text[:m.start(3)] + fmt + text[m.end(3):]
            b[i] = ("p", text)
            return {"class": cls, "what": f"比上年{m.group(2)}改为 {fmt}（{pct}%），与上年预算不符", "where": "p"}
        return None
    raise ValueError(f"unknown planted error class {cls!r}")
