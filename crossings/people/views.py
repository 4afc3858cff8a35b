from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.audit.models import AccessLog, record_access
from crossings.cases.models import Case, Task
from crossings.formtools import form_errors
from crossings.people import journey, matching, services, sharing
from crossings.people.forms import (
    AliasForm,
    ConsentForm,
    DeclineForm,
    EventForm,
    FamilyForm,
    MergeForm,
    PersonForm,
    ReferralForm,
)
from crossings.people.models import Consent, Person, Referral
from crossings.uploads import sniff


def _visible(request: AuthedRequest) -> Any:
    return Person.objects.visible_to(request.user)


def _person(request: AuthedRequest, person_id: int, *, edit: bool = False) -> Person:
    person = get_object_or_404(_visible(request).select_related("organisation"), pk=person_id)
    if edit and not request.user.scope.can(Cap.PEOPLE_EDIT, sharing.organisation_for(request.user, person)):
        raise PermissionDenied
    return person


def _acting_org(request: AuthedRequest, person: Person | None = None) -> int:
    if person is not None:
        org = sharing.organisation_for(request.user, person)
        if org is not None:
            return org
    orgs = sorted(request.user.scope.orgs_with(Cap.PEOPLE_EDIT))
    if not orgs:
        raise PermissionDenied
    return orgs[0]


