from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crossings.accounts import keep
from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.audit.models import AccessLog
from crossings.audit.reads import Reader, log_view, read_one
from crossings.errors import Refused
from crossings.formtools import ask_first, confirm_then, form_errors, submit
from crossings.people import journey, matching, selectors, services, sharing
from crossings.people.access import PersonAccess
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


def _editable(request: AuthedRequest, person_id: int, part: str | None = None) -> PersonAccess:
    """For a write: the person, if the user may change ``part`` of the record (people.access)."""
    access = selectors.person_access(request.user, person_id)
    access.require_edit(part)
    return access


@requires(Cap.PEOPLE_VIEW)
def person_list(request: AuthedRequest) -> HttpResponse:
    """The list, and the search. A search is a POST: a name or an A-number in a URL would be kept in proxy
    logs and browser history (docs/privacy.md)."""
    reader = Reader.of(request)
    query = request.POST.get("q", "").strip()[: matching.MAX_QUERY] if request.method == "POST" else ""
    if query:
        results = selectors.search_people(reader, query, limit=30)
        # A full page of perfect scores: the name is common, and only a year or an A-number will tell apart.
        common = len(results) == 30 and results[-1].score >= 0.999
        context: dict[str, Any] = {"query": query, "results": results, "common_name": common}
    else:
        people = selectors.visible_people(request.user).only(
            "id", "given_name", "family_name", "name_km", "status", "organisation_id"
        )
        page = Paginator(people, 50).get_page(request.GET.get("page"))
        selectors.people_page(reader, page.object_list, total=page.paginator.count)
        context = {"query": "", "page": page}
    template = "people/_results.html" if request.htmx else "people/person_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@requires(Cap.PEOPLE_EDIT)
@keep.restorable
def person_new(request: AuthedRequest) -> HttpResponse:
    form = PersonForm(keep.form_data(request), request.FILES or None)
    duplicates: list[matching.Match] = []
    if request.method == "POST" and form.is_valid():
        # Sent again (a dropped connection, a double tap): the person it registered, before any warning
        # about the duplicate that the first submission made.
        answer = keep.replayed(request, form.cleaned_data["submission"])
        if answer is not None:
            return answer
        data = {k: v for k, v in form.cleaned_data.items() if k in services.EDITABLE_FIELDS}
        duplicates = selectors.duplicate_candidates(
            Reader.of(request), {**data, "aliases": form.alias_list()}
        )
        if duplicates and not form.cleaned_data["not_a_duplicate"]:
            messages.warning(
                request, _("This person may already be registered. Check the list before saving.")
            )
        else:

            def register() -> Person:
                person = services.create_person(
                    organisation_id=request.user.scope.acting_organisation(Cap.PEOPLE_EDIT),
                    user=request.user,
                    data=data,
                    aliases=form.alias_list(),
                )
                if form.cleaned_data.get("photo"):
                    person.photo = form.cleaned_data["photo"]
                    person.save(update_fields=["photo"])
                return person

            try:
                person = keep.once(request, form.cleaned_data["submission"], register, _page_of)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if isinstance(person, HttpResponse):
                    return person
                messages.success(request, _("Registered."))
                return redirect("person_detail", person_id=person.pk)
    return render(
        request, "people/person_form.html", {"form": form, "duplicates": duplicates, "creating": True}
    )


def _page_of(person: Person) -> str:
    return reverse("person_detail", args=[person.pk])


@requires(Cap.PEOPLE_EDIT)
@require_POST
def person_check_duplicates(request: AuthedRequest) -> HttpResponse:
    """htmx: the possible duplicates of what is typed so far, before anything is saved."""
    form = PersonForm(request.POST)
    form.is_valid()  # partial input is fine here: use whatever fields are clean
    data = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if k in services.EDITABLE_FIELDS}
    aliases = form.alias_list() if hasattr(form, "cleaned_data") else []
    duplicates = selectors.duplicate_candidates(Reader.of(request), {**data, "aliases": aliases})
    return render(request, "people/_duplicates.html", {"duplicates": duplicates})


@requires(Cap.PEOPLE_VIEW)
def person_detail(request: AuthedRequest, person_id: int) -> HttpResponse:
    return _person_page(request, person_id)


