"""FAISS: a generation's vector index, exact below ANN_THRESHOLD chunks and IVF above it,
built from scratch or from the previous generation's index (lists rewritten in place)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from search.index.generations import GenerationWriter
from search.index.layout import IndexError_

ANN_THRESHOLD = 50_000  # chunks; below it exact search (IndexFlatIP) is fast enough
IVF_TRAIN_SAMPLE = 40  # training vectors per IVF list
FAISS_ADD_BATCH = 65_536  # vectors handed to FAISS at a time


def write_faiss(path: Path, mat: np.ndarray, previous: tuple[Path, dict] | None = None) -> dict:
    """IndexFlatIP below ANN_THRESHOLD; above it IndexIVFFlat, whose coarse quantizer is
    trained once on a fixed sample and reused by later generations while the model and
    the corpus size stay in range (adding a disclosure then costs an `add`, not a k-means)."""
    import faiss

    n, d = mat.shape
    if n < ANN_THRESHOLD:
        index = faiss.IndexFlatIP(d)
        info = {"type": "IndexFlatIP", "metric": "inner_product", "vectors": n}
    else:
        nlist = max(1, min(int(4 * np.sqrt(n)), n // 39))  # FAISS wants >= 39 training points per list
        index = None
        if previous is not None:
            prev_path, prev_info = previous
            # keep the old lists while the ideal list count is within a factor of two
            if prev_info.get("type") == "IndexIVFFlat" and prev_path.exists() and \
                    nlist / 2 <= prev_info.get("nlist", 0) <= nlist * 2:
                try:
                    index = faiss.read_index(str(prev_path))
                except RuntimeError:
                    index = None
                if index is not None and index.d == d:
                    index.reset()  # drops the vectors, keeps the trained centroids
                    nlist = prev_info["nlist"]
                    info = {**prev_info, "vectors": n, "reused_quantizer": True}
                else:
                    index = None
        if index is None:
            quantizer = faiss.IndexFlatIP(d)
            index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
            rng = np.random.default_rng(0)  # deterministic training sample
            sample = np.ascontiguousarray(mat[rng.choice(n, size=min(n, nlist * IVF_TRAIN_SAMPLE), replace=False)])
            index.train(sample)
            info = {"type": "IndexIVFFlat", "metric": "inner_product", "vectors": n, "nlist": nlist,
                    "nprobe": max(8, nlist // 16), "trained_on": len(sample)}
    for a in range(0, n, FAISS_ADD_BATCH):  # `mat` may be memory-mapped: add it a slice at a time
        index.add(np.ascontiguousarray(mat[a:a + FAISS_ADD_BATCH], dtype=np.float32))
    faiss.write_index(index, str(path))
    return info


def write_faiss_incremental(path: Path, writer: GenerationWriter, previous: tuple[Path, dict]) -> dict:
    """The FAISS index of a generation built on the previous one: its vectors are taken
    from the previous index (removed documents' dropped, the others renumbered), the new
    documents' added. An IVF index whose list count is still in range keeps its lists:
    each is rewritten in id order, which is what filling the reset index with the whole
    corpus gives (`write_faiss`), without adding a million vectors again."""
    import faiss

    n, d = writer.n, writer.dims
    prev_path, prev_info = previous
    old = faiss.read_index(str(prev_path))
    if old.d != d or old.ntotal != len(writer.old_map):
        raise IndexError_(f"{prev_path}: {old.ntotal} vectors of {old.d} dims, expected {len(writer.old_map)} of {d}")
    if writer.new_vectors:
        new_ids = np.concatenate([np.arange(a, a + len(v), dtype=np.int64) for a, v in writer.new_vectors])
        new_vecs = np.ascontiguousarray(np.concatenate([v for _, v in writer.new_vectors]), dtype=np.float32)
    else:
        new_ids, new_vecs = np.zeros(0, np.int64), np.zeros((0, d), np.float32)
    omap = writer.old_map
    nlist = max(1, min(int(4 * np.sqrt(n)), n // 39))
    is_ivf = prev_info.get("type") == "IndexIVFFlat"
    if is_ivf and n >= ANN_THRESHOLD and nlist / 2 <= prev_info.get("nlist", 0) <= nlist * 2:
        ivf = faiss.extract_index_ivf(old)
        inv, cs = ivf.invlists, ivf.invlists.code_size
        assign = ivf.quantizer.search(new_vecs, 1)[1].ravel() if len(new_vecs) else np.zeros(0, np.int64)
        order = np.argsort(assign, kind="stable")
        bounds = np.searchsorted(assign[order], np.arange(ivf.nlist + 1))
        new_codes = new_vecs.view(np.uint8).reshape(len(new_vecs), cs)
        for lst in range(ivf.nlist):
            sel = order[bounds[lst]:bounds[lst + 1]]
            sz = inv.list_size(lst)
            ids = faiss.rev_swig_ptr(inv.get_ids(lst), sz).copy() if sz else np.zeros(0, np.int64)
            tgt = omap[ids]
            if not len(sel) and np.array_equal(tgt, ids):
                continue  # nothing in this list moved
            keep = tgt >= 0
            codes = faiss.rev_swig_ptr(inv.get_codes(lst), sz * cs).reshape(sz, cs) if sz else np.zeros((0, cs), np.uint8)
            ids2 = np.concatenate([tgt[keep], new_ids[sel]])
            codes2 = np.concatenate([codes[keep], new_codes[sel]])
            o = np.argsort(ids2, kind="stable")
            ids2, codes2 = np.ascontiguousarray(ids2[o]), np.ascontiguousarray(codes2[o])
            inv.resize(lst, 0)
            if len(ids2):
                inv.add_entries(lst, len(ids2), faiss.swig_ptr(ids2), faiss.swig_ptr(codes2))
        ivf.ntotal = n
        old.ntotal = n
        faiss.write_index(old, str(path))
        return {**prev_info, "vectors": n, "reused_quantizer": True}
    # otherwise every vector into one matrix, and the ordinary build from it
    mat = np.memmap(writer.scratch / "vectors.f32", dtype=np.float32, mode="w+", shape=(n, d))
    if is_ivf:
        ivf = faiss.extract_index_ivf(old)
        inv, cs = ivf.invlists, ivf.invlists.code_size
        for lst in range(ivf.nlist):
            sz = inv.list_size(lst)
            if sz:
                ids = faiss.rev_swig_ptr(inv.get_ids(lst), sz)
                tgt = omap[ids]
                keep = tgt >= 0
                mat[tgt[keep]] = faiss.rev_swig_ptr(inv.get_codes(lst), sz * cs).view(np.float32).reshape(sz, d)[keep]
    else:
        xb = faiss.vector_to_array(old.codes).view(np.float32).reshape(old.ntotal, d)
        keep = omap >= 0
        mat[omap[keep]] = xb[keep]
    if len(new_ids):
        mat[new_ids] = new_vecs
    mat.flush()
    del old
    return write_faiss(path, mat, previous)
