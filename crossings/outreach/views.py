"""Outreach pages: web entry at the drop-in centre, encounters, supplies, indicators, submissions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet, TextChoices
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.vary import vary_on_headers

from crossings import gazetteer
from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.formtools import row_id
from crossings.outreach import encounters, indicators, report
from crossings.outreach import supplies as ledger
from crossings.outreach.forms import EncounterForm, MovementForm
from crossings.outreach.indicators import Period
from crossings.outreach.models import AgeBand, Encounter, Item, KeyPopulation, Sex, Site, Submission


def acting_org(request: AuthedRequest) -> int:
    """The organisation an outreach user works for (the lowest id when they hold the role in several)."""
    orgs = sorted(request.user.scope.orgs_with(Cap.OUTREACH_USE))
    if not orgs:
        raise PermissionDenied
    return orgs[0]


def period_from(params: Any, today: dt.date | None = None) -> tuple[Period, str, str]:
    """``?period=`` (the page's picker), ``?month=YYYY-MM`` or ``?quarter=YYYY-Qn``; the picker sends either
    form. The current month when none is given or it cannot be read."""
    today = today or timezone.localdate()
    chosen = str(params.get("period", ""))
    quarter = str(params.get("quarter", "")) or (chosen if "-Q" in chosen else "")
    month = str(params.get("month", "")) or ("" if "-Q" in chosen else chosen)
    if quarter:
        try:
            year, q = (int(x) for x in quarter.split("-Q"))
            return Period.quarter(year, q), "quarter", f"{year}-Q{q}"
        except ValueError:
            pass
    try:
        year, m = (int(x) for x in month.split("-"))
        return Period.month(year, m), "month", f"{year}-{m:02d}"
    except ValueError:
        return Period.month(today.year, today.month), "month", today.strftime("%Y-%m")


def period_choices(today: dt.date, shown: tuple[str, Period]) -> dict[str, list[tuple[str, Any]]]:
    """What the indicators page offers: the last thirteen months and the last eight quarters, newest first,
    and the period shown if it is older (opened from a link), so that "Show" keeps it."""
    months, first = [], today.replace(day=1)
    for back in range(13):
        index = first.year * 12 + first.month - 1 - back
        months.append(dt.date(index // 12, index % 12 + 1, 1))
    this_year, this_quarter = Period.month(today.year, today.month).quarter_of_start
    quarters = []
    for back in range(8):
        index = this_year * 4 + this_quarter - 1 - back
        quarters.append((index // 4, index % 4 + 1))
    kind, period = shown
    if kind == "month" and period.start not in months:
        months.append(period.start)
    if kind == "quarter" and period.quarter_of_start not in quarters:
        quarters.append(period.quarter_of_start)
    return {
        "months": [(f"{d:%Y-%m}", d) for d in months],
        "quarters": [
            (f"{y}-Q{q}", _("Q%(quarter)s %(year)s") % {"quarter": q, "year": y}) for y, q in quarters
        ],
    }


@requires(Cap.OUTREACH_USE)
def home(request: AuthedRequest) -> HttpResponse:
    org = acting_org(request)
    warnings = ledger.stock_warnings(list(Site.objects.filter(organisation_id=org)))
    failed = Submission.objects.visible_to(request.user).filter(status=Submission.Status.FAILED).count()
    return render(request, "outreach/home.html", {"stock_warnings": warnings, "failed": failed})


@requires(Cap.OUTREACH_USE)
def encounter_new(request: AuthedRequest) -> HttpResponse:
    org = acting_org(request)
    form = EncounterForm(request.POST or None, organisation_id=org)
    collisions: list[Any] = []
    if request.method == "POST" and form.is_valid():
        data = form.encounter_data()
        problems = data.check()
        for name, message in problems.items():
            form.add_error(name if name in form.fields else None, message)
        if not problems:
            collisions = encounters.near_collisions(org, data.uic, data.district, data.date)
            collisions = [c for c in collisions if c.uic != data.uic]
            if collisions and not form.cleaned_data["different_client"]:
                # Ask once: the worker checks with the client, then confirms or corrects the facts.
                confirm = request.POST.copy()
                confirm["different_client"] = "on"
                form.data = confirm
                return render(
                    request,
                    "outreach/encounter_form.html",
                    {"form": form, "collisions": collisions, "uic": data.uic},
                )
            recorded = encounters.record_encounter(
                organisation_id=org, worker=request.user, data=data, check_collisions=False
            )
            messages.success(request, _("Encounter recorded for client %(uic)s.") % {"uic": data.uic})
            for warning in recorded.stock_warnings:
                messages.warning(request, warning)
            return redirect("outreach_encounter_list")
    return render(request, "outreach/encounter_form.html", {"form": form, "collisions": collisions})


@requires(Cap.OUTREACH_USE)
def encounter_list(request: AuthedRequest) -> HttpResponse:
    encounters = (
        Encounter.objects.visible_to(request.user)
        .select_related("client", "site", "worker")
        .only(
            "id",
            "date",
            "district",
            "hot_spot",
            "needles_syringes",
            "condoms",
            "hiv_test",
            "referral",
            "client__uic",
            "site__name",
            "worker__username",
        )
    )
    page = Paginator(encounters, 50).get_page(request.GET.get("page"))
    return render(request, "outreach/encounter_list.html", {"page": page})


def _filtered(request: AuthedRequest) -> tuple[QuerySet[Encounter], dict[str, Any]]:
    qs = Encounter.objects.visible_to(request.user)
    site, worker = row_id(request.GET.get("site", "")), row_id(request.GET.get("worker", ""))
    if site is not None:
        qs = qs.filter(site_id=site)
    if worker is not None:
        qs = qs.filter(worker_id=worker)
    return qs, {"site": "" if site is None else str(site), "worker": "" if worker is None else str(worker)}


# The breakdown tables each scan the period once more, so the page sends the headline figures first and
# fetches these in parallel requests (htmx, on load); each is also a page of its own without JavaScript.
BREAKDOWNS = {
    "month": gettext_lazy("By month"),
    "site": gettext_lazy("By site"),
    "worker": gettext_lazy("By worker"),
    "province": gettext_lazy("By province"),
    "district": gettext_lazy("By district"),
}


def _labelled(counts: dict[str, int], choices: type[TextChoices]) -> list[tuple[str, int]]:
    labels = dict(choices.choices)
    return [(str(labels.get(code, code)), n) for code, n in counts.items()]


def _period_query(kind: str, value: str, filters: dict[str, Any]) -> str:
    """The resolved period, not the request's: a breakdown fetched just after midnight on the last day of
    a month must describe the same month as the headline above it."""
    return urlencode({kind: value, **{k: v for k, v in filters.items() if v}})


@requires(Cap.OUTREACH_USE)
def indicator_view(request: AuthedRequest) -> HttpResponse:
    period, kind, value = period_from(request.GET)
    qs, filters = _filtered(request)
    result = indicators.compute(qs, period)
    context = {
        "ind": result,
        "kind": kind,
        "value": value,
        "filters": filters,
        "described": [
            (_("Clients reached by key population"), _labelled(result.by_key_population, KeyPopulation)),
            (_("By sex"), _labelled(result.by_sex, Sex)),
            (_("By age band"), _labelled(result.by_age_band, AgeBand)),
        ],
        "breakdowns": BREAKDOWNS,
        "query": _period_query(kind, value, filters),
        "sites": Site.objects.visible_to(request.user),
        "choices": period_choices(timezone.localdate(), shown=(kind, period)),
        # the donor report of the quarter shown, or of the quarter the month shown belongs to
        "report": dict(zip(("year", "quarter"), period.quarter_of_start, strict=True)),
    }
    return render(request, "outreach/indicators.html", context)


@requires(Cap.OUTREACH_USE)
@vary_on_headers("HX-Request")  # one address, two answers: a bare table for htmx, else a whole page
def indicator_breakdown(request: AuthedRequest, by: str) -> HttpResponse:
    if by not in BREAKDOWNS:
        raise Http404
    period, kind, value = period_from(request.GET)
    qs, filters = _filtered(request)
    rows = indicators.breakdown(qs, period, by)
    if by in ("province", "district"):
        for row in rows:
            row["key"] = gazetteer.name(row["key"])  # a code, shown in the reader's language
    context = {
        "rows": rows,
        "title": BREAKDOWNS[by],
        "period": period,
        "query": _period_query(kind, value, filters),
    }
    fragment = request.htmx  # type: ignore[attr-defined]
    return render(
        request, "outreach/_breakdown.html" if fragment else "outreach/indicator_breakdown.html", context
    )


@requires(Cap.OUTREACH_USE)
def supplies(request: AuthedRequest) -> HttpResponse:
    org = acting_org(request)
    form = MovementForm(request.POST or None, organisation_id=org)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ledger.record_movement(
            site=d["site"],
            item=d["item"],
            kind=d["kind"],
            quantity=d["quantity"],
            date=d["date"],
            by=request.user,
            note=d["note"],
        )
        messages.success(request, _("Stock movement recorded."))
        return redirect("outreach_supplies")
    sites = list(Site.objects.filter(organisation_id=org))
    balances = ledger.balances([s.pk for s in sites])
    table = [
        {
            "site": s,
            "items": [
                (Item(i).label, balances[(s.pk, i)], balances[(s.pk, i)] <= s.low_stock_level)
                for i in Item.values
            ],
        }
        for s in sites
    ]
    return render(request, "outreach/supplies.html", {"form": form, "table": table, "items": Item.choices})


@requires(Cap.OUTREACH_USE)
def reconciliation(request: AuthedRequest) -> HttpResponse:
    period, kind, value = period_from(request.GET)
    sites = list(Site.objects.filter(organisation_id=acting_org(request)))
    rows = ledger.reconciliation(sites, period.start, period.end)
    return render(
        request,
        "outreach/reconciliation.html",
        {"rows": rows, "period": period, "kind": kind, "value": value},
    )


@requires(Cap.OUTREACH_USE)
def submission_list(request: AuthedRequest) -> HttpResponse:
    qs = Submission.objects.visible_to(request.user).select_related("submitted_by").defer("xml")
    status = request.GET.get("status", Submission.Status.FAILED)
    if status in Submission.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "outreach/submissions.html",
        {"page": page, "status": status, "statuses": Submission.Status.choices},
    )


@requires(Cap.OUTREACH_USE)
def donor_report(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    this_year, this_quarter = Period.month(today.year, today.month).quarter_of_start
    try:
        year = int(request.GET.get("year", this_year))
        quarter = int(request.GET.get("quarter", this_quarter))
        period = Period.quarter(year, quarter)
    except ValueError:
        year, quarter = this_year, this_quarter
        period = Period.quarter(year, quarter)
    lang = str(request.GET.get("lang") or getattr(request, "LANGUAGE_CODE", "en"))
    encounters = Encounter.objects.visible_to(request.user)
    if request.GET.get("format") == "pdf":
        pdf = report.quarterly_pdf(encounters, period, language=lang)
        response = HttpResponse(pdf, content_type="application/pdf")
        suffix = "km" if lang == "km" else "en"
        response["Content-Disposition"] = f'attachment; filename="outreach-{year}-Q{quarter}-{suffix}.pdf"'
        return response
    data = report.quarterly_xlsx(encounters, period, language=lang)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="outreach-{year}-Q{quarter}.xlsx"'
    return response
