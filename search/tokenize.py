"""Text normalization and tokenization, shared by documents and queries.

The same function must run over both sides or nothing matches, so everything that
changes how text looks (full-width digits, 【2016】 vs 〔2016〕, spaces a PDF export put
between "5" and "万元") is folded here, once.

Terms emitted for BM25:
  * jieba words, cut with a user dictionary built from the graph (agency, project and
    classification names, policy numbers) so multi-word names stay whole terms;
  * policy numbers (财社〔2016〕101号) as single terms — jieba splits on 〔, so they are
    cut out by a pattern before jieba sees the text;
  * character bigrams of every CJK run, so a short or partial query ("公车", "刷脸")
    still matches text that jieba segmented differently.

Each `Tokenizer` owns a private `jieba.Tokenizer`: two databases open in one process
(tests, the API) never see each other's dictionary.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable

TOKENIZER_VERSION = 5  # bump when the emitted terms change: cached tokens are keyed on it

_CJK = "\u4e00-\u9fff\u3400-\u4dbf"
_YEAR_BRACKETS = re.compile(r"[\[【(〔]\s*((?:19|20)\d{2})\s*[\]】)〕]")
# Whitespace a text export leaves between a CJK character and a digit or another CJK
# character ("2024 年", "5 万元", "101 号") carries no meaning.
_CJK_GAP = re.compile(rf"(?<=[{_CJK}〔〕\d%])[ \t\u3000]+(?=[{_CJK}〔〕])|(?<=[{_CJK}〔〕])[ \t\u3000]+(?=[\d%])")
POLICY_NUMBER = re.compile(rf"(?P<issuer>[{_CJK}]{{0,12}})(?P<core>〔(?:19|20)\d{{2}}〕\d{{1,5}}号)")
MAX_ISSUER = 6
# jieba's own block pattern (jieba.re_han_default): it segments these runs, and yields
# everything else one character at a time.
_JIEBA_BLOCK = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+")
_JIEBA_BLOCK_SPLIT = re.compile(r"([\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+)")
_CJK_RUN = re.compile(rf"[{_CJK}]+")
_WORD_CHARS = re.compile(rf"[{_CJK}A-Za-z0-9]")
# Function words and question words: they carry no topic, and in a question
# ("怎么…", "有几…") they would only add noise to BM25 and the dense average.
STOPWORDS = frozenset(
    "的 了 和 与 及 或 等 是 在 对 为 将 把 被 由 从 以 于 之 其 而 也 都 就 并 向 按 "
    "怎么 怎样 如何 什么 哪些 哪个 哪里 多少 几 吗 呢 吧 啊 有没有 是否 请问 一下 我们 我 你 他 她 它".split()
)
# Question phrases are cut out before bigrams are taken, or "怎么办理" would yield "么办".
_STOP_PHRASES = re.compile("|".join(sorted((w for w in STOPWORDS if len(w) > 1), key=len, reverse=True)))
_BIGRAM_STOP = frozenset("的了和与及或等是在对为".replace("", " ").split())

_log_lock = threading.Lock()
_base_jieba = None


def normalize(text: str) -> str:
    """NFKC, year brackets folded to 〔YYYY〕, spurious spaces beside CJK removed."""
    t = unicodedata.normalize("NFKC", text or "")
    t = _YEAR_BRACKETS.sub(r"〔\1〕", t)
    t = _CJK_GAP.sub("", t)
    return t


def _base():
    """One initialized jieba dictionary per process; tokenizers copy its tables instead
    of re-reading the dictionary (a second each)."""
    global _base_jieba
    with _log_lock:
        if _base_jieba is None:
            import jieba

            jieba.setLogLevel(logging.ERROR)
            logging.getLogger("jieba").setLevel(logging.ERROR)
            tk = jieba.Tokenizer()
            tk.initialize()
            _base_jieba = tk
    return _base_jieba


def dictionary_hash(words: Iterable[str]) -> str:
    h = hashlib.sha256()
    for w in sorted(set(words)):
        h.update(w.encode("utf-8") + b"\n")
    return h.hexdigest()[:16]


class _Segmenter:
    """A private jieba dictionary (the base one plus the graph's names) with a cache of
    cut blocks: table rows, section paths and titles repeat the same phrases thousands of
    times, and jieba cuts each block (a run of word characters) independently anyway."""

    MAX_CACHE = 400_000

    def __init__(self, words: list[str], hmm: bool):
        import jieba

        base = _base()
        jt = jieba.Tokenizer()
        jt.FREQ = dict(base.FREQ)
        jt.total = base.total
        jt.initialized = True
        special: list[str] = []
        for w in words:
            if _JIEBA_BLOCK.fullmatch(w):
                # Frequent enough to beat any split jieba's own dictionary prefers. `total`
                # stays as it was: then a word changes the cut only where it occurs, which
                # is what lets the index re-tokenize just the documents a new name touches.
                jt.FREQ[w] = max(jt.FREQ.get(w) or 0, 1000)
                for i in range(1, len(w)):
                    jt.FREQ.setdefault(w[:i], 0)
            elif _WORD_CHARS.search(w):
                special.append(w)  # contains 〔 ( ·… : jieba would split it, match it ourselves
        self.jieba = jt
        self.hmm = hmm
        pats = [POLICY_NUMBER.pattern] + [re.escape(w) for w in sorted(special, key=len, reverse=True)
                                          if not POLICY_NUMBER.search(w)]
        self.protected = re.compile("|".join(pats))
        self._blocks: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def cut(self, s: str) -> list[str]:
        out: list[str] = []
        for i, part in enumerate(_JIEBA_BLOCK_SPLIT.split(s)):
            if not part:
                continue
            if i % 2:  # a block jieba segments
                words = self._blocks.get(part)
                if words is None:
                    words = [w.lower() for w in self.jieba.cut(part, HMM=self.hmm)
                             if w.lower() not in STOPWORDS and _WORD_CHARS.search(w)]
                    with self._lock:
                        if len(self._blocks) >= self.MAX_CACHE:
                            self._blocks.clear()
                        self._blocks[part] = words
                out.extend(words)
            else:  # what jieba yields one character at a time; keep the word characters
                out.extend(ch.lower() for ch in part if _WORD_CHARS.match(ch) and ch not in STOPWORDS)
        return out


_segmenters: dict[tuple, _Segmenter] = {}


def _segmenter(words: list[str], hmm: bool) -> _Segmenter:
    key = (dictionary_hash(words), hmm)
    with _log_lock:
        seg = _segmenters.get(key)
    if seg is None:
        seg = _Segmenter(words, hmm)
        with _log_lock:
            if len(_segmenters) >= 4:
                _segmenters.pop(next(iter(_segmenters)))
            _segmenters[key] = seg
    return seg


class Tokenizer:
    """normalize → protected terms (policy numbers, dictionary names jieba cannot hold)
    → jieba words → CJK bigrams."""

    def __init__(self, dictionary: Iterable[str] = (), bigrams: bool = True, hmm: bool = True):
        self.words = sorted({normalize(w).strip() for w in dictionary if w and len(normalize(w).strip()) >= 2})
        self.bigrams = bigrams
        self.hmm = hmm
        self._seg = _segmenter(self.words, hmm)
        self._protected = self._seg.protected
        self.dictionary_hash = dictionary_hash(self.words)

    def settings(self) -> dict:
        return {"version": TOKENIZER_VERSION, "jieba_hmm": self.hmm, "bigrams": self.bigrams,
                "normalization": "NFKC; 【】[]()（） around years -> 〔〕; spaces beside CJK removed",
                "dictionary_words": len(self.words), "dictionary_hash": self.dictionary_hash}

    def words_of(self, text: str, normalized: bool = False) -> list[str]:
        """Words only (no bigrams), stopwords and punctuation dropped, ASCII lowercased."""
        t = text if normalized else normalize(text)
        out: list[str] = []
        pos = 0
        for m in self._protected.finditer(t):
            if m.group("core"):
                out.extend(self._cut(t[pos:m.start("core")]))  # the issuer's words too
                out.extend(policy_variants(m.group("issuer"), m.group("core")))
            else:
                out.extend(self._cut(t[pos:m.start()]))
                out.append(m.group(0))
            pos = m.end()
        out.extend(self._cut(t[pos:]))
        return out

    def _cut(self, s: str) -> list[str]:
        return self._seg.cut(s) if s else []

    def terms(self, text: str) -> list[str]:
        """What BM25 indexes and queries with: words plus CJK character bigrams."""
        t = normalize(text)
        out = self.words_of(t, normalized=True)
        if self.bigrams:
            out.extend(char_bigrams(_STOP_PHRASES.sub(" ", t)))
        return out


_cache: dict[tuple, Tokenizer] = {}


def get_tokenizer(dictionary: Iterable[str] = (), bigrams: bool = True) -> Tokenizer:
    """A shared Tokenizer for this dictionary (they are immutable once built, and building
    one copies jieba's tables); a few recent ones are kept."""
    words = tuple(sorted(set(dictionary)))
    key = (dictionary_hash(words), bigrams)
    with _log_lock:
        tk = _cache.get(key)
    if tk is None:
        tk = Tokenizer(words, bigrams=bigrams)
        with _log_lock:
            if len(_cache) >= 8:
                _cache.pop(next(iter(_cache)))
            _cache[key] = tk
    return tk


def char_bigrams(normalized_text: str) -> list[str]:
    out = []
    for run in _CJK_RUN.findall(normalized_text):
        for i in range(len(run) - 1):
            bg = run[i:i + 2]
            if "的" in bg or (bg[0] in _BIGRAM_STOP and bg[1] in _BIGRAM_STOP):
                continue  # "开的", "的时": particles glued to a neighbour are not a term
            out.append(bg)
    return out


def policy_variants(issuer: str, core: str) -> list[str]:
    """Where the issuer code of a policy number starts cannot be told from the text
    ("依据财社〔2016〕101号": 财社? 据财社?), so emit the number with every plausible issuer
    length and bare; a query for 财社〔2016〕101号 then meets the document's 财社 variant."""
    out = [core]
    for n in range(2, min(MAX_ISSUER, len(issuer)) + 1):
        out.append(issuer[-n:] + core)
    return out


def exact_terms(query: str) -> list[str]:
    """Identifiers in a query that must rank their chunks first: policy numbers (as the
    issuer-qualified variants `policy_variants` indexes) and classification codes
    (208 / 20805 / 2080501; economic 301 / 30101; 505…)."""
    t = normalize(query)
    found = []
    for m in POLICY_NUMBER.finditer(t):
        found.extend(policy_variants(m.group("issuer"), m.group("core"))[1:] or [m.group("core")])
    found += re.findall(r"(?<![\d.])[235](?:\d{2}|\d{4}|\d{6})(?![\d.万元亿%人个辆台次年月日号])", t)
    return found
