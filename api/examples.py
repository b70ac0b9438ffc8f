"""The example queries shown in the SPARQL editor: every ontology/queries/*.rq, read
generically. The leading comment block is the header: `key: value` lines (title-zh, title,
title-en, description, …; the Chinese title first, since the UI is Chinese) or, without
keys, the first line as title and the rest as description."""

from __future__ import annotations

import re
from pathlib import Path

_KEY = re.compile(r"^([A-Za-z][\w-]{0,30}|标题|说明|问题)\s*[:：]\s*")
TITLE_KEYS = ("title-zh", "title_zh", "标题", "title", "name", "title-en", "title_en")
DESC_KEYS = ("description-zh", "description", "desc", "说明", "question", "问题", "description-en")


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
    keyed: dict[str, str] = {}
    loose: list[str] = []
    for h in header:
        m = _KEY.match(h)
        key = m.group(1).lower() if m else None
        if key in TITLE_KEYS or key in DESC_KEYS:
            keyed.setdefault(key, h[m.end():].strip())
        elif h:
            loose.append(h)
    title = next((keyed[k] for k in TITLE_KEYS if k in keyed), None) or (loose.pop(0) if loose else "")
    desc = [keyed[k] for k in DESC_KEYS if k in keyed] + loose
    return {"name": name, "title": title or name, "description": " ".join(desc), "query": text.strip() + "\n"}


def load_examples(folder: Path | None = None) -> list[dict]:
    folder = folder or queries_dir()
    if not folder.is_dir():
        return []
    return [parse_example(f.stem, f.read_text(encoding="utf-8")) for f in sorted(folder.glob("*.rq"))]
