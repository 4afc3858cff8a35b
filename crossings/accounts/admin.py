"""The back office (Django admin) for organisation administrators.

Access is derived from the Membership role, never from Django model permissions: a user holding
``Cap.ORG_MANAGE`` in an organisation manages that organisation's members here, and nothing else. For a
non-superuser the back office

- never offers ``is_superuser``, ``is_staff``, groups or user permissions (the form has no such field, so a
  posted value is ignored), nor a revert from history (which would write every stored field back);
- lists, offers and accepts only the organisations the administrator manages (a posted other organisation
  is refused by the form), and only users whose memberships all lie in them;
- never lets an administrator change their own memberships: the least-privilege rule of docs/roles.md
  (an administrator does not read case files) would mean nothing if they could make themselves a
  supervisor. A second membership for a director comes from another administrator or the CLI;
- never changes a superuser, nor a user who is also a member of an organisation the administrator does
  not manage (their password and name are that other organisation's business too).

Superusers keep Django's behaviour.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from crossings.accounts.models import ApiToken, EnrolmentCode, Membership, Organisation, User
from crossings.accounts.roles import Cap
from crossings.admin_site import admin_allows


def managed_org_ids(request: HttpRequest) -> frozenset[int] | None:
    """None for superusers (all organisations); otherwise the organisations this admin manages."""
    if request.user.is_superuser:
        return None
    return request.user.scope.orgs_with(Cap.ORG_MANAGE)  # type: ignore[union-attr]


def _superuser(request: HttpRequest) -> bool:
    return bool(request.user.is_superuser)


def user_is_managed_by(request: HttpRequest, user: User) -> bool:
    """May this administrator change ``user``: not a superuser, a member of at least one of the
    administrator's organisations and of no other organisation."""
    orgs = managed_org_ids(request)
    if orgs is None:
        return True
    if user.is_superuser:
        return False
    held = set(Membership.objects.filter(user_id=user.pk).values_list("organisation_id", flat=True))
    return bool(held) and held <= orgs


