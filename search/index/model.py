"""The embedding model of an index: which one a sync uses (the builtin one trained once
and kept while documents come and go, or a named sentence-transformers model), training
the builtin one on a bounded sample, and loading it once per worker process."""

from __future__ import annotations

import hashlib
import heapq
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from search.index.layout import short_hash

TRAIN_CHARS = 3_000_000  # text the builtin model trains on at most (train_builtin's budget)


@dataclass(frozen=True)
class ModelSpec:
    """What a worker needs to load the model (config.json's model entry, path resolved)."""

    name: str
    id: str
    dims: int
    path: str | None

    @classmethod
    def of(cls, idx: Path, info: dict) -> ModelSpec:
        return cls(info["name"], info["id"], int(info["dims"]), str(idx / info["path"]) if info.get("path") else None)


# per process: embedders by (name, path), so a worker loads each model once for all its documents
_embedders: dict[tuple[str, str | None], object] = {}


def embedder(spec: ModelSpec):
    from search.embedder import load_embedder

    key = (spec.name, spec.path)
    emb = _embedders.get(key)
    if emb is None:
        emb = _embedders[key] = load_embedder(spec.name, spec.path)
    return emb


def choose_model(idx: Path, old: dict | None, model_name: str, warnings: list[str]) -> tuple[dict | None, bool]:
    """(config.json's model entry, whether the builtin model must be trained first). The
    builtin model is trained once, on the first build (or a rebuild), and reused when
    documents come and go (unseen words fall back to their characters and bigrams); a
    named model is loaded here, once, and kept for the serial pass that embeds with it."""
    from search.embedder import BUILTIN, EmbedderError, load_embedder

    if model_name == BUILTIN:
        prev = (old or {}).get("model") or {}
        prev_dir = idx / "model" / prev["id"] if prev.get("name") == BUILTIN and prev.get("id") else None
        if prev_dir is not None and prev_dir.is_dir():
            return prev, False
        return None, True
    try:
        emb = load_embedder(model_name)
    except EmbedderError as e:
        warnings.append(f"dense retrieval off: {e}")
        return None, False
    _embedders[(model_name, None)] = emb
    return {"name": model_name, "id": short_hash(model_name), "dims": emb.dims}, False


def train_model(model_root: Path, texts: list[str], dictionary: list[str], stats: dict) -> dict | None:
    from search.embedder import BUILTIN, EmbedderError, load_embedder, train_builtin

    if not any(texts):
        return None
    mid = short_hash("builtin", time.time_ns(), os.getpid())
    tmp = model_root / f".{mid}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    model_root.mkdir(parents=True, exist_ok=True)
    try:
        train_builtin(texts, dictionary, tmp)
    except EmbedderError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        stats["warnings"].append(f"dense retrieval off: {e}")
        return None
    os.replace(tmp, model_root / mid)
    emb = load_embedder(BUILTIN, model_root / mid)
    stats["trained"] = True
    return {"name": BUILTIN, "id": mid, **emb.describe(), "path": f"model/{mid}", "dims": emb.dims}


class TrainingSample:
    """The texts the builtin model trains on: all of them while they fit `budget`
    characters, else those with the smallest content hashes that fit (deterministic, and
    independent of document order and worker count), returned in corpus order. Holds at
    most `budget` characters however large the corpus."""

    def __init__(self, budget: int):
        self.budget = budget
        self.chars = 0
        self._heap: list[tuple[int, int, int, str]] = []

    def add(self, pos: int, texts: list[str]) -> None:
        for j, t in enumerate(texts):
            h = int.from_bytes(hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest(), "big")
            heapq.heappush(self._heap, (-h, -pos, -j, t))  # the root is the first to drop
            self.chars += len(t)
        while self.chars > self.budget and self._heap:
            self.chars -= len(heapq.heappop(self._heap)[3])

    def texts(self) -> list[str]:
        return [x[3] for x in sorted(self._heap, key=lambda x: (-x[1], -x[2]))]
