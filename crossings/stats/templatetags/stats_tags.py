from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from crossings.stats.models import Figure, Qualifier, Status

register = template.Library()


@register.filter
def cell(figure: Figure | None) -> SafeString:
    """A figure in a table: the number, 'withheld', 'not available', or 'no published figure' — never a
    blank that could be read as zero."""
    if figure is None:
        return format_html('<span class="missing">{}</span>', _("no published figure"))
    if figure.status == Status.WITHHELD:
        return format_html('<span class="withheld">{}</span>', _("withheld"))
    if figure.status == Status.NOT_AVAILABLE or figure.value is None:
        return format_html('<span class="missing">{}</span>', _("not available"))
    words: dict[str, str] = {Qualifier.ABOUT: _("about") + " ", Qualifier.MORE_THAN: _("more than") + " "}
    prefix = words.get(figure.qualifier, "")
    return format_html("{}{}", prefix, f"{figure.value:,}")


@register.filter
def count(value: int | None) -> str:
    return _("fewer than 5") if value is None else f"{value:,}"


@register.filter
def country(name: str) -> str:
    from crossings.stats.countries import LABELS

    return str(LABELS.get(name, name))


@register.filter
def money(value: Any) -> str:
    """A total cost in USD; hidden with its cell when that is suppressed."""
    return _("fewer than 5") if value is None else f"{value:,.2f}"


@register.filter
def score(value: Any) -> str:
    """A mean score, or a dash when there is none (suppressed cells say so in their people count)."""
    return "–" if value is None else f"{value:.2f}"


@register.filter
def indicator(item: Any) -> str:
    """An outreach indicator's value: a count, a rate, or a share shown as a percentage."""
    value = item.value
    if item.suppressed:
        return _("fewer than 5")
    if value is None:
        return "–"
    if item.key.endswith("_share"):
        return f"{value * 100:.1f} %"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"
