"""Sentence embeddings: a small base class and a factory (txtai-style).

`embedding_model = "builtin"` (the default) is a static embedding model the project
learns from its own corpus, offline and deterministic:

  1. every chunk is cut into units by the search tokenizer (jieba words with the graph's
     names as a user dictionary) plus each word's character bigrams and characters, so a
     word never seen in training still lands near the words that share its characters;
  2. unit-unit co-occurrence counts within a window of words (1/distance weighted);
  3. positive PMI with context-distribution smoothing, then a truncated SVD
     (scipy ARPACK, fixed start vector, signs fixed) → one vector per unit;
  4. rows are L2-normalized, scaled by a SIF weight a/(a+p(unit)) so frequent units count
     less, and the corpus's common direction is projected out.

The result is saved as a genuine sentence-transformers model — a `StaticEmbedding` over a
`tokenizers` WordLevel vocabulary with a WhitespaceSplit pre-tokenizer, plus `Normalize` —
under db/index/model, and `SentenceTransformer(path)` loads it offline. Inputs are
pre-tokenized (units joined by spaces) by `BuiltinEmbedder.pretokenize`. Because the
StaticEmbedding forward pass is only "mean of rows, then normalize", the index encodes
with the same arithmetic in numpy (`encode`), which keeps torch out of query-time imports;
a test checks both paths give the same vectors.

Any other value is a local path or a hub name loaded with `SentenceTransformer(name)`
(local files only: nothing is downloaded at run time).
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections import Counter
from pathlib import Path

import numpy as np

from search.tokenize import Tokenizer, get_tokenizer, normalize

BUILTIN = "builtin"
PRETOKENIZER_FILE = "budgetkg_pretokenizer.json"
UNK = "[UNK]"
_CJK = re.compile(r"^[\u4e00-\u9fff\u3400-\u4dbf]+$")


class Embedder(ABC):
    name: str
    dims: int

    @abstractmethod
    def encode(self, texts: list[str]) -> np.ndarray:
        """float32 array (len(texts), dims), rows L2-normalized (zero rows stay zero)."""

    def describe(self) -> dict:
        return {"model": self.name, "dims": self.dims}


def units(tokenizer: Tokenizer, text: str) -> list[list[str]]:
    """Per word position: the word and its sub-units (bigrams, characters)."""
    out = []
    for w in tokenizer.words_of(normalize(text), normalized=True):
        u = [w]
        if len(w) >= 2 and _CJK.match(w):
            if len(w) > 2:
                u.extend(w[i:i + 2] for i in range(len(w) - 1))
            u.extend(w)
        out.append(u)
    return out


def l2_normalize(m: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(m, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return (m / n).astype(np.float32)


class BuiltinEmbedder(Embedder):
    """The corpus-trained static model, read from its saved sentence-transformers folder."""

    def __init__(self, path: str | Path):
        from safetensors.numpy import load_file

        self.path = Path(path)
        cfg = json.loads((self.path / PRETOKENIZER_FILE).read_text(encoding="utf-8"))
        self.config = cfg
        self.tokenizer = get_tokenizer(cfg["dictionary"], bigrams=False)
        tok = json.loads((self.path / cfg["module_dir"] / "tokenizer.json").read_text(encoding="utf-8"))
        self.vocab: dict[str, int] = tok["model"]["vocab"]
        weights = load_file(str(self.path / cfg["module_dir"] / "model.safetensors"))
        self.weights = np.asarray(weights["embedding.weight"], dtype=np.float32)
        self.dims = int(self.weights.shape[1])
        self.name = BUILTIN

    def pretokenize(self, text: str) -> str:
        """The model's input: known units joined by single spaces."""
        return " ".join(x for group in units(self.tokenizer, text) for x in group if x in self.vocab)

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        for i, t in enumerate(texts):
            ids = [self.vocab[x] for group in units(self.tokenizer, t) for x in group if x in self.vocab]
            if ids:
                out[i] = self.weights[ids].mean(axis=0)
        return l2_normalize(out)

    def describe(self) -> dict:
        return {"model": BUILTIN, "dims": self.dims, "path": str(self.path), "vocab": len(self.vocab),
                "training": self.config.get("training", {})}


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model on disk (or already in the local hub cache)."""

    def __init__(self, name: str):
        from sentence_transformers import SentenceTransformer

        try:
            self.model = SentenceTransformer(name, device="cpu", local_files_only=True)
        except Exception as e:  # noqa: BLE001 - one clear line instead of a hub traceback
            raise EmbedderError(f"cannot load embedding model {name!r} offline: {type(e).__name__}: {e}") from e
        self.name = name
        dim = getattr(self.model, "get_sentence_embedding_dimension", None)
        self.dims = int(dim() if dim else self.model.encode(["x"]).shape[1])

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        v = self.model.encode(texts, batch_size=32, convert_to_numpy=True, normalize_embeddings=True,
                              show_progress_bar=False)
        return np.ascontiguousarray(v, dtype=np.float32)


class EmbedderError(Exception):
    pass


def load_embedder(model: str, builtin_path: str | Path | None = None) -> Embedder:
    """Factory: the builtin model from its folder, anything else through sentence-transformers."""
    if model == BUILTIN:
        if builtin_path is None or not (Path(builtin_path) / PRETOKENIZER_FILE).exists():
            raise EmbedderError(f"the builtin model is missing at {builtin_path} (run `budgetkg index --rebuild`)")
        return BuiltinEmbedder(builtin_path)
    return SentenceTransformerEmbedder(model)


# --- training the builtin model ---------------------------------------------------------

def train_builtin(texts: list[str], dictionary: list[str], out_dir: str | Path, dims: int = 128,
                  window: int = 5, min_count: int = 2, max_vocab: int = 60000, sif_a: float = 1e-3,
                  max_train_chars: int = 3_000_000) -> BuiltinEmbedder:
    """Learn unit vectors from `texts` and save them as a sentence-transformers model in
    `out_dir` (which must not exist yet; the caller renames it into place)."""
    import scipy.sparse as sp
    from scipy.sparse.linalg import svds

    tok = get_tokenizer(dictionary, bigrams=False)
    texts = _training_sample(texts, max_train_chars)
    docs = [units(tok, t) for t in texts]
    counts: Counter[str] = Counter(x for d in docs for group in d for x in group)
    vocab_list = sorted((u for u, c in counts.items() if c >= min_count), key=lambda u: (-counts[u], u))[:max_vocab]
    if len(vocab_list) < 8:
        raise EmbedderError("too little text to train the builtin embedding model")
    index = {u: i for i, u in enumerate(vocab_list)}
    n = len(vocab_list)

    # Rows: every unit (word, bigram, character); columns: the whole words around it.
    # Sub-units learn from the words that contain them, which is what places an unseen
    # word near known ones at query time.
    co = sp.csr_matrix((n, n), dtype=np.float64)
    batch_r: list[np.ndarray] = []
    batch_c: list[np.ndarray] = []
    batch_v: list[np.ndarray] = []
    pending = 0
    for di, d in enumerate(docs):
        word_id = np.array([index.get(group[0], -1) for group in d], dtype=np.int64)
        pos = np.array([p for p, group in enumerate(d) for x in group if x in index], dtype=np.int64)
        uid = np.array([index[x] for group in d for x in group if x in index], dtype=np.int64)
        for dist in range(1, window + 1):
            for sign in (1, -1):
                q = pos + sign * dist
                ok = (q >= 0) & (q < len(d))
                ctx = word_id[q[ok]]
                good = ctx >= 0
                batch_r.append(uid[ok][good])
                batch_c.append(ctx[good])
                batch_v.append(np.full(int(good.sum()), 1.0 / dist))
                pending += int(good.sum())
        if pending > 5_000_000 or di == len(docs) - 1:
            if batch_r:
                co = co + sp.csr_matrix((np.concatenate(batch_v), (np.concatenate(batch_r), np.concatenate(batch_c))),
                                        shape=(n, n))
            batch_r, batch_c, batch_v, pending = [], [], [], 0
    if co.nnz == 0:
        raise EmbedderError("no co-occurrences to train the builtin embedding model")

    # PPMI with context smoothing (alpha 0.75), Levy & Goldberg 2015.
    total = co.sum()
    row_sum = np.asarray(co.sum(axis=1)).ravel()
    ctx = np.asarray(co.sum(axis=0)).ravel() ** 0.75
    ctx = ctx / ctx.sum()
    coo = co.tocoo()
    pmi = np.log((coo.data / total) / ((row_sum[coo.row] / total) * ctx[coo.col]))
    keep = pmi > 0
    ppmi = sp.csr_matrix((pmi[keep].astype(np.float64), (coo.row[keep], coo.col[keep])), shape=(n, n))

    k = max(2, min(dims, n - 2))
    if n <= 400:  # tiny vocabularies: ARPACK needs k well below n; a dense SVD is exact
        u, s, _vt = np.linalg.svd(ppmi.toarray(), full_matrices=False)
        u, s = u[:, :k], s[:k]
    else:
        v0 = np.full(n, 1.0 / np.sqrt(n))  # fixed start vector: the same corpus gives the same model
        u, s, _vt = svds(ppmi, k=k, v0=v0, solver="arpack")
    order = np.argsort(-s)
    u, s = u[:, order], s[order]
    signs = np.sign(u[np.abs(u).argmax(axis=0), np.arange(u.shape[1])])
    signs[signs == 0] = 1
    vecs = l2_normalize(u * np.sqrt(s) * signs)

    freq = np.array([counts[x] for x in vocab_list], dtype=np.float64)
    p = freq / freq.sum()
    vecs = vecs * (sif_a / (sif_a + p))[:, None].astype(np.float32)
    # Common direction (SIF): projecting it out of every row removes it from every mean.
    pc = np.linalg.eigh((vecs.T @ vecs).astype(np.float64))[1][:, -1].astype(np.float32)
    vecs = (vecs - np.outer(vecs @ pc, pc)).astype(np.float32)

    weights = np.vstack([np.zeros((1, vecs.shape[1]), dtype=np.float32), vecs])  # row 0: [UNK]
    vocab = {UNK: 0, **{u_: i + 1 for i, u_ in enumerate(vocab_list)}}
    training = {"method": "PPMI + truncated SVD (static, SIF-weighted)", "texts": len(texts), "vocab": n,
                "dims": int(weights.shape[1]), "window": window, "min_count": min_count, "sif_a": sif_a}
    save_static_model(out_dir, vocab, weights, tok.words, training)
    return BuiltinEmbedder(out_dir)


def _training_sample(texts: list[str], budget: int) -> list[str]:
    """Every text when they fit the budget, else an evenly spaced (deterministic) subset:
    co-occurrence statistics saturate long before a large corpus is exhausted."""
    total = sum(len(t) for t in texts)
    if total <= budget:
        return texts
    step = total / budget
    return [t for i, t in enumerate(texts) if int(i / step) != int((i - 1) / step) or i == 0]


def _st_module_types() -> tuple[str, str]:
    """The class paths sentence-transformers records in modules.json, by its major
    version, read from the installed metadata (importing the package would import torch)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        major = int(version("sentence-transformers").split(".")[0])
    except (PackageNotFoundError, ValueError):
        major = 6
    if major >= 6:
        return ("sentence_transformers.sentence_transformer.modules.static_embedding.StaticEmbedding",
                "sentence_transformers.base.modules.normalize.Normalize")
    return "sentence_transformers.models.StaticEmbedding", "sentence_transformers.models.Normalize"


