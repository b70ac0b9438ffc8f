"""The live index as a set of segments: which rows of which segment are live, where each
live chunk stands in the order a full build would give it, and which BM25 row holds each
live chunk's term counts.

config.json lists the segments (`segments`: the main generation first, then deltas, each
with a sequence number `seq`) and every live document with the segment that holds it
(`documents[sha]["segment"]`, in full-build order: by source file, then sha256). A
segment's rows of a document that is not live there any more (removed, replaced, or
re-added elsewhere) are its tombstones (`tombstones` in config.json lists them per segment).

Global ids: the i-th live chunk of the full-build order has id i, exactly the id a full
build of the same corpus gives it. Every ranking sorts ties by it, and FAISS keeps the
lower id of two equal scores, so a set of segments ranks exactly as one index does.

BM25 rows: a segment's own rows, then its overrides: new term counts for chunks an older
segment holds, written when a dictionary change altered how those chunks are cut. The
newest override of a chunk (from a segment newer than the chunk's own) wins; the chunk's
own row and older overrides are then dead for BM25 (their rows, vectors and text stay)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from search.index.generations import SegmentInfo
from search.index.layout import IndexError_


def segment_names(cfg: dict) -> list[str]:
    return [s["name"] for s in cfg.get("segments", [])]


def read_infos(idx: Path, cfg: dict, known: dict[str, SegmentInfo] | None = None) -> dict[str, SegmentInfo]:
    """SegmentInfo of every segment config.json lists (those in `known` are reused)."""
    out = {}
    for name in segment_names(cfg):
        info = (known or {}).get(name)
        out[name] = info if info is not None else SegmentInfo.read(idx / name)
    return out


class Layout:
    """Global ids and BM25 rows of the live chunks (see the module's docstring).

    own_gid[s][row]   global id of segment s's own row, -1 when it is a tombstone
    bm25_gid[s][row]  global id whose term counts BM25 row `row` of s holds, -1 when dead
    docs              (sha, segment index, first own row, chunk count, first global id), live
                      documents in full-build order"""

    def __init__(self, cfg: dict, infos: dict[str, SegmentInfo]):
        self.names = segment_names(cfg)
        self.seq = [int(s["seq"]) for s in cfg["segments"]]
        pos = {name: i for i, name in enumerate(self.names)}
        self.infos = [infos[n] for n in self.names]
        self.own_gid = [np.full(info.n, -1, np.int64) for info in self.infos]
        self.docs: list[tuple[str, int, int, int, int]] = []
        first_gid: dict[str, int] = {}
        g = 0
        for sha, d in cfg["documents"].items():
            s = pos.get(d.get("segment"))
            if s is None:
                raise IndexError_(f"document {sha[:12]} is in no segment of the index")
            at = self.infos[s].docs.get(sha)
            n = int(d["chunks"])
            if at is None or at[1] != n:
                raise IndexError_(f"segment {self.names[s]} does not hold document {sha[:12]} as config.json says")
            self.own_gid[s][at[0]:at[0] + n] = np.arange(g, g + n)
            self.docs.append((sha, s, at[0], n, g))
            first_gid[sha] = g
            g += n
        self.n = g
        self.bm25_gid = [np.concatenate([o, np.full(len(info.override_sha), -1, np.int64)])
                         for o, info in zip(self.own_gid, self.infos, strict=True)]
        # the BM25 row that holds each overridden chunk's counts now, newest segment last
        self.winner: dict[int, tuple[int, int]] = {}
        home = {sha: (s, a) for sha, s, a, _, _ in self.docs}
        for s in sorted(range(len(self.infos)), key=lambda i: self.seq[i]):
            info = self.infos[s]
            for j, (sha, p) in enumerate(zip(info.override_sha, info.override_pos, strict=True)):
                h = home.get(sha)
                if h is None or self.seq[s] <= self.seq[h[0]]:
                    continue  # a removed document, or one re-added since (cut with a newer dictionary)
                gid = first_gid[sha] + p
                prev = self.winner.get(gid, (h[0], h[1] + p))
                self.bm25_gid[prev[0]][prev[1]] = -1
                self.bm25_gid[s][info.n + j] = gid
                self.winner[gid] = (s, info.n + j)
        starts = [(g0, s, a) for _, s, a, n, g0 in self.docs if n]
        self.doc_gid = np.array([x[0] for x in starts], np.int64)
        self.doc_seg = np.array([x[1] for x in starts], np.int64)
        self.doc_first = np.array([x[2] for x in starts], np.int64)

    def locate(self, gids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(segment index, own row) of each global id."""
        gids = np.asarray(gids, np.int64)
        i = np.searchsorted(self.doc_gid, gids, side="right") - 1
        return self.doc_seg[i], self.doc_first[i] + (gids - self.doc_gid[i])

    def term_source(self, gid: int, s: int, row: int) -> tuple[int, int]:
        """The (segment, BM25 row) holding chunk `gid`'s term counts (own row (s, row) unless overridden)."""
        return self.winner.get(gid, (s, row))


def tombstones(cfg: dict, infos: dict[str, SegmentInfo]) -> dict[str, list[str]]:
    """Per segment, the documents its rows hold that are not live there."""
    out = {}
    for name in segment_names(cfg):
        dead = sorted(sha for sha in infos[name].docs if (cfg["documents"].get(sha) or {}).get("segment") != name)
        if dead:
            out[name] = dead
    return out
