from __future__ import annotations

import base64
import datetime as dt
import io
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crossings import exports
from crossings.accounts import keep
from crossings.accounts.roles import Cap, Role
from crossings.accounts.rules import AuthedRequest, requires
from crossings.audit.models import BreakGlassGrant, break_glass
from crossings.audit.reads import Reader, log_view, read_one
from crossings.conflicts import EditConflict
from crossings.errors import Refused
from crossings.formtools import form_errors, submit
from crossings.people import selectors as people
from crossings.people.models import Person
from crossings.reception import handover, manifest, selectors, services
from crossings.reception.forms import (
    AssessmentForm,
    BatchForm,
    BreakGlassForm,
    ChecklistForm,
    FollowUpForm,
    GoalForm,
    ManifestUploadForm,
    MappingForm,
    ServiceDeliveryForm,
)
from crossings.reception.models import (
    Arrival,
    ArrivalBatch,
    Assessment,
    FollowUp,
    Goal,
    ManifestImport,
    ServiceDelivery,
)

if TYPE_CHECKING:
    from crossings.accounts.models import User

HXL = {
    "person_id": "#beneficiary+id",
    "name": "#beneficiary+name",
    "arrived": "#date+arrival",
    "flight": "#meta+flight",
    "goals_done": "#indicator+goals+achieved",
    "goals_total": "#indicator+goals+total",
    "services": "#indicator+services",
    "cost": "#value+usd",
    "overdue_follow_ups": "#indicator+followups+overdue",
    "latest_score": "#indicator+score+reintegration",
    "cohort": "#date+cohort",
}


def _batch(request: AuthedRequest, batch_id: int) -> ArrivalBatch:
    return get_object_or_404(ArrivalBatch.objects.visible_to(request.user), pk=batch_id)


def _edit_org(request: AuthedRequest, org_id: int) -> None:
    if not request.user.scope.can(Cap.PEOPLE_EDIT, org_id):
        raise PermissionDenied


