from __future__ import annotations

from typing import Any

from django import forms


def form_errors(form: Any) -> str:
    """One line naming each invalid field and what is wrong with it, for a message after a redirect."""
    parts = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        text = " ".join(str(e) for e in errors)
        parts.append(f"{label}: {text}" if label else text)
    return "; ".join(parts)


def submit(request: Any, form: Any, action: Any, success: Any) -> Any:
    """The common end of a POST handler: validate ``form``, run ``action(cleaned_data)``, and tell the user
    what happened — ``success`` (a message, or a function of the action's result) or exactly what was wrong.
    Returns the action's result, or None when nothing was done."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError

    if not form.is_valid():
        messages.error(request, form_errors(form))
        return None
    try:
        result = action(form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result


def ask_first(
    request: Any,
    *,
    title: str,
    lines: list[str],
    action: str,
    cancel_url: str,
    compare: tuple[str, str, list[tuple[str, Any, Any]]] | None = None,
) -> Any:
    """An action that is hard to take back asks first. The POST without ``confirmed`` gets a page saying what
    will happen, which sends the same fields again with ``confirmed=1``; returns that page, or None once the
    user confirmed. A plain form post, no script: it works on any phone, and a double tap cannot skip it.
    ``compare`` (two column headings and rows of label, left, right) shows two records side by side."""
    from django.shortcuts import render

    if request.POST.get("confirmed") == "1":
        return None
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", "confirmed")
        for value in values
    ]
    context = {
        "title": title,
        "lines": lines,
        "action": action,
        "cancel_url": cancel_url,
        "fields": fields,
        "compare": compare,
    }
    return render(request, "confirm.html", context)


def confirm_then(
    request: Any, *, title: str, lines: list[str], action: str, back: str, do: Any, success: str
) -> Any:
    """A hard-to-take-back action in one call: ask first (``ask_first``), then ``do()``, tell the user what
    happened — ``success`` or exactly why the service refused — and go back to ``back`` (also where
    "cancel" leads). Closing a case, withdrawing a consent, cancelling a referral or a packet."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.shortcuts import redirect

    page = ask_first(request, title=title, lines=lines, action=action, cancel_url=back)
    if page is not None:
        return page
    try:
        do()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect(back)


def row_id(text: Any) -> int | None:
    """A database id typed into a URL or a form: ASCII digits only and small enough for any database's
    bigint, else None. (``str.isdigit`` accepts "²" and "٣", which ``int`` then refuses or reads, and a
    number too long for the column raises in the database driver: both were 500s.)"""
    value = str(text)
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        return None
    return int(value)


def choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """A form's model choice field by name, typed, so a form can narrow its choices to the user's
    organisation (``choice_field(self, "site").queryset = ...``)."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name} is not a model choice field")
    return field


def choices_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """A form's (plain) choice field by name, typed, so a form can offer fewer of its choices
    (``choices_field(self, "status").choices = ...``)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    return field
