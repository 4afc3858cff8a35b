"""What a figure measures and what kind of source published it: the vocabulary that the models and the
series definitions share (a module of its own, so neither imports the other)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    OFFICIAL = "official", _("official table")
    PRESS = "press", _("press citing an agency")
    NGO = "ngo", _("NGO count")


class Measure(models.TextChoices):
    REMOVALS = "removals", _("removals")
    RETURNS = "returns", _("returns")
    FINAL_ORDERS = "final_orders", _("people under final orders of removal")
    IN_PROCEEDINGS = "in_proceedings", _("people in removal proceedings")
    RECEIVED_CUMULATIVE = "received_cumulative", _("deportees received since 2002 (cumulative)")