@requires(Cap.PEOPLE_VIEW)
def batch_list(request: AuthedRequest) -> HttpResponse:
    form = BatchForm(request.POST or None)
    if request.method == "POST":
        organisation_id = request.user.scope.acting_organisation(Cap.PEOPLE_EDIT)
        if form.is_valid():
            try:
                batch = services.record_flight(
                    organisation_id=organisation_id,
                    user=request.user,
                    flight=form.cleaned_data["flight"],
                    date=form.cleaned_data["date"],
                    expected=form.cleaned_data["expected"] or 0,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("batch_detail", batch_id=batch.pk)
    batches = ArrivalBatch.objects.visible_to(request.user)
    return render(request, "reception/batch_list.html", {"form": form, "batches": batches})


@requires(Cap.PEOPLE_VIEW)
def batch_detail(request: AuthedRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    arrivals = list(batch.arrivals.select_related("person"))
    people.log_people(Reader.of(request), [a.person for a in arrivals], reason="flight")
    return render(
        request,
        "reception/batch_detail.html",
        {
            "batch": batch,
            "arrivals": arrivals,
            "summary": services.batch_summary(batch),
            "upload_form": ManifestUploadForm(),
            "imports": batch.imports.all(),
        },
    )


@requires(Cap.PEOPLE_EDIT)
@require_POST
def manifest_upload(request: AuthedRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    _edit_org(request, batch.organisation_id)
    form = ManifestUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("batch_detail", batch_id=batch.pk)
    upload = form.cleaned_data["file"]
    try:
        record = services.store_upload(
            batch=batch, data=upload.read(), filename=upload.name, user=request.user
        )
    except manifest.ManifestError as exc:
        messages.error(request, str(exc))
        return redirect("batch_detail", batch_id=batch.pk)
    return redirect("manifest_preview", import_id=record.pk)


@requires(Cap.PEOPLE_EDIT)
def manifest_preview(request: AuthedRequest, import_id: int) -> HttpResponse:
    record = get_object_or_404(
        ManifestImport.objects.select_related("batch"),
        pk=import_id,
        batch__in=ArrivalBatch.objects.visible_to(request.user),
    )
    _edit_org(request, record.batch.organisation_id)
    visible = Person.objects.visible_to(request.user)
    result = services.preview(record, visible)
    form = MappingForm(
        request.POST or None, headers=result.headers, mapping=result.mapping, date_order=record.date_order
    )
    if request.method == "POST" and record.status == ManifestImport.Status.PREVIEW and form.is_valid():
        record.mapping = form.mapping()
        record.date_order = form.cleaned_data["date_order"]
        record.save(update_fields=["mapping", "date_order"])
        action = request.POST.get("action", "check")
        if action in ("import", "import_valid"):
            try:
                report = services.run_import(
                    record=record, visible=visible, user=request.user, only_valid=action == "import_valid"
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    _("Imported: %(c)s new, %(m)s matched, %(s)s already on this flight.")
                    % {"c": report["created"], "m": report["matched"], "s": report["already_on_flight"]},
                )
                return redirect("manifest_preview", import_id=record.pk)
        return redirect("manifest_preview", import_id=record.pk)
    # The preview shows the manifest's rows (names, A-numbers) and the records they match: a read.
    log_view(
        Reader.of(request), record, organisation_id=record.batch.organisation_id, reason="manifest preview"
    )
    return render(
        request,
        "reception/manifest_preview.html",
        {"record": record, "result": result, "form": form, "fields": manifest.FIELDS},
    )


@requires(Cap.PEOPLE_VIEW)
@keep.restorable
def arrival_checklist(request: AuthedRequest, arrival_id: int) -> HttpResponse:
    """The arrival-day screen: one person, big checkboxes, one small form (slow connections, phones)."""
    arrival = selectors.arrival_access(request.user, arrival_id)
    form = ChecklistForm(keep.form_data(request), instance=arrival, initial={"version": arrival.version})
    conflict: EditConflict | None = None
    tried: dict[str, Any] = {}
    if request.method == "POST":
        _edit_org(request, arrival.batch.organisation_id)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k in Arrival.CHECKLIST_FIELDS}
            try:
                services.update_checklist(
                    arrival=arrival,
                    user=request.user,
                    expected_version=form.cleaned_data["version"] or 0,
                    **data,
                )
            except EditConflict as exc:
                # Nothing was written. Show the stored values (theirs) at the current version, and what this
                # user had tried, so the change can be made again on top of theirs.
                conflict = exc
                fresh = Arrival.objects.select_related("batch", "person").get(pk=arrival.pk)
                tried = {
                    str(form.fields[k].label): _display(form, k, data[k])
                    for k in Arrival.CHECKLIST_FIELDS
                    if data[k] != getattr(fresh, k)
                }
                arrival = fresh
                form = ChecklistForm(instance=fresh, initial={"version": fresh.version})
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Saved."))
                return redirect("batch_detail", batch_id=arrival.batch_id)
    read_one(Reader.of(request), arrival.person, reason="arrival")
    changes = (
        {str(form.fields[k].label): _display(form, k, new) for k, (_old, new) in conflict.changes.items()}
        if conflict
        else {}
    )
    return render(
        request,
        "reception/arrival_checklist.html",
        {"arrival": arrival, "form": form, "conflict": conflict, "their_changes": changes, "tried": tried},
        status=409 if conflict else 200,
    )


def _display(form: ChecklistForm, name: str, value: Any) -> str:
    """A checklist value as the page shows it: yes/no for a tick, the label of a choice."""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    choices = dict(getattr(form.fields[name], "choices", None) or [])
    return str(choices.get(value, value)) if value not in ("", None) else "—"


def can_see_restricted(user: User, assessment: Assessment) -> bool:
    """Mental health and substance use: supervisors of the organisation, or anyone holding an emergency
    grant with a stated reason (break the glass)."""
    if Role.SUPERVISOR in user.scope.roles.get(assessment.organisation_id, ()):
        return True
    return BreakGlassGrant.is_active_for(user=user, obj=assessment)


def _score_chart(follow_ups: list[FollowUp]) -> str | None:
    recorded = [f for f in follow_ups if f.overall is not None]
    if not recorded:
        return None
    import pygal

    chart = pygal.Line(
        width=640,
        height=300,
        range=(0, 1),
        js=[],
        show_dots=True,
        dots_size=4,
        legend_at_bottom=True,
        style=pygal.style.CleanStyle,
        disable_xml_declaration=False,
    )
    chart.x_labels = [_("%(m)s mo") % {"m": f.months} for f in recorded]
    chart.add(_("economic"), [f.economic for f in recorded])
    chart.add(_("social"), [f.social for f in recorded])
    chart.add(_("psychosocial"), [f.psychosocial for f in recorded])
    chart.add(_("overall"), [f.overall for f in recorded])
    return "data:image/svg+xml;base64," + base64.b64encode(chart.render()).decode()


@requires(Cap.PEOPLE_VIEW)
def person_reception(request: AuthedRequest, person_id: int) -> HttpResponse:
    access = people.person_for(Reader.of(request), person_id, reason="reception tab")
    person, org = access.person, access.organisation_id
    services.ensure_catalogue(org)
    assessments = list(Assessment.objects.filter(person=person, organisation_id=org))
    for a in assessments:
        a.restricted_visible = can_see_restricted(request.user, a)  # type: ignore[attr-defined]
    follow_ups = list(FollowUp.objects.filter(person=person, organisation_id=org))
    # The first intake starts from the received pre-arrival packet, when there is one (reception.handover).
    prefill = handover.intake_initial(person, org)
    return render(
        request,
        "reception/person_reception.html",
        {
            "person": person,
            "assessments": assessments,
            "comparison": services.compare(assessments[0], assessments[-1]) if len(assessments) > 1 else [],
            "goals": Goal.objects.filter(person=person, organisation_id=org),
            "deliveries": ServiceDelivery.objects.filter(person=person, organisation_id=org).select_related(
                "service", "provider"
            ),
            "follow_ups": follow_ups,
            "chart": _score_chart(follow_ups),
            "can_edit": request.user.scope.can(Cap.PEOPLE_EDIT, org),
            "assessment_form": AssessmentForm(prefix="assessment", initial=prefill),
            "prefilled": bool(prefill),
            "goal_form": GoalForm(prefix="goal"),
            "service_form": ServiceDeliveryForm(prefix="service", organisation_id=org),
            "break_glass_form": BreakGlassForm(),
        },
    )


@requires(Cap.PEOPLE_EDIT)
@require_POST
def assessment_new(request: AuthedRequest, person_id: int) -> HttpResponse:
    person, org = services.person_to_work_on(request.user, person_id)
    submit(
        request,
        AssessmentForm(request.POST, prefix="assessment"),
        lambda data: services.create_assessment(
            person=person, organisation_id=org, user=request.user, **data
        ),
        _("Assessment saved."),
    )
    return redirect("person_reception", person_id=person.pk)


@requires(Cap.PEOPLE_VIEW)
@require_POST
def assessment_break_glass(request: AuthedRequest, assessment_id: int) -> HttpResponse:
    assessment = get_object_or_404(Assessment.objects.visible_to(request.user), pk=assessment_id)
    form = BreakGlassForm(request.POST)
    if form.is_valid():
        break_glass(
            request,
            obj=assessment,
            organisation_id=assessment.organisation_id,
            reason=form.cleaned_data["reason"],
        )
        messages.warning(
            request, _("Emergency access for 4 hours. Your supervisor will see this in the access log.")
        )
    else:
        messages.error(request, form_errors(form))
    return redirect("person_reception", person_id=assessment.person_id)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def goal_new(request: AuthedRequest, person_id: int) -> HttpResponse:
    person, org = services.person_to_work_on(request.user, person_id)
    submit(
        request,
        GoalForm(request.POST, prefix="goal"),
        lambda data: services.add_goal(person=person, organisation_id=org, user=request.user, **data),
        _("Goal added."),
    )
    return redirect("person_reception", person_id=person.pk)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def goal_achieved(request: AuthedRequest, goal_id: int) -> HttpResponse:
    goal = get_object_or_404(Goal.objects.visible_to(request.user), pk=goal_id)
    _edit_org(request, goal.organisation_id)
    services.achieve_goal(goal=goal, user=request.user)
    return redirect("person_reception", person_id=goal.person_id)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def service_new(request: AuthedRequest, person_id: int) -> HttpResponse:
    person, org = services.person_to_work_on(request.user, person_id)
    submit(
        request,
        ServiceDeliveryForm(request.POST, prefix="service", organisation_id=org),
        lambda data: services.record_service(person=person, organisation_id=org, user=request.user, **data),
        _("Service recorded."),
    )
    return redirect("person_reception", person_id=person.pk)


@requires(Cap.PEOPLE_VIEW)
@keep.restorable
def follow_up_record(request: AuthedRequest, follow_up_id: int) -> HttpResponse:
    follow_up = get_object_or_404(
        FollowUp.objects.visible_to(request.user).select_related("person"), pk=follow_up_id
    )
    form = FollowUpForm(keep.form_data(request))
    if request.method == "POST":
        _edit_org(request, follow_up.organisation_id)
        if form.is_valid():
            try:
                services.record_follow_up(
                    follow_up=follow_up,
                    answers=form.answers(),
                    submission=form.cleaned_data["submission"],
                    user=request.user,
                )
            except services.AlreadyRecorded as exc:
                messages.warning(request, exc.message)
            except Refused as exc:
                messages.error(request, exc.message)
                return _follow_up_page(request, follow_up, form)
            else:
                messages.success(request, _("Follow-up recorded."))
            return redirect("person_reception", person_id=follow_up.person_id)
        messages.error(request, form_errors(form))
    return _follow_up_page(request, follow_up, form)


def _follow_up_page(request: AuthedRequest, follow_up: FollowUp, form: FollowUpForm) -> HttpResponse:
    log_view(
        Reader.of(request),
        follow_up.person,
        organisation_id=follow_up.person.organisation_id,
        reason="follow-up",
    )
    return render(request, "reception/follow_up.html", {"follow_up": follow_up, "form": form})


@requires(Cap.PEOPLE_VIEW)
def programme(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        start = (
            dt.date.fromisoformat(request.GET.get("from", ""))
            if request.GET.get("from")
            else today.replace(month=1, day=1)
        )
        end = dt.date.fromisoformat(request.GET.get("to", "")) if request.GET.get("to") else today
    except ValueError as exc:
        raise Http404 from exc
    arrivals = Arrival.objects.filter(batch__in=ArrivalBatch.objects.visible_to(request.user))
    rows = services.programme_rows(arrivals=arrivals, start=start, end=end)
    fmt = request.GET.get("format")
    holders = dict(
        Person.objects.filter(pk__in=[r["person_id"] for r in rows]).values_list("pk", "organisation_id")
    )
    people.log_list_of_ids(
        Reader.of(request),
        [(r["person_id"], holders.get(r["person_id"])) for r in rows],
        query=f"{start}..{end}",
        export=fmt in ("csv", "xlsx"),
        reason="programme",
    )
    if fmt in ("csv", "xlsx"):
        return _export(rows, fmt, start, end)
    cohorts: dict[str, list[float]] = {}
    for row in rows:
        if row["latest_score"] is not None:
            cohorts.setdefault(row["cohort"], []).append(row["latest_score"])
    cohort_scores = [(c, round(sum(v) / len(v), 3), len(v)) for c, v in sorted(cohorts.items())]
    return render(
        request,
        "reception/programme.html",
        {
            "rows": rows,
            "start": start,
            "end": end,
            "cohort_scores": cohort_scores,
            "total_cost": sum(r["cost"] for r in rows),
            "total_services": sum(r["services"] for r in rows),
        },
    )


def _export(rows: list[dict[str, Any]], fmt: str, start: dt.date, end: dt.date) -> HttpResponse:
    """CSV or XLSX with the HXL hashtags as a second header row (Humanitarian Exchange Language)."""
    columns = list(HXL)
    name = f"crossings-programme-{start}-{end}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = exports.csv_writer(buffer)
        writer.writerow(columns)
        writer.writerow([HXL[c] for c in columns])
        for row in rows:
            writer.writerow([row[c] if row[c] is not None else "" for c in columns])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        workbook = exports.workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = "programme"
        sheet.append(columns)
        sheet.append([HXL[c] for c in columns])
        for row in rows:
            sheet.append([float(row[c]) if c == "cost" else row[c] for c in columns])
        out = io.BytesIO()
        workbook.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
