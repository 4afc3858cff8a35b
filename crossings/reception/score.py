"""The Crossings reintegration score: a transparent 0–1 score per dimension and overall, modelled on the
three dimensions of IOM's reintegration framework (economic, social, psychosocial). It is NOT IOM's
official reintegration index; see docs/reintegration-score.md.

Every question is answered on a 0–4 scale where a higher answer is always better for the person (the
questions are phrased that way), so an item scores answer / 4. A dimension is the weighted mean of its
answered items; the overall score is the weighted mean of the dimensions that have answers. Weights come
from settings.REINTEGRATION_WEIGHTS and can be changed without touching code.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from crossings.errors import Refused

SCALE_MAX = 4

# dimension -> item -> question (the wording shown to the caseworker; 0 = worst, 4 = best)
QUESTIONS = {
    "economic": {
        "income": _("Income covers basic needs (0 none … 4 fully)"),
        "work": _("Work (0 none … 4 stable work)"),
        "debt": _("Free from debt that worries them (0 heavy debt … 4 none)"),
        "food": _("Food security (0 often hungry … 4 always enough)"),
    },
    "social": {
        "housing": _("Housing (0 none … 4 stable and safe)"),
        "documents": _("Identity documents (0 none … 4 ID card and family book)"),
        "services": _("Access to health care and services (0 none … 4 good)"),
        "network": _("People to rely on (0 nobody … 4 strong network)"),
    },
    "psychosocial": {
        "wellbeing": _("Well-being (0 very poor … 4 good)"),
        "belonging": _("Feels they belong in Cambodia (0 not at all … 4 fully)"),
        "discrimination": _("Free from discrimination (0 often … 4 never)"),
        "stay": _("Wish to stay rather than re-migrate (0 wants to leave … 4 wants to stay)"),
    },
}

DEFAULT_WEIGHTS: dict[str, dict[str, float]] = {
    "dimensions": {"economic": 1.0, "social": 1.0, "psychosocial": 1.0},
    "economic": {"income": 1.0, "work": 1.0, "debt": 1.0, "food": 1.0},
    "social": {"housing": 1.0, "documents": 1.0, "services": 1.0, "network": 1.0},
    "psychosocial": {"wellbeing": 1.0, "belonging": 1.0, "discrimination": 1.0, "stay": 1.0},
}


@dataclass(frozen=True)
class Scores:
    economic: float | None
    social: float | None
    psychosocial: float | None
    overall: float | None


def question_keys() -> list[str]:
    """The answer keys a survey may carry: "dimension.item"."""
    return [f"{dimension}.{item}" for dimension, items in QUESTIONS.items() for item in items]


def weights() -> dict[str, dict[str, float]]:
    configured = getattr(settings, "REINTEGRATION_WEIGHTS", None) or {}
    return {key: {**DEFAULT_WEIGHTS[key], **configured.get(key, {})} for key in DEFAULT_WEIGHTS}


def _weighted_mean(values: dict[str, float], item_weights: dict[str, float]) -> float | None:
    total = sum(item_weights.get(k, 0.0) for k in values)
    if not values or total <= 0:
        return None
    return sum(v * item_weights.get(k, 0.0) for k, v in values.items()) / total


def compute(answers: dict[str, int | None]) -> Scores:
    """Scores from answers keyed "dimension.item" (0–4; None or missing = not answered)."""
    w = weights()
    per_dimension: dict[str, float | None] = {}
    for dimension, items in QUESTIONS.items():
        values = {}
        for item in items:
            answer = answers.get(f"{dimension}.{item}")
            if answer is not None:
                if not 0 <= int(answer) <= SCALE_MAX:
                    raise Refused(
                        _("%(question)s must be 0–%(max)s, not %(answer)s.")
                        % {"question": f"{dimension}.{item}", "max": SCALE_MAX, "answer": answer},
                        field="answers",
                    )
                values[item] = int(answer) / SCALE_MAX
        per_dimension[dimension] = _weighted_mean(values, w[dimension])
    answered = {k: v for k, v in per_dimension.items() if v is not None}
    overall = _weighted_mean(answered, w["dimensions"])
    r = {k: (round(v, 3) if v is not None else None) for k, v in per_dimension.items()}
    return Scores(
        r["economic"], r["social"], r["psychosocial"], round(overall, 3) if overall is not None else None
    )
