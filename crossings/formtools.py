from __future__ import annotations

from typing import Any


def form_errors(form: Any) -> str:
    """One line naming each invalid field and what is wrong with it, for a message after a redirect."""
    parts = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        text = " ".join(str(e) for e in errors)
        parts.append(f"{label}: {text}" if label else text)
    return "; ".join(parts)