def _person_page(
    request: AuthedRequest, person_id: int, *, referral_form: ReferralForm | None = None, status: int = 200
) -> HttpResponse:
    """The person page; a refused form is shown again on it, bound to what was typed (``status`` 422), and a
    form restored after a login is shown filled in (accounts.keep)."""
    access = selectors.person_for(Reader.of(request), person_id)
    person = access.person
    sections = access.sections
    referral_orgs = {access.organisation_id, person.organisation_id}
    if referral_form is None:
        referral_form = ReferralForm(
            keep.restored(request, reverse("person_refer", args=[person.pk])), exclude_orgs=referral_orgs
        )
    context = {
        "person": person,
        "access": access,
        "sections": sections,
        "status_label": journey.Status(person.status).label if access.status else None,
        "events": person.events.select_related("recorded_by") if access.shows("journey") else [],
        "aliases": list(person.aliases.all()),
        "family": list(person.family.all()) if access.shows("contact") else [],
        # Which organisations the person shares with is the holder's to know.
        "consents": list(person.consents.select_related("shared_with", "recorded_by"))
        if access.holder
        else [],
        "referrals": Referral.objects.visible_to(request.user)
        .filter(person=person)
        .select_related("from_organisation", "to_organisation"),
        "can_edit": access.can_edit,
        "editable_orgs": request.user.scope.orgs_with(Cap.PEOPLE_EDIT),
        "owner": access.holder,
        "can_write_journey": access.can_edit and (access.holder or access.shows("journey")),
        "can_write_family": access.can_edit and (access.holder or access.shows("contact")),
        "can_merge": access.holder and request.user.scope.can(Cap.PEOPLE_MERGE, person.organisation_id),
        "event_form": EventForm(keep.restored(request, reverse("person_add_event", args=[person.pk]))),
        "consent_form": ConsentForm(
            keep.restored(request, reverse("person_add_consent", args=[person.pk])),
            exclude_org=access.organisation_id,
        ),
        "referral_form": referral_form,
        "alias_form": AliasForm(keep.restored(request, reverse("person_add_alias", args=[person.pk]))),
        "family_form": FamilyForm(keep.restored(request, reverse("person_add_family", args=[person.pk]))),
    }
    return render(request, "people/person_detail.html", context, status=status)


@requires(Cap.PEOPLE_EDIT)
@keep.restorable
def person_edit(request: AuthedRequest, person_id: int) -> HttpResponse:
    access = _editable(request, person_id)  # only the holder rewrites the record
    person = access.person
    # A restored draft keeps the version it was typed against: saved over a newer record, it is a conflict.
    form = PersonForm(
        keep.form_data(request), request.FILES or None, instance=person, initial={"version": person.version}
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
    # The form shows the A-number and contact: showing it is a read, logged.
    read_one(Reader.of(request), person, reason="edit form")
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
@keep.restorable(page="person_detail")
def person_add_event(request: AuthedRequest, person_id: int) -> HttpResponse:
    access = _editable(request, person_id, "journey")
    form = EventForm(request.POST)
    if form.is_valid():
        try:
            journey.record_event(
                person=access.person,
                user=request.user,
                organisation_id=access.organisation_id,
                **form.cleaned_data,
            )
            messages.success(request, _("Event recorded."))
        except journey.JourneyError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("The event was not recorded: %(errors)s") % {"errors": form_errors(form)})
    return redirect("person_detail", person_id=person_id)


