"""Embeddings kept on disk between runs, keyed by the text's hash and the model's name.

Encoding ten thousand claims takes minutes on a CPU; a benchmark or a store that re-reads the
same texts looks them up here instead. The file is a plain .npz (no pickle): `keys` (sha1 hex of
model name + text) and `vectors`. Writes go through `files.atomic_write_bytes`.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from claimkit.files import atomic_write_bytes


def text_key(model: str, text: str) -> str:
    return hashlib.sha1(f"{model}\x00{text}".encode("utf-8")).hexdigest()


class EmbeddingCache:
    """`get(texts, embed)`: cached rows where known, `embed` for the rest (then saved)."""

    def __init__(self, path: Path | str, model: str, dimension: int) -> None:
        self.path = Path(path)
        self.model = model
        self.dimension = dimension
        self.rows: dict[str, np.ndarray] = {}
        if self.path.is_file():
            with np.load(self.path, allow_pickle=False) as data:
                self.rows = dict(zip(data["keys"].tolist(), data["vectors"]))

    def get(self, texts: Sequence[str], embed: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        keys = [text_key(self.model, t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts) if k not in self.rows}.items())
        if missing:
            vectors = embed([t for _, t in missing])
            self.rows.update({k: v for (k, _), v in zip(missing, vectors)})
            self.save()
        if not keys:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self.rows[k] for k in keys]).astype(np.float32)

    def save(self) -> None:
        # Rows another process saved meanwhile are kept: the file is a union, never a loss.
        if self.path.is_file():
            with np.load(self.path, allow_pickle=False) as data:
                for key, vector in zip(data["keys"].tolist(), data["vectors"]):
                    self.rows.setdefault(key, vector)
        buffer = io.BytesIO()
        keys = np.array(list(self.rows), dtype="U40")
        vectors = np.stack(list(self.rows.values())).astype(np.float32)
        np.savez(buffer, keys=keys, vectors=vectors)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.path, buffer.getvalue())
