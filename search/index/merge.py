"""Merges: the deltas and tombstones folded into a new main segment, which is exactly the
main segment a full build of the live corpus writes (rows, term counts, postings, vocabulary
in first-seen order, vectors and IVF lists), made from the segments' own files: nothing is
chunked, embedded or tokenized again.

A merge runs in its own process (`start_merge`, or `python -m search.index.merge DB`), like
a Lucene/tantivy segment merge: it takes a snapshot of config.json under the writer lock,
folds that snapshot's segments with no lock held (syncs go on adding deltas and tombstones
meanwhile), then, under the writer lock again, switches config.json to the merged segment
plus whatever deltas came after the snapshot; documents removed since the snapshot become
the merged segment's tombstones, and overrides written since still apply to it (they are
newer than every segment it replaced). Searchers move to it on their next look at
config.json. One merge at a time (a flock on index/.merge.lock)."""

from __future__ import annotations

import bisect
import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from search.index import vectors
from search.index.bm25 import Postings
from search.index.cleanup import gc, hold, let_go
from search.index.generations import SegmentWriter, document_words, new_segment_name
from search.index.layout import index_dir, read_config, write_config, writer_lock
from search.index.segments import Layout, read_infos, segment_names, tombstones

MERGE_NICE = 10  # where SCHED_IDLE is not available
_children: list[subprocess.Popen] = []


class _Terms:
    """A segment's term counts (tf/), memory-mapped, with its term ids mapped to a writer's."""

    def __init__(self, folder: Path, trans: np.ndarray):
        tf = folder / "tf"
        self.nnz = np.fromfile(tf / "nnz.i32", dtype=np.int32)
        self.lens = np.fromfile(tf / "lens.i32", dtype=np.int32)
        self.starts = np.zeros(len(self.nnz) + 1, np.int64)
        np.cumsum(self.nnz, out=self.starts[1:])
        total = int(self.starts[-1])
        self.ids = np.memmap(tf / "term_ids.i32", dtype=np.int32, mode="r") if total else np.zeros(0, np.int32)
        self.counts = np.memmap(tf / "term_counts.i32", dtype=np.int32, mode="r") if total else np.zeros(0, np.int32)
        self.trans = trans

    def copy(self, writer: SegmentWriter, a: int, b: int) -> None:
        """BM25 rows a … b-1 into the writer."""
        e0, e1 = int(self.starts[a]), int(self.starts[b])
        writer.add_term_rows(self.trans[np.asarray(self.ids[e0:e1])], np.asarray(self.counts[e0:e1]),
                             self.nnz[a:b], self.lens[a:b])


def fold(idx: Path, cfg: dict, out: Path) -> dict:
    """Write into `out` (a new folder) the main segment of the live corpus `cfg` describes.
    Returns {"rows", "faiss"}."""
    infos = read_infos(idx, cfg)
    layout = Layout(cfg, infos)
    main = cfg["generation"]
    model = cfg.get("model") or {}
    faiss_info = cfg.get("faiss") or {}
    dims = int(model.get("dims") or 0)
    base = Postings(idx / main / "bm25").vocab
    writer = SegmentWriter(out, dims, vocab=base, keep_vectors=False)
    try:
        # rows, one segment at a time, in runs of consecutive rows
        for s, name in enumerate(layout.names):
            runs: list[list[int]] = []
            for _, s2, a, n, g0 in layout.docs:
                if s2 != s or not n:
                    continue
                if runs and runs[-1][0] + runs[-1][1] == a and runs[-1][2] + runs[-1][1] == g0:
                    runs[-1][1] += n
                else:
                    runs.append([a, n, g0])
            if runs:
                writer.add_rows_sql(idx / name / "chunks.sqlite", [tuple(r) for r in runs])
        words: dict[str, list[str]] = {}
        for s, name in enumerate(layout.names):
            shas = [sha for sha, s2, *_ in layout.docs if s2 == s]
            if shas:
                words.update(document_words(idx / name, shas))
        for sha, _, _, n, g0 in layout.docs:
            d = cfg["documents"][sha]
            writer.add_document(sha, d["source_file"], d["graph"], d["chunk_key"], g0, n, words.get(sha, []))

        # term counts in global order, from each chunk's live BM25 row
        terms = []
        for name in layout.names:
            vocab = base if name == main else Postings(idx / name / "bm25").vocab
            trans = np.zeros(len(vocab), np.int32)
            for t, i in vocab.items():
                trans[i] = writer.vocab.setdefault(t, len(writer.vocab))
            terms.append(_Terms(idx / name, trans))
        overridden = sorted(layout.winner)
        run = None  # (segment, first row, end row): consecutive rows of one segment
        for _, s, a, n, g0 in layout.docs:
            lo = bisect.bisect_left(overridden, g0)
            if lo == len(overridden) or overridden[lo] >= g0 + n:
                if run and run[0] == s and run[2] == a:
                    run[2] = a + n
                else:
                    if run:
                        terms[run[0]].copy(writer, run[1], run[2])
                    run = [s, a, a + n]
                continue
            for i in range(n):
                src, row = layout.term_source(g0 + i, s, a + i)
                if run and run[0] == src and run[2] == row:
                    run[2] = row + 1
                else:
                    if run:
                        terms[run[0]].copy(writer, run[1], run[2])
                    run = [src, row, row + 1]
        if run:
            terms[run[0]].copy(writer, run[1], run[2])
        del terms
        writer.advance(layout.n)
        writer.finish()
        info = {"type": None}
        if dims and layout.n:
            info = vectors.merge_faiss(out / "vectors.faiss", layout.n, dims,
                                       [(idx / name / "vectors.faiss", layout.own_gid[s])
                                        for s, name in enumerate(layout.names)],
                                       (idx / main / "vectors.faiss", faiss_info), writer.scratch)
    finally:
        writer.close()
    newest = max(cfg["segments"], key=lambda x: int(x["seq"]))["name"]
    shutil.copyfile(idx / newest / "dictionary.txt", out / "dictionary.txt")
    return {"rows": layout.n, "faiss": info}