@requires(Cap.PEOPLE_EDIT)
@require_POST
@keep.restorable(page="person_detail")
def person_add_consent(request: AuthedRequest, person_id: int) -> HttpResponse:
    access = _editable(request, person_id)
    form = ConsentForm(request.POST, request.FILES, exclude_org=access.organisation_id)
    if form.is_valid():
        try:
            sharing.record_consent(person=access.person, user=request.user, **form.cleaned_data)
            messages.success(request, _("Consent recorded."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("The consent was not recorded: %(errors)s") % {"errors": form_errors(form)})
    return redirect("person_detail", person_id=person_id)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def consent_withdraw(request: AuthedRequest, consent_id: int) -> HttpResponse:
    consent = get_object_or_404(Consent, pk=consent_id, person__in=selectors.visible_people(request.user))
    _editable(request, consent.person_id)
    lines = [
        _("The consent “%(scope)s” given on %(date)s will be withdrawn.")
        % {"scope": consent.get_scope_display(), "date": consent.given_on}
    ]
    if consent.shared_with_id:
        lines.append(
            _("%(org)s will no longer see the record, nor will anyone who received it through them.")
            % {"org": consent.shared_with}
        )
    lines.append(_("It cannot be undone here: only a new consent from the person shares the record again."))
    return confirm_then(
        request,
        title=_("Withdraw this consent?"),
        lines=lines,
        action=_("Withdraw the consent"),
        back=reverse("person_detail", args=[consent.person_id]),
        do=lambda: sharing.withdraw_consent(consent=consent, user=request.user),
        success=_("Consent withdrawn. Organisations it covered no longer see the record."),
    )


@requires(Cap.PEOPLE_EDIT)
@require_POST
@keep.restorable(page="person_detail")
def person_refer(request: AuthedRequest, person_id: int) -> HttpResponse:
    """Send a referral. Refused (no consent, a bad choice), the person page is shown again with the form
    as typed, the purpose included, and what was wrong; sent twice, it is sent once."""
    access = _editable(request, person_id, "referral")
    form = ReferralForm(request.POST, exclude_orgs={access.organisation_id, access.person.organisation_id})
    if form.is_valid():
        try:
            sent = keep.once(
                request,
                form.cleaned_data["submission"],
                lambda: sharing.refer(
                    person=access.person,
                    to_organisation=form.cleaned_data["to_organisation"],
                    purpose=form.cleaned_data["purpose"],
                    kind=form.cleaned_data["kind"],
                    user=request.user,
                ),
                lambda referral: reverse("person_detail", args=[referral.person_id]) + "#referrals",
            )
        except Refused as exc:
            form.add_error(None, exc.message)
        else:
            if isinstance(sent, HttpResponse):
                return sent
            messages.success(request, _("Referral sent."))
            return redirect("person_detail", person_id=person_id)
    return _person_page(request, person_id, referral_form=form, status=422)


@requires(Cap.PEOPLE_EDIT)
@require_POST
@keep.restorable(page="person_detail")
def person_add_alias(request: AuthedRequest, person_id: int) -> HttpResponse:
    access = _editable(request, person_id)
    form = AliasForm(request.POST)
    if form.is_valid():
        try:
            services.add_alias(person=access.person, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Other name added."))
    else:
        messages.error(request, form_errors(form))
    return redirect("person_detail", person_id=person_id)


@requires(Cap.PEOPLE_EDIT)
@require_POST
@keep.restorable(page="person_detail")
def person_add_family(request: AuthedRequest, person_id: int) -> HttpResponse:
    access = _editable(request, person_id, "family")
    submit(
        request,
        FamilyForm(request.POST),
        lambda data: services.add_family_member(person=access.person, user=request.user, data=data),
        _("Family member added."),
    )
    return redirect("person_detail", person_id=person_id)


@requires(Cap.PEOPLE_VIEW)
def person_photo(request: AuthedRequest, person_id: int) -> FileResponse:
    access = selectors.person_access(request.user, person_id)
    person = access.person
    if not person.photo or not access.shows("photo"):
        raise Http404
    log_view(
        Reader.of(request),
        person,
        organisation_id=person.organisation_id,
        action=AccessLog.Action.DOWNLOAD,
        reason="photo",
    )
    handle = person.photo.open("rb")
    content_type = sniff(handle.read(16)) or "application/octet-stream"
    handle.seek(0)
    return FileResponse(handle, content_type=content_type)


def _ask_before_merging(request: AuthedRequest, reader: Reader, survivor: Person, duplicate: Person) -> Any:
    """The two records side by side before they become one (the duplicate's read is logged)."""
    duplicate = selectors.person_for(reader, duplicate.pk, reason="merge").person

    def facts(p: Person) -> list[Any]:
        born = f"{p.birth_date} ({p.get_birth_date_precision_display()})" if p.birth_date else ""
        return [
            p.display_name,
            p.name_km,
            born,
            p.get_sex_display(),
            p.a_number or "",
            p.organisation.name,
            str(p.events.count()),
            str(p.consents.count()),
            str(p.cases.count()),  # the reverse of cases.Case.person: no import of cases
        ]

    labels = [
        _("Name"),
        _("full name in Khmer script"),
        _("date of birth"),
        _("sex"),
        _("A-number"),
        _("Held by"),
        _("Journey events"),
        _("Consents"),
        _("Cases"),
    ]
    rows = list(zip(labels, facts(survivor), facts(duplicate), strict=True))
    return ask_first(
        request,
        title=_("Merge these two records?"),
        lines=[
            _("#%(dup)s becomes part of #%(keep)s: its events, cases, consents, names and log move there.")
            % {"dup": duplicate.pk, "keep": survivor.pk},
            _("#%(dup)s stays in the database, hidden, pointing to #%(keep)s. Check the two are one person.")
            % {"dup": duplicate.pk, "keep": survivor.pk},
        ],
        action=_("Merge"),
        cancel_url=reverse("person_merge", args=[survivor.pk]),
        compare=(
            _("This record (#%(id)s)") % {"id": survivor.pk},
            _("Duplicate (#%(id)s)") % {"id": duplicate.pk},
            rows,
        ),
    )


@requires(Cap.PEOPLE_MERGE)
def person_merge(request: AuthedRequest, person_id: int) -> HttpResponse:
    reader = Reader.of(request)
    access = selectors.person_for(reader, person_id, reason="merge")
    survivor = access.person
    if not access.holder or not request.user.scope.can(Cap.PEOPLE_MERGE, survivor.organisation_id):
        raise PermissionDenied
    form = MergeForm(request.POST or None)
    candidates = selectors.duplicate_candidates(
        reader,
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
        duplicate = selectors.visible_people(request.user).filter(pk=form.cleaned_data["duplicate"]).first()
        if duplicate is None or not request.user.scope.can(Cap.PEOPLE_MERGE, duplicate.organisation_id):
            form.add_error("duplicate", _("No record with that number that you may merge."))
        elif (asking := _ask_before_merging(request, reader, survivor, duplicate)) is not None:
            return asking
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
    referrals = list(
        Referral.objects.visible_to(request.user).select_related(
            "person", "from_organisation", "to_organisation", "created_by"
        )
    )
    selectors.referrals_of(Reader.of(request), referrals)
    return render(
        request,
        "people/referral_inbox.html",
        {
            "incoming": [r for r in referrals if r.to_organisation_id in orgs],
            "outgoing": [r for r in referrals if r.from_organisation_id in orgs],
            "decline_form": DeclineForm(),
        },
    )


@requires(Cap.PEOPLE_EDIT)
@require_POST
def referral_decline(request: AuthedRequest, referral_id: int) -> HttpResponse:
    referral = selectors.received_referral(request.user, referral_id)
    form = DeclineForm(request.POST)
    form.is_valid()
    try:
        sharing.decline_referral(
            referral=referral, user=request.user, reason=form.cleaned_data.get("reason", "")
        )
        messages.info(request, _("Referral declined."))
    except Refused as exc:
        messages.error(request, exc.message)
    return redirect("referral_inbox")


@requires(Cap.PEOPLE_EDIT)
@require_POST
def referral_cancel(request: AuthedRequest, referral_id: int) -> HttpResponse:
    referral = selectors.sent_referral(request.user, referral_id)
    return confirm_then(
        request,
        title=_("Cancel this referral?"),
        lines=[
            _("The referral of %(person)s to %(org)s will be cancelled: %(org)s will not see it.")
            % {"person": referral.person.display_name, "org": referral.to_organisation.name},
            _("To undo it, send the referral again."),
        ],
        action=_("Cancel the referral"),
        back=reverse("person_detail", args=[referral.person_id]),
        do=lambda: sharing.cancel_referral(referral=referral, user=request.user),
        success=_("Referral cancelled. To undo it, send the referral again."),
    )
