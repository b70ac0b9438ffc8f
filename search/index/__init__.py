"""The search index under db/index: kept in line with the store by small writes.

Layout (the directory describes itself, txtai-style):

    db/index/config.json          what is live: the segments (main first, then deltas, each
                                  with a sequence number), every live document with the
                                  segment that holds it, tombstones, model, dims, tokenizer
                                  settings and dictionary hash, FAISS type, BM25 parameters
    db/index/gen-<n>/             the main segment (written by a full build or a merge)
    db/index/delta-<n>/           a delta segment (written by a sync): the same files, for
                                  the documents added since, plus override rows
        chunks.sqlite             chunk text + metadata + normalized index text (filters,
                                  hits, dictionary checks); documents; overrides
        bm25/                     postings: rows and term counts per term (memory-mapped)
        tf/                       term counts per row (what a merge copies)
        vectors.faiss             FAISS index of the segment's rows (flat; IVF above a size
                                  threshold, deltas sharing the main segment's quantizer)
        dictionary.txt            the jieba user dictionary as of the segment
    db/index/model/<id>/          the builtin sentence-transformers model (when used)
    db/index/cache/               per-document chunks, BM25 terms and vectors

A sync writes only what changed: added documents go into a small delta segment (chunked,
embedded and tokenized through the per-document caches), removed ones become tombstones,
and chunks that a dictionary change cuts differently get override rows (found through the
stored normalized text, never by reading documents again). Searches run over every
segment with BM25 statistics of the live rows and merge on global ids, so they return what
one index of the same corpus returns (`segments`). Merges fold the deltas into a new main
segment in a background process (`merge`); a new segment is written to a temporary folder
and renamed into place, and only then does config.json (written atomically) name it: a
crash at any moment leaves the previous state live and usable.

The modules, one job each: `layout` (the folder, config.json, the writer lock, `status`,
`is_current`), `build` (`sync`: a full build or a delta), `tasks` (per-document work in
the workers, through the caches), `model` (which model, training the builtin one),
`generations` (writing a segment folder, reading what one holds), `segments` (the live
set: global ids, tombstones, which BM25 row holds a chunk's counts), `merge` (folding
segments into a main one, in the background), `dictionary` (which chunks a dictionary
change touches), `bm25` (postings and query-time scores) and `vectors` (FAISS), `cleanup`
(removing what nothing uses, the readers' locks).
"""

from search.index.build import sync
from search.index.cleanup import hold, let_go, tidy
from search.index.layout import RRF_K, IndexError_, index_dir, is_current, read_config, status
from search.index.vectors import ANN_THRESHOLD

__all__ = ["ANN_THRESHOLD", "RRF_K", "IndexError_", "hold", "index_dir", "is_current", "let_go", "read_config",
           "status", "sync", "tidy"]