def merged_config(idx: Path, snapshot: dict, cur: dict, name: str, result: dict) -> dict:
    """config.json after the merge of `snapshot`'s segments into `name`, given the live `cur`."""
    merged = set(segment_names(snapshot))
    seq = max(int(s["seq"]) for s in snapshot["segments"])
    segments = [{"name": name, "seq": seq, "rows": result["rows"], "overrides": 0}] + \
        [s for s in cur["segments"] if s["name"] not in merged]
    docs = {sha: ({**d, "segment": name} if d["segment"] in merged else d) for sha, d in cur["documents"].items()}
    new = {**cur, "generation": name, "segments": segments, "documents": docs, "faiss": result["faiss"],
           "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    new["tombstones"] = tombstones(new, read_infos(idx, new))
    return new


def fold_now(idx: Path, cfg: dict, clock=None) -> str:
    """Merge every segment of `cfg` (not yet live) into a new main segment and make it live.
    The caller holds the writer lock."""
    name = new_segment_name(idx, "gen", cfg)
    tmp = idx / f".{name}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        result = fold(idx, cfg, tmp)
        os.replace(tmp, idx / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    new = merged_config(idx, cfg, cfg, name, result)
    write_config(idx, new)
    gc(idx, new)
    if clock is not None:
        clock.lap("merge")
    return name


def merge(db) -> dict | None:
    """Fold the live deltas and tombstones into a new main segment (see the module's
    docstring). None when there is nothing to merge, another merge is running, or the index
    was rebuilt meanwhile (the work is then dropped)."""
    idx = index_dir(db)
    idx.mkdir(parents=True, exist_ok=True)
    lock = open(idx / ".merge.lock", "a")  # noqa: SIM115 - held for the whole merge
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return None
        t0 = time.perf_counter()
        held: list[int | None] = []
        with writer_lock(idx):
            snap = read_config(db)
            if snap is None or not snap.get("segments") or (len(snap["segments"]) == 1 and not snap.get("tombstones")):
                return None
            name = new_segment_name(idx, "gen", snap)
            tmp = idx / f".{name}.merge.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir()
            held = [hold(tmp)] + [hold(idx / n) for n in segment_names(snap)]
        try:
            result = fold(idx, snap, tmp)
            with writer_lock(idx):
                cur = read_config(db)
                if cur is None or cur.get("generation") != snap["generation"] or \
                        not set(segment_names(snap)) <= set(segment_names(cur)):
                    return None  # rebuilt or merged meanwhile
                os.replace(tmp, idx / name)
                new = merged_config(idx, snap, cur, name, result)
                write_config(idx, new)
                for fd in held:  # what it read is not live any more: nothing of ours keeps it
                    let_go(fd)
                held = []
                gc(idx, new)
        finally:
            for fd in held:
                let_go(fd)
            shutil.rmtree(tmp, ignore_errors=True)
        return {"generation": name, "merged": segment_names(snap), "chunks": result["rows"],
                "seconds": round(time.perf_counter() - t0, 2)}
    finally:
        lock.close()


def merge_running(db) -> bool:
    path = index_dir(db) / ".merge.lock"
    try:
        f = open(path, "a")  # noqa: SIM115
    except OSError:
        return False
    with f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
    return False


def start_merge(db) -> bool:
    """Start a merge in a background process (unless one is running). True when started."""
    for p in list(_children):  # reap the ones that finished
        if p.poll() is not None:
            _children.remove(p)
    if merge_running(db):
        return False
    idx = index_dir(db)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    with open(idx / "merge.log", "ab") as log:
        _children.append(subprocess.Popen([sys.executable, "-m", "search.index.merge", str(db)], cwd=root, env=env,
                                          stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True))
    return True


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m search.index.merge DB", file=sys.stderr)
        return 2
    # Only the CPU time nothing else wants: searches beside a merge keep their latency (a
    # niced merge still took half a core from them on a busy two-core machine).
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        try:
            os.nice(MERGE_NICE)
        except OSError:
            pass
    print(json.dumps(merge(argv[0]), ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
