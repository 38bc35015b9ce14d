"""Classify recommendations with the cue lexicons and a model trained on reviewed labels.

Every label a reviewer confirms or corrects becomes a training example; once there are enough
of two labels or more, later classification combines the cues with that model (the classifier
says in its reason when the model changed the cue-based label).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import Count, Max

from chorus.outcomes import classifier
from chorus.outcomes.models import Label, Recommendation

# Fewer reviewed examples than this teach a model more noise than signal.
MIN_EXAMPLES = 8
_model_cache: dict[tuple, classifier.Model | None] = {}


def current_model() -> classifier.Model | None:
    """The model trained on every reviewed label, rebuilt only when reviews change."""
    reviewed = Recommendation.objects.exclude(reviewed_label="").exclude(
        reviewed_label=Label.UNKNOWN
    )
    state = reviewed.aggregate(count=Count("id"), last=Max("reviewed_at"))
    key = (state["count"], state["last"])
    if key not in _model_cache:
        _model_cache.clear()
        examples = list(reviewed.values_list("text", "language", "reviewed_label"))
        labels = {label for _text, _language, label in examples}
        model = None
        if len(examples) >= MIN_EXAMPLES and len(labels) >= 2:
            model = classifier.train(examples)
        _model_cache[key] = model
    return _model_cache[key]


def _stored_label(result: dict) -> str:
    if result.get("label") in Label.values:
        return result["label"]
    return ""


def classify_texts(
    pairs: Iterable[tuple[str, str | None]],
    *,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[dict]:
    """Classify (text, language) pairs; return the fields a Recommendation stores."""
    pairs = list(pairs)
    model = current_model()
    results = []
    for index, (text, language) in enumerate(pairs, start=1):
        result = classifier.classify(text, language, model=model).as_dict()
        result["label"] = _stored_label(result)
        results.append(result)
        if on_progress is not None:
            on_progress(index, len(pairs))
    return results
