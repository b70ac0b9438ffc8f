"""What nothing uses any more goes: old segments and models once no reader holds them,
cache entries of documents, models and dictionaries that are not live.

A Searcher reads its segments' folders and its model's folder for as long as it is open:
the embedder is loaded on the first dense query, and a rebuild beside a running service
must not take them away under it. Each open Searcher holds a shared flock on those
folders (as a running merge does on the segments it reads and on the folder it writes);
a folder is removed only by whoever gets an exclusive lock on it, so the last reader to
let go of an old segment (or the next sync) removes it. flock belongs to the open file,
so this works between processes and between Searchers of one process, and a killed
reader's locks go with it."""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

from search.index.layout import IndexError_, index_dir, read_config


def gc(idx: Path, cfg: dict) -> None:
    """Drop generations, models and cache entries nothing live refers to (the caller holds
    the writer lock). A generation or model an open Searcher still reads is kept until it
    is given back (see `hold`)."""
    drop_unused(idx, cfg)
    for pattern in (".gen-*.tmp", ".delta-*.tmp"):
        for p in idx.glob(pattern):
            _remove_if_unread(p)  # a running merge holds the folder it writes
    model = cfg.get("model") or {}
    docs = cfg["documents"]
    # A document's BM25 terms cut with an older dictionary stay: they are still its terms
    # unless a changed word occurs in it (dictionary.reuse_terms decides, with that
    # dictionary's file), and a dictionary change must not cost a sweep of every document's.
    dicts = {f"dict-{cfg['tokenizer']['dictionary_hash']}.txt"}
    dict_files = []
    for p in (idx / "cache").iterdir():
        name = p.name
        parts = name.split(".")
        if name.startswith("dict-"):
            dict_files.append(p)
            continue
        sha = parts[0]
        if name.startswith(".") or sha not in docs or len(parts) < 3 or parts[1] != docs[sha]["chunk_key"]:
            p.unlink(missing_ok=True)
        elif name.endswith(".npy") and parts[2] != model.get("id"):
            p.unlink(missing_ok=True)
        elif name.endswith(".terms.json"):
            dicts.add(f"dict-{parts[-3]}.txt")
    for p in dict_files:
        if p.name not in dicts:
            p.unlink(missing_ok=True)


def hold(path: Path) -> int | None:
    """A shared lock on a generation or model folder (a descriptor for `let_go`), or None
    when the folder is not there (any more)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while a remover is deleting it
        a, b = os.fstat(fd), os.stat(path)
        if (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino):
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def let_go(fd: int | None) -> None:
    if fd is not None:
        try:
            os.close(fd)  # closing the last descriptor of the open file releases the flock
        except OSError:
            pass


def _remove_if_unread(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # a reader holds it
        shutil.rmtree(path, ignore_errors=True)
        return True
    finally:
        os.close(fd)


def drop_unused(idx: Path, cfg: dict) -> None:
    """Remove the segments and models `cfg` (the live config) does not use and no reader
    holds. Only under the writer lock: a sync in progress has folders that are not live yet."""
    live = {s["name"] for s in cfg.get("segments") or []} | {cfg.get("generation")}
    for pattern in ("gen-*", "delta-*"):
        for p in idx.glob(pattern):
            if p.name not in live:
                _remove_if_unread(p)
    model_id = (cfg.get("model") or {}).get("id")
    if (idx / "model").is_dir():
        for p in (idx / "model").iterdir():
            if p.name != model_id and not p.name.startswith("."):
                _remove_if_unread(p)
            elif p.name.startswith(".") and p.name.endswith(".tmp"):
                shutil.rmtree(p, ignore_errors=True)


def tidy(db) -> None:
    """What a reader calls after letting go of an old generation: removes what nothing
    uses any more, unless a sync is running (it will) or the index is not writable."""
    idx = index_dir(db)
    try:
        f = open(idx / ".lock", "a")
    except OSError:
        return
    with f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return
        try:
            cfg = read_config(db)
            if cfg is not None:
                drop_unused(idx, cfg)
        except (IndexError_, OSError):
            pass
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
