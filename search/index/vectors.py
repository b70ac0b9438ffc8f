"""FAISS: a segment's vector index. A full build is exact below ANN_THRESHOLD chunks and
IVF above it; a delta segment has the main segment's kind of index (an IVF delta shares
the main segment's trained quantizer, so a query probes the same lists in both); a merge
folds the segments' vectors into one index, which is what a full build of the live corpus
gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from search.index.layout import IndexError_

ANN_THRESHOLD = 50_000  # chunks; below it exact search (IndexFlatIP) is fast enough
IVF_TRAIN_SAMPLE = 40  # training vectors per IVF list
FAISS_ADD_BATCH = 65_536  # vectors handed to FAISS at a time


def ideal_nlist(n: int) -> int:
    return max(1, min(int(4 * np.sqrt(n)), n // 39))  # FAISS wants >= 39 training points per list


def keeps_index(n: int, info: dict) -> bool:
    """Whether a full build of `n` vectors on top of an index described by `info` keeps its
    kind (and, for IVF, its trained lists): then the segments can be searched as they are."""
    t = info.get("type")
    if n < ANN_THRESHOLD:
        return t == "IndexFlatIP"
    nlist = ideal_nlist(n)
    return t == "IndexIVFFlat" and nlist / 2 <= info.get("nlist", 0) <= nlist * 2


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
        nlist = ideal_nlist(n)
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


def read_faiss(path: Path, writable: bool = False):
    """Memory-mapped where FAISS supports it for the index type (unless it is to be
    changed); read into memory otherwise."""
    import faiss

    if not writable:
        for flag in (getattr(faiss, "IO_FLAG_MMAP_IFC", None), getattr(faiss, "IO_FLAG_MMAP", None)):
            if flag is None:
                continue
            try:
                return faiss.read_index(str(path), flag)
            except RuntimeError:
                continue
    return faiss.read_index(str(path))


def write_delta_faiss(path: Path, vecs: np.ndarray, main: tuple[Path, dict]) -> None:
    """A delta segment's index: flat beside a flat main segment; beside an IVF one, an IVF
    index over the main segment's quantizer (its vectors land in the lists a full build
    puts them in, and a query probes the same lists in both)."""
    import faiss

    main_path, info = main
    d = vecs.shape[1]
    if info.get("type") == "IndexIVFFlat":
        main_index = read_faiss(main_path)  # kept referenced: the extracted IVF part points into it
        ivf = faiss.extract_index_ivf(main_index)
        quantizer = faiss.clone_index(ivf.quantizer)
        index = faiss.IndexIVFFlat(quantizer, d, ivf.nlist, faiss.METRIC_INNER_PRODUCT)
        if not index.is_trained or quantizer.d != d:
            raise IndexError_(f"{main_path}: its quantizer does not fit {d}-dimensional vectors")
    else:
        index = faiss.IndexFlatIP(d)
    for a in range(0, len(vecs), FAISS_ADD_BATCH):
        index.add(np.ascontiguousarray(vecs[a:a + FAISS_ADD_BATCH], dtype=np.float32))
    faiss.write_index(index, str(path))


def _lists(index):
    """(inverted lists, code size, list count) of an IVF index."""
    import faiss

    ivf = faiss.extract_index_ivf(index)
    return ivf.invlists, ivf.invlists.code_size, ivf.nlist


def _list_entries(inv, cs: int, lst: int) -> tuple[np.ndarray, np.ndarray]:
    import faiss

    sz = inv.list_size(lst)
    if not sz:
        return np.zeros(0, np.int64), np.zeros((0, cs), np.uint8)
    ids = faiss.rev_swig_ptr(inv.get_ids(lst), sz).copy()
    codes = faiss.rev_swig_ptr(inv.get_codes(lst), sz * cs).reshape(sz, cs).copy()
    return ids, codes


def merge_faiss(path: Path, n: int, dims: int, sources: list[tuple[Path | None, np.ndarray]],
                main: tuple[Path, dict], scratch: Path) -> dict:
    """One index over the live vectors of several segments: `sources` are (index file,
    own row → global id or -1) per segment, the main segment first. IVF segments whose
    lists a full build would keep are merged list by list (each list in id order, which is
    what filling the reset index in id order gives); otherwise every live vector goes into
    one matrix, in id order, and the ordinary build runs on it (`write_faiss`, reusing the
    main segment's quantizer where it can)."""
    import faiss

    main_path, info = main
    indexes = [(faiss.read_index(str(p)) if p is not None and p.exists() else None, gmap) for p, gmap in sources]
    for index, gmap in indexes:
        if index is not None and (index.d != dims or index.ntotal != len(gmap)):
            raise IndexError_(f"a segment's vectors do not match its rows ({index.ntotal} vs {len(gmap)})")
    all_ivf = all(index is None or info.get("type") == "IndexIVFFlat" for index, _ in indexes)
    out = indexes[0][0]
    if all_ivf and out is not None and n >= ANN_THRESHOLD and keeps_index(n, info):
        inv, cs, nlist = _lists(out)
        others = [(_lists(ix)[0], gmap) for ix, gmap in indexes[1:] if ix is not None]
        gmain = indexes[0][1]
        for lst in range(nlist):
            ids, codes = _list_entries(inv, cs, lst)
            tgt = gmain[ids]
            parts_i, parts_c = [tgt[tgt >= 0]], [codes[tgt >= 0]]
            for oinv, gmap in others:
                oi, oc = _list_entries(oinv, cs, lst)
                if len(oi):
                    t = gmap[oi]
                    parts_i.append(t[t >= 0])
                    parts_c.append(oc[t >= 0])
            ids2 = np.concatenate(parts_i)
            if len(ids2) == len(ids) and np.array_equal(ids2, ids):
                continue  # nothing in this list moved
            codes2 = np.concatenate(parts_c)
            o = np.argsort(ids2, kind="stable")
            ids2, codes2 = np.ascontiguousarray(ids2[o]), np.ascontiguousarray(codes2[o])
            inv.resize(lst, 0)
            if len(ids2):
                inv.add_entries(lst, len(ids2), faiss.swig_ptr(ids2), faiss.swig_ptr(codes2))
        faiss.extract_index_ivf(out).ntotal = n
        out.ntotal = n
        faiss.write_index(out, str(path))
        return {**info, "vectors": n, "reused_quantizer": True}
    mat = np.memmap(scratch / "merged.f32", dtype=np.float32, mode="w+", shape=(n, dims))
    for index, gmap in indexes:
        if index is None:
            continue
        if _is_ivf(index):
            inv, cs, nlist = _lists(index)
            for lst in range(nlist):
                ids, codes = _list_entries(inv, cs, lst)
                t = gmap[ids]
                keep = t >= 0
                mat[t[keep]] = codes[keep].view(np.float32).reshape(-1, dims)
        else:
            xb = faiss.vector_to_array(index.codes).view(np.float32).reshape(index.ntotal, dims)
            keep = gmap >= 0
            mat[gmap[keep]] = xb[keep]
    mat.flush()
    del indexes, out
    return write_faiss(path, mat, (main_path, info) if main_path is not None else None)


def _is_ivf(index) -> bool:
    import faiss

    try:
        faiss.extract_index_ivf(index)
    except RuntimeError:
        return False
    return True
