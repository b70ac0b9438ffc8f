"""The example queries shown in the SPARQL editor: every ontology/queries/*.rq, read
generically. The leading comment block is the header: its first line is the title, the
rest the description ("title:" / "description:" style keys are accepted too)."""

from __future__ import annotations

import re
from pathlib import Path

_KEY = re.compile(r"^(title|name|description|desc|question|问题|标题|说明)\s*[:：]\s*", re.I)


def queries_dir() -> Path:
    import ontology

    return Path(ontology.__file__).resolve().parent / "queries"


def parse_example(name: str, text: str) -> dict:
    header: list[str] = []
    for line in text.splitlines():
        s = line.strip()
        if not s:
            if header:
                break
            continue
        if not s.startswith("#"):
            break
        header.append(s.lstrip("#").strip())
    title, desc = "", []
    for h in header:
        m = _KEY.match(h)
        key = m.group(1).lower() if m else None
        body = h[m.end():] if m else h
        if key in ("title", "name", "标题") or (key is None and not title):
            title = title or body
        elif body:
            desc.append(body)
    return {"name": name, "title": title or name, "description": " ".join(desc), "query": text.strip() + "\n"}


def load_examples(folder: Path | None = None) -> list[dict]:
    folder = folder or queries_dir()
    if not folder.is_dir():
        return []
    return [parse_example(f.stem, f.read_text(encoding="utf-8")) for f in sorted(folder.glob("*.rq"))]
