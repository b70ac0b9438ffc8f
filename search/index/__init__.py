"""The search index under db/index: kept in line with the store, incrementally.

Layout (the directory describes itself, txtai-style):

    db/index/config.json          what is live: generation, model, dims, dictionary hash,
                                  tokenizer settings, FAISS type, documents (sha256, chunks)
    db/index/gen-<n>/             one complete, immutable generation:
        chunks.sqlite             chunk text + metadata (filters, hits)
        bm25/                     bm25s index (memory-mapped when loaded)
        vectors.faiss             FAISS index (IndexFlatIP; IVF above a size threshold)
        dictionary.txt            the jieba user dictionary queries are cut with
        tf/                       BM25 term counts per chunk (int32 files), the base of the
                                  next generation
    db/index/model/<id>/          the builtin sentence-transformers model (when used)
    db/index/cache/               per-document chunks, BM25 terms and vectors

Per-document work (chunking, embedding, tokenizing) is cached by document sha256 and a
key of everything it depends on, so adding or removing one disclosure embeds only that
disclosure; the next generation is built from the previous one: unchanged documents'
rows, term counts and vectors are copied from it, so a sync costs about one pass over
the generation's binary files, not a read of every cached document (see
`generations.incremental_plan` for when that is valid; otherwise every document comes
from the caches, a "full" pass, with the same result). A new generation is written into a
temporary folder, renamed into place, and only then does config.json (written atomically)
point at it: a crash at any moment leaves the previous generation live and usable.

The build streams, so memory does not grow with the corpus: worker processes do the
per-document work and the parent appends each document's rows, vectors and term counts to
the new generation as they arrive (in document order, so the index is the same whatever
the number of workers); BM25 and FAISS are then built from memory-mapped files.

The modules, one job each: `layout` (the folder, config.json, the writer lock, `status`,
`is_current`), `build` (`sync`: one generation from the store), `tasks` (per-document
work in the workers, through the caches), `model` (which embedding model, training the
builtin one), `generations` (writing a generation, taking one as the base of the next),
`dictionary` (which documents a dictionary change touches), `bm25` and `vectors` (the
BM25 and FAISS files), `cleanup` (removing what nothing uses, the readers' locks).
"""

from search.index.build import sync
from search.index.cleanup import hold, let_go, tidy
from search.index.layout import RRF_K, IndexError_, index_dir, is_current, read_config, status
from search.index.vectors import ANN_THRESHOLD

__all__ = ["ANN_THRESHOLD", "RRF_K", "IndexError_", "hold", "index_dir", "is_current", "let_go", "read_config",
           "status", "sync", "tidy"]
