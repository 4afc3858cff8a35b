from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from crossings.accounts.models import ApiToken, EnrolmentCode, Membership, Organisation, User
from crossings.accounts.roles import Cap


def managed_org_ids(request: HttpRequest) -> frozenset[int] | None:
    """None for superusers (all organisations); otherwise the organisations this admin manages."""
    if request.user.is_superuser:
        return None
    return request.user.scope.orgs_with(Cap.ORG_MANAGE)  # type: ignore[union-attr]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "country")
    search_fields = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        qs = super().get_queryset(request)
        orgs = managed_org_ids(request)
        return qs if orgs is None else qs.filter(pk__in=orgs)


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    inlines = [MembershipInline]
    list_display = ("username", "first_name", "last_name", "is_active", "language")
    fieldsets = (*BaseUserAdmin.fieldsets, ("Crossings", {"fields": ("language",)}))  # type: ignore[misc]
    actions = ["issue_enrolment_codes"]

    @admin.action(description=_("Issue a two-factor set-up code"))
    def issue_enrolment_codes(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse:
        """A one-time code per selected user, shown once, with which they enrol an authenticator app."""
        rows = []
        for user in queryset.order_by("username"):
            code, raw = EnrolmentCode.issue(user=user, created_by=request.user)  # type: ignore[arg-type]
            rows.append({"user": user, "code": code, "raw": raw})
        context = {
            **self.admin_site.each_context(request),
            "codes": rows,
            "hours": settings.CROSSINGS_ENROLMENT_HOURS,
            "title": _("Two-factor set-up codes"),
        }
        response = TemplateResponse(request, "admin/accounts/enrolment_codes.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        qs = super().get_queryset(request)
        orgs = managed_org_ids(request)
        return qs if orgs is None else qs.filter(memberships__organisation_id__in=orgs).distinct()


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "organisation", "role", "is_responder")
    list_filter = ("role", "organisation")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        qs = super().get_queryset(request)
        orgs = managed_org_ids(request)
        return qs if orgs is None else qs.filter(organisation_id__in=orgs)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        orgs = managed_org_ids(request)
        if db_field.name == "organisation" and orgs is not None:
            kwargs["queryset"] = Organisation.objects.filter(pk__in=orgs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("hint", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "hint", "created_at", "last_used_at")
    fields = ("user", "name", "hint", "created_at", "last_used_at", "revoked_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are issued by their owner or `crossings token create`, shown once

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        qs = super().get_queryset(request)
        orgs = managed_org_ids(request)
        return qs if orgs is None else qs.filter(user__memberships__organisation_id__in=orgs).distinct()