class CapabilityAdmin:
    """Permissions from the membership role: the org admin's capability, limited to their organisations."""

    def manages(self, request: HttpRequest, obj: Any) -> bool:
        raise NotImplementedError

    def may_change(self, request: HttpRequest, obj: Any) -> bool:
        return self.manages(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _superuser(request) or admin_allows(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if _superuser(request):
            return super().has_view_permission(request, obj)  # type: ignore[misc]
        return admin_allows(request) and (obj is None or self.manages(request, obj))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if _superuser(request):
            return super().has_change_permission(request, obj)  # type: ignore[misc]
        return admin_allows(request) and (obj is None or self.may_change(request, obj))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _superuser(request) or admin_allows(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _superuser(request) and super().has_delete_permission(request, obj)  # type: ignore[misc]

    def has_change_history_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A revert writes every stored field of an old version back (for a user: is_superuser, is_staff).
        return _superuser(request)

    def history_form_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and not _superuser(request):
            raise PermissionDenied
        return super().history_form_view(request, *args, **kwargs)  # type: ignore[misc]


def _managed_memberships(request: HttpRequest, memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    """The memberships an administrator sees and changes, in the list and inline on a user's page: those of
    the organisations they manage (all of them for a superuser)."""
    orgs = managed_org_ids(request)
    return memberships if orgs is None else memberships.filter(organisation_id__in=orgs)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return _managed_memberships(request, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        orgs = managed_org_ids(request)
        if db_field.name == "organisation" and orgs is not None:
            kwargs["queryset"] = Organisation.objects.filter(pk__in=orgs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_min_num(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int | None:
        # A new user made by an administrator joins one of their organisations (else they would vanish
        # from the administrator's list the moment they are saved).
        return 1 if obj is None and not _superuser(request) else super().get_min_num(request, obj, **kwargs)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        if obj is None and not _superuser(request):
            kwargs["validate_min"] = True
        return super().get_formset(request, obj, **kwargs)

    def _may_edit(self, request: HttpRequest, obj: Any) -> bool:
        if _superuser(request):
            return True
        if not admin_allows(request):
            return False
        return obj is None or (obj.pk != request.user.pk and user_is_managed_by(request, obj))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _superuser(request) or admin_allows(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)


@admin.register(Organisation)
class OrganisationAdmin(CapabilityAdmin, SimpleHistoryAdmin):
    list_display = ("name", "kind", "country")
    search_fields = ("name",)

    def manages(self, request: HttpRequest, obj: Any) -> bool:
        orgs = managed_org_ids(request)
        return orgs is None or obj.pk in orgs

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _superuser(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        qs = super().get_queryset(request)
        orgs = managed_org_ids(request)
        return qs if orgs is None else qs.filter(pk__in=orgs)


@admin.register(User)
class UserAdmin(CapabilityAdmin, BaseUserAdmin, SimpleHistoryAdmin):
    inlines = [MembershipInline]
    list_display = ("username", "first_name", "last_name", "is_active", "language")
    fieldsets = (*BaseUserAdmin.fieldsets, ("Crossings", {"fields": ("language",)}))  # type: ignore[misc]
    # What an organisation administrator may set: no superuser or staff flag, no groups, no permissions.
    org_admin_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Permissions"), {"fields": ("is_active",)}),
        ("Crossings", {"fields": ("language",)}),
    )
    actions = ["issue_enrolment_codes"]

    def manages(self, request: HttpRequest, obj: Any) -> bool:
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def may_change(self, request: HttpRequest, obj: Any) -> bool:
        return user_is_managed_by(request, obj)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None or _superuser(request):
            return super().get_fieldsets(request, obj)  # the add form: user name and password only
        return self.org_admin_fieldsets

    def get_list_filter(self, request: HttpRequest) -> Any:
        return super().get_list_filter(request) if _superuser(request) else ("is_active",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        qs = super().get_queryset(request)
        orgs = managed_org_ids(request)
        return qs if orgs is None else qs.filter(memberships__organisation_id__in=orgs).distinct()

    @admin.action(description=_("Issue a two-factor set-up code"))
    def issue_enrolment_codes(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        """A one-time code per selected user, shown once, with which they enrol an authenticator app."""
        rows = []
        for user in queryset.order_by("username"):
            if not user_is_managed_by(request, user):
                continue
            code, raw = EnrolmentCode.issue(user=user, created_by=request.user)  # type: ignore[arg-type]
            rows.append({"user": user, "code": code, "raw": raw})
        if not rows:
            messages.error(request, _("None of these users is yours alone to manage."))
            return None
        context = {
            **self.admin_site.each_context(request),
            "codes": rows,
            "hours": settings.CROSSINGS_ENROLMENT_HOURS,
            "title": _("Two-factor set-up codes"),
        }
        response = TemplateResponse(request, "admin/accounts/enrolment_codes.html", context)
        response["Cache-Control"] = "no-store"
        return response


@admin.register(Membership)
class MembershipAdmin(CapabilityAdmin, SimpleHistoryAdmin):
    list_display = ("user", "organisation", "role", "is_responder")
    # Only organisations that appear in the (already limited) list, never the names of all of them.
    list_filter = ("role", ("organisation", admin.RelatedOnlyFieldListFilter))

    def manages(self, request: HttpRequest, obj: Any) -> bool:
        orgs = managed_org_ids(request)
        return orgs is None or obj.organisation_id in orgs

    def may_change(self, request: HttpRequest, obj: Any) -> bool:
        return self.manages(request, obj) and obj.user_id != request.user.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if _superuser(request):
            return super().has_delete_permission(request, obj)
        return admin_allows(request) and (obj is None or self.may_change(request, obj))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return _managed_memberships(request, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        orgs = managed_org_ids(request)
        if orgs is not None:
            if db_field.name == "organisation":
                kwargs["queryset"] = Organisation.objects.filter(pk__in=orgs)
            elif db_field.name == "user":
                kwargs["queryset"] = (
                    User.objects.filter(memberships__organisation_id__in=orgs, is_superuser=False)
                    .exclude(pk=request.user.pk or 0)
                    .distinct()
                    .order_by("username")
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ApiToken)
class ApiTokenAdmin(CapabilityAdmin, admin.ModelAdmin):
    list_display = ("hint", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "hint", "created_at", "last_used_at")
    fields = ("user", "name", "hint", "created_at", "last_used_at", "revoked_at")

    def manages(self, request: HttpRequest, obj: Any) -> bool:
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are issued by their owner or `crossings token create`, shown once

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        qs = super().get_queryset(request)
        orgs = managed_org_ids(request)
        return qs if orgs is None else qs.filter(user__memberships__organisation_id__in=orgs).distinct()