@requires(Cap.PEOPLE_VIEW)
def person_list(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    if query:
        results = matching.search(_visible(request), query, limit=30)
        # A full page of perfect scores: the name is common, and only a year or an A-number will tell apart.
        common = len(results) == 30 and results[-1].score >= 0.999
        context: dict[str, Any] = {"query": query, "results": results, "common_name": common}
    else:
        people = _visible(request).only("id", "given_name", "family_name", "name_km", "status")
        context = {"query": "", "page": Paginator(people, 50).get_page(request.GET.get("page"))}
    template = "people/_results.html" if request.htmx else "people/person_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@requires(Cap.PEOPLE_EDIT)
def person_new(request: AuthedRequest) -> HttpResponse:
    form = PersonForm(request.POST or None, request.FILES or None)
    duplicates: list[matching.Match] = []
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in services.EDITABLE_FIELDS}
        duplicates = matching.duplicates_for(_visible(request), {**data, "aliases": form.alias_list()})
        if duplicates and not form.cleaned_data["not_a_duplicate"]:
            messages.warning(
                request, _("This person may already be registered. Check the list before saving.")
            )
        else:
            try:
                person = services.create_person(
                    organisation_id=_acting_org(request),
                    user=request.user,
                    data=data,
                    aliases=form.alias_list(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if form.cleaned_data.get("photo"):
                    person.photo = form.cleaned_data["photo"]
                    person.save(update_fields=["photo"])
                messages.success(request, _("Registered."))
                return redirect("person_detail", person_id=person.pk)
    return render(
        request, "people/person_form.html", {"form": form, "duplicates": duplicates, "creating": True}
    )


@requires(Cap.PEOPLE_EDIT)
@require_POST
def person_check_duplicates(request: AuthedRequest) -> HttpResponse:
    """htmx: the possible duplicates of what is typed so far, before anything is saved."""
    form = PersonForm(request.POST)
    form.is_valid()  # partial input is fine here: use whatever fields are clean
    data = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if k in services.EDITABLE_FIELDS}
    aliases = form.alias_list() if hasattr(form, "cleaned_data") else []
    duplicates = matching.duplicates_for(_visible(request), {**data, "aliases": aliases})
    return render(request, "people/_duplicates.html", {"duplicates": duplicates})


@requires(Cap.PEOPLE_VIEW)
def person_detail(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id)
    record_access(request, user=request.user, obj=person, organisation_id=person.organisation_id)
    sections = sharing.sections_for(request.user, person)
    acting_org = sharing.organisation_for(request.user, person)
    can_edit = request.user.scope.can(Cap.PEOPLE_EDIT, acting_org)
    own_orgs = request.user.scope.orgs_with(Cap.PEOPLE_VIEW)
    cases = (
        Case.objects.visible_to(request.user)
        .filter(person=person)
        .select_related("owner", "organisation")
        .prefetch_related(Prefetch("tasks", queryset=Task.objects.open().select_related("assignee")))
        if "cases" in sections
        else []
    )
    context = {
        "person": person,
        "sections": sections,
        "status_label": journey.Status(person.status).label,
        "events": person.events.select_related("recorded_by") if "journey" in sections else [],
        "aliases": list(person.aliases.all()),
        "family": list(person.family.all()) if "contact" in sections else [],
        "consents": list(person.consents.select_related("shared_with", "recorded_by"))
        if "journey" in sections or person.organisation_id in own_orgs
        else [],
        "referrals": Referral.objects.visible_to(request.user)
        .filter(person=person)
        .select_related("from_organisation", "to_organisation"),
        "cases": cases,
        "can_edit": can_edit,
        "owner": person.organisation_id in own_orgs,
        "can_merge": request.user.scope.can(Cap.PEOPLE_MERGE, person.organisation_id),
        "event_form": EventForm(),
        "consent_form": ConsentForm(),
        "referral_form": ReferralForm(exclude_org=acting_org),
        "alias_form": AliasForm(),
        "family_form": FamilyForm(),
        "case_programmes": Case.Programme.choices,
    }
    return render(request, "people/person_detail.html", context)


@requires(Cap.PEOPLE_EDIT)
def person_edit(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, edit=True)
    if person.organisation_id not in request.user.scope.orgs_with(Cap.PEOPLE_EDIT):
        raise PermissionDenied  # a receiving organisation sees, but does not rewrite, the record
    form = PersonForm(
        request.POST or None, request.FILES or None, instance=person, initial={"version": person.version}
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in services.EDITABLE_FIELDS}
        try:
            services.update_person(
                person_id=person.pk,
                user=request.user,
                data=data,
                expected_version=form.cleaned_data["version"] or 0,
            )
        except services.EditConflict as exc:
            conflict = exc
            messages.error(request, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if request.FILES.get("photo"):  # a new photo replaces the old one; no upload keeps it
                Person.objects.get(pk=person.pk).photo.save("photo", form.cleaned_data["photo"], save=True)
            messages.success(request, _("Saved."))
            return redirect("person_detail", person_id=person.pk)
    field_labels = {name: form.fields[name].label for name in form.fields}
    return render(
        request,
        "people/person_form.html",
        {
            "form": form,
            "person": person,
            "conflict": conflict,
            "field_labels": field_labels,
            "creating": False,
        },
    )


@requires(Cap.PEOPLE_EDIT)
@require_POST
def person_add_event(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, edit=True)
    form = EventForm(request.POST)
    if form.is_valid():
        try:
            journey.record_event(
                person=person,
                user=request.user,
                organisation_id=sharing.organisation_for(request.user, person),
                **form.cleaned_data,
            )
            messages.success(request, _("Event recorded."))
        except journey.JourneyError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("The event was not recorded: %(errors)s") % {"errors": form_errors(form)})
    return redirect("person_detail", person_id=person.pk)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def person_add_consent(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, edit=True)
    form = ConsentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            sharing.record_consent(
                person=person,
                organisation_id=_acting_org(request, person),
                user=request.user,
                **form.cleaned_data,
            )
            messages.success(request, _("Consent recorded."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("The consent was not recorded: %(errors)s") % {"errors": form_errors(form)})
    return redirect("person_detail", person_id=person.pk)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def consent_withdraw(request: AuthedRequest, consent_id: int) -> HttpResponse:
    consent = get_object_or_404(Consent, pk=consent_id, person__in=_visible(request))
    _person(request, consent.person_id, edit=True)
    sharing.withdraw_consent(consent=consent, user=request.user)
    messages.success(request, _("Consent withdrawn. Organisations it covered no longer see the record."))
    return redirect("person_detail", person_id=consent.person_id)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def person_refer(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, edit=True)
    acting = _acting_org(request, person)
    form = ReferralForm(request.POST, exclude_org=acting)
    if form.is_valid():
        try:
            sharing.refer(
                person=person,
                from_organisation_id=acting,
                to_organisation=form.cleaned_data["to_organisation"],
                purpose=form.cleaned_data["purpose"],
                kind=form.cleaned_data["kind"],
                user=request.user,
            )
            messages.success(request, _("Referral sent."))
        except (sharing.ConsentMissing, ValueError) as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("The referral was not sent: %(errors)s") % {"errors": form_errors(form)})
    return redirect("person_detail", person_id=person.pk)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def person_add_alias(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, edit=True)
    form = AliasForm(request.POST)
    if form.is_valid():
        services.add_alias(person=person, **form.cleaned_data)
        messages.success(request, _("Other name added."))
    return redirect("person_detail", person_id=person.pk)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def person_add_family(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id, edit=True)
    form = FamilyForm(request.POST)
    if form.is_valid():
        member = form.save(commit=False)
        member.person = person
        member.save()
        messages.success(request, _("Family member added."))
    else:
        messages.error(request, form_errors(form))
    return redirect("person_detail", person_id=person.pk)


@requires(Cap.PEOPLE_VIEW)
def person_photo(request: AuthedRequest, person_id: int) -> FileResponse:
    person = _person(request, person_id)
    if not person.photo or "photo" not in sharing.sections_for(request.user, person):
        raise Http404
    record_access(
        request,
        user=request.user,
        obj=person,
        organisation_id=person.organisation_id,
        action=AccessLog.Action.DOWNLOAD,
        reason="photo",
    )
    handle = person.photo.open("rb")
    content_type = sniff(handle.read(16)) or "application/octet-stream"
    handle.seek(0)
    return FileResponse(handle, content_type=content_type)


@requires(Cap.PEOPLE_MERGE)
def person_merge(request: AuthedRequest, person_id: int) -> HttpResponse:
    survivor = _person(request, person_id)
    if not request.user.scope.can(Cap.PEOPLE_MERGE, survivor.organisation_id):
        raise PermissionDenied
    form = MergeForm(request.POST or None)
    candidates = matching.duplicates_for(
        _visible(request),
        {
            "family_name": survivor.family_name,
            "given_name": survivor.given_name,
            "name_km": survivor.name_km,
            "birth_date": survivor.birth_date,
            "birth_date_precision": survivor.birth_date_precision,
            "sex": survivor.sex,
        },
        exclude_pk=survivor.pk,
    )
    if request.method == "POST" and form.is_valid():
        duplicate = _visible(request).filter(pk=form.cleaned_data["duplicate"]).first()
        if duplicate is None or not request.user.scope.can(Cap.PEOPLE_MERGE, duplicate.organisation_id):
            form.add_error("duplicate", _("No record with that number that you may merge."))
        else:
            try:
                services.merge_people(
                    survivor=survivor,
                    duplicate=duplicate,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Records merged. Everything of both is kept on this record."))
                return redirect("person_detail", person_id=survivor.pk)
    return render(
        request, "people/person_merge.html", {"person": survivor, "form": form, "candidates": candidates}
    )


@requires(Cap.PEOPLE_VIEW)
def referral_inbox(request: AuthedRequest) -> HttpResponse:
    orgs = request.user.scope.orgs_with(Cap.PEOPLE_VIEW)
    referrals = Referral.objects.visible_to(request.user).select_related(
        "person", "from_organisation", "to_organisation", "created_by"
    )
    return render(
        request,
        "people/referral_inbox.html",
        {
            "incoming": [r for r in referrals if r.to_organisation_id in orgs],
            "outgoing": [r for r in referrals if r.from_organisation_id in orgs],
            "decline_form": DeclineForm(),
        },
    )


def _referral_for_receiver(request: AuthedRequest, referral_id: int) -> Referral:
    orgs = request.user.scope.orgs_with(Cap.PEOPLE_EDIT)
    return get_object_or_404(
        Referral.objects.select_related("person", "to_organisation", "consent"),
        pk=referral_id,
        to_organisation_id__in=orgs,
    )


@requires(Cap.PEOPLE_EDIT)
@require_POST
def referral_accept(request: AuthedRequest, referral_id: int) -> HttpResponse:
    referral = _referral_for_receiver(request, referral_id)
    try:
        sharing.accept_referral(referral=referral, user=request.user)
    except (sharing.ConsentMissing, ValueError) as exc:
        messages.error(request, str(exc))
        return redirect("referral_inbox")
    messages.success(request, _("Referral accepted."))
    return redirect("person_detail", person_id=referral.person_id)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def referral_decline(request: AuthedRequest, referral_id: int) -> HttpResponse:
    referral = _referral_for_receiver(request, referral_id)
    form = DeclineForm(request.POST)
    form.is_valid()
    try:
        sharing.decline_referral(
            referral=referral, user=request.user, reason=form.cleaned_data.get("reason", "")
        )
        messages.info(request, _("Referral declined."))
    except ValueError as exc:
        messages.error(request, str(exc))
    return redirect("referral_inbox")
