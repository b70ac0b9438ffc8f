"""Per-document work, run in worker processes: chunking, embedding and cutting BM25
terms, each through a cache keyed by the document's sha256 and everything the result
depends on, so a sync redoes only what changed."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from search.chunking import CHUNKER_VERSION, Chunk, DocMeta, Lexicon, chunk_document
from search.index.bm25 import term_counts
from search.index.dictionary import reuse_terms
from search.index.layout import atomic_json, load_json, short_hash
from search.index.model import ModelSpec, embedder
from search.tokenize import TOKENIZER_VERSION, get_tokenizer, normalize


@dataclass(frozen=True)
class SyncContext:
    """What every task of one sync shares."""

    db: str
    cache: str
    rebuild: bool  # nothing is taken from the caches
    dict_file: str  # the dictionary queries are cut with, for workers that have no tokenizer yet
    dict_hash: str
    rechunk: bool | None = None  # None: as `rebuild`; False once a first pass has chunked every document

    @property
    def chunk_again(self) -> bool:
        return self.rebuild if self.rechunk is None else self.rechunk


@dataclass(frozen=True)
class DocTask:
    sha: str
    source_file: str
    meta: DocMeta
    labels: list[tuple[str, str]]  # the entity labels (label, IRI) of the document's graph


@dataclass
class ChunkResult:
    key: str
    chunked: int  # 1 when the chunks were made now, 0 when they came from the cache
    warning: str | None
    texts: list[str]  # the chunks' index texts, for the training sample


@dataclass
class IndexResult:
    """One document's rows, vectors and BM25 term counts (only `key`, the counters and
    `warning` when it could not be chunked)."""

    key: str
    chunked: int
    sha: str = ""
    embedded: int = 0
    retokenized: int = 0
    warning: str | None = None
    n: int = 0
    source_file: str = ""
    rows: list[tuple] | None = None  # chunks.sqlite's columns after id
    vectors: np.ndarray | None = None  # (n, dims) float32; None without a model
    terms: tuple[list[str], np.ndarray, np.ndarray, np.ndarray] | None = None  # see bm25.term_counts


def chunk_key(meta: DocMeta, lexicon_fingerprint: str) -> str:
    return short_hash(CHUNKER_VERSION, meta.fingerprint(), lexicon_fingerprint)


# per process: tokenizers by dictionary hash (the parent's is inherited by forked workers),
# and each dictionary's words, by hash, for `reuse_terms`
_tokenizers: dict[str, object] = {}
_dict_words: dict[str, set[str]] = {}


def keep_tokenizer(tok) -> None:
    _tokenizers[tok.dictionary_hash] = tok


def _tokenizer(ctx: SyncContext):
    tok = _tokenizers.get(ctx.dict_hash)
    if tok is None:
        words = Path(ctx.dict_file).read_text(encoding="utf-8").split("\n")
        tok = _tokenizers[ctx.dict_hash] = get_tokenizer([w for w in words if w])
    return tok


def _doc_chunks(ctx: SyncContext, t: DocTask) -> tuple[str, list[Chunk] | None, bool, str | None]:
    """(cache key, chunks, whether they were made now, warning) for one document."""
    from kg.archive import DocumentArchive

    lex = Lexicon(t.labels)
    key = chunk_key(t.meta, lex.fingerprint())
    path = Path(ctx.cache) / f"{t.sha}.{key}.chunks.json"
    chunks = None if ctx.chunk_again else _load_chunks(path)
    if chunks is not None:
        return key, chunks, False, None
    try:
        doc = DocumentArchive(ctx.db).get(t.sha)
    except (OSError, ValueError) as e:
        return key, None, False, f"{t.source_file}: document model unavailable ({type(e).__name__}); not indexed"
    chunks = chunk_document(doc, t.meta, lex)
    atomic_json(path, [c.to_dict() for c in chunks])
    return key, chunks, True, None


def chunk_task(job: tuple[SyncContext, DocTask]) -> ChunkResult:
    ctx, t = job
    key, chunks, made, warning = _doc_chunks(ctx, t)
    return ChunkResult(key, int(made), warning, [c.index_text() for c in chunks] if chunks is not None else [])


def index_task(job: tuple[SyncContext, ModelSpec | None, DocTask]) -> IndexResult:
    """One document's rows, vectors and BM25 term counts, through the caches."""
    ctx, spec, t = job
    rebuild = ctx.rebuild
    cache = Path(ctx.cache)
    sha = t.sha
    key, chunks, made, warning = _doc_chunks(ctx, t)
    out = IndexResult(key, int(made), sha, warning=warning)
    if chunks is None:
        return out
    texts = [c.index_text() for c in chunks]
    out.n = len(chunks)
    out.source_file = chunks[0].source_file if chunks else t.source_file
    # `norm`, the normalized index text, is what a dictionary change is checked against and
    # re-tokenized from, so that neither needs the document again
    out.rows = [(c.chunk_id, c.sha256, c.source_file, c.page, c.section, c.text, c.block, c.agency, c.year,
                 c.kind, c.title, json.dumps(c.entities, ensure_ascii=False), normalize(c.agency), normalize(x))
                for c, x in zip(chunks, texts, strict=True)]
    if spec is not None:
        path = cache / f"{sha}.{key}.{spec.id}.npy"
        v = None if rebuild else _load_npy(path, len(texts), spec.dims)
        if v is None:
            v = embedder(spec).encode(texts) if texts else np.zeros((0, spec.dims), np.float32)
            _save_npy(path, v)
            out.embedded = 1
        out.vectors = np.ascontiguousarray(v, dtype=np.float32)

    # BM25 terms: a new dictionary word changes the cut only where it occurs, so cached
    # terms are reused for documents that contain no changed word.
    tok = _tokenizer(ctx)
    dict_hash = ctx.dict_hash
    path = cache / f"{sha}.{key}.t{TOKENIZER_VERSION}.{dict_hash}.terms.json"
    terms = None if rebuild else load_json(path)
    if terms is None and not rebuild:
        _dict_words.setdefault(dict_hash, set(tok.words))
        terms = reuse_terms(cache, sha, key, _dict_words[dict_hash], _dict_words, texts)
        if terms is not None:
            atomic_json(path, terms)
    if terms is None or len(terms) != len(texts):
        terms = [" ".join(tok.terms(x)) for x in texts]  # terms never contain spaces
        atomic_json(path, terms)
        out.retokenized = 1
    out.terms = term_counts(terms)
    return out


def _load_chunks(path: Path) -> list[Chunk] | None:
    d = load_json(path)
    if d is None:
        return None
    try:
        return [Chunk.from_dict(x) for x in d]
    except TypeError:
        return None


def _load_npy(path: Path, n: int, dims: int) -> np.ndarray | None:
    try:
        v = np.load(path)
    except (OSError, ValueError):
        return None
    return v if v.shape == (n, dims) else None


def _save_npy(path: Path, v: np.ndarray) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.npy")
    np.save(tmp, v)
    os.replace(tmp, path)