def save_static_model(out_dir: str | Path, vocab: dict[str, int], weights: np.ndarray, dictionary: list[str],
                      training: dict) -> None:
    """Write a sentence-transformers model: StaticEmbedding(WordLevel tokenizer) + Normalize.

    The files are written directly (tokenizer.json, model.safetensors, modules.json, …), in
    the layout SentenceTransformer.save() produces, so building an index never imports torch
    — that import alone cost more than reading and extracting a batch of PDFs. A test loads
    the result with SentenceTransformer(path) and compares its vectors with ours."""
    from safetensors.numpy import save_file
    from tokenizers import Tokenizer as HFTokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import WhitespaceSplit

    out = Path(out_dir)
    (out / "1_Normalize").mkdir(parents=True, exist_ok=True)
    hf = HFTokenizer(WordLevel(vocab=vocab, unk_token=UNK))
    hf.pre_tokenizer = WhitespaceSplit()
    hf.save(str(out / "tokenizer.json"))
    save_file({"embedding.weight": np.ascontiguousarray(weights, dtype=np.float32)}, str(out / "model.safetensors"))
    static_type, normalize_type = _st_module_types()
    (out / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": static_type},
        {"idx": 1, "name": "1", "path": "1_Normalize", "type": normalize_type}], indent=2))
    (out / "1_Normalize" / "config.json").write_text(json.dumps(
        {"module_input_name": "sentence_embedding", "module_output_name": "sentence_embedding"}, indent=4))
    (out / "config_sentence_transformers.json").write_text(json.dumps(
        {"model_type": "SentenceTransformer", "prompts": {"document": "", "query": ""},
         "default_prompt_name": None, "similarity_fn_name": "cosine"}, indent=2))
    (out / "README.md").write_text(
        "# budgetkg builtin static embedding\n\nA sentence-transformers StaticEmbedding trained by budgetkg on "
        "its own corpus (PPMI + truncated SVD); inputs are pre-tokenized (see budgetkg_pretokenizer.json).\n",
        encoding="utf-8")
    (out / PRETOKENIZER_FILE).write_text(json.dumps(
        {"module_dir": _static_module_dir(out), "dictionary": dictionary, "training": training,
         "note": "inputs are pre-tokenized: BuiltinEmbedder.pretokenize(text) joins the known units with spaces"},
        ensure_ascii=False, indent=1), encoding="utf-8")


def _static_module_dir(root: Path) -> str:
    modules = json.loads((root / "modules.json").read_text())
    for m in modules:
        if m["type"].endswith("StaticEmbedding"):
            return m["path"] or "."
    raise EmbedderError(f"no StaticEmbedding module in {root}")
