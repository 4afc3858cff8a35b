"""Roles and what each may do. The one table that says who may do what; views and API routes name a
capability, never a role, so adding a role means editing this file alone."""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", _("Organisation administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    CASEWORKER = "caseworker", _("Caseworker")
    LEGAL_ADVOCATE = "legal_advocate", _("Legal advocate")
    OUTREACH_WORKER = "outreach_worker", _("Outreach worker")
    ANALYST = "analyst", _("Analyst (aggregate data only)")
    VOLUNTEER = "volunteer", _("Volunteer (accompaniment only)")


class Cap(StrEnum):
    """Capabilities. A membership's role grants a set of them within that organisation."""

    PEOPLE_VIEW = "people.view"  # read person records the scope allows
    PEOPLE_EDIT = "people.edit"  # create and change person records, consents, referrals
    PEOPLE_MERGE = "people.merge"  # merge duplicate person records
    AUDIT_VIEW = "audit.view"  # read the organisation's access log
    ORG_MANAGE = "org.manage"  # manage the organisation's members
    STATS_VIEW = "stats.view"  # aggregate figures only, never a person
    OUTREACH_USE = "outreach.use"  # anonymous outreach clients and encounters
    CONVICTIONS_VIEW = "legal.convictions"  # criminal history, for post-conviction relief screening
    ACCOMPANY = "accompaniment.volunteer"  # sign up to accompany check-ins and hearings; never a file
    EXCHANGE = "exchange.use"  # the OSCaR / Primero exchange feed and inbound referrals (docs/exchange.md)


ROLE_CAPABILITIES: dict[str, frozenset[Cap]] = {
    # The administrator manages the organisation and watches the log; by least privilege they do not read
    # case files unless they also hold a casework role (a second membership).
    Role.ORG_ADMIN: frozenset({Cap.ORG_MANAGE, Cap.AUDIT_VIEW, Cap.STATS_VIEW}),
    Role.SUPERVISOR: frozenset(
        {
            Cap.PEOPLE_VIEW,
            Cap.PEOPLE_EDIT,
            Cap.PEOPLE_MERGE,
            Cap.AUDIT_VIEW,
            Cap.STATS_VIEW,
            Cap.OUTREACH_USE,
            Cap.CONVICTIONS_VIEW,
            # A bulk read of the people shared with the organisation, for another system: a supervisor's
            # decision (the OpenFn job runs with a token of a supervisor's account kept for it).
            Cap.EXCHANGE,
        }
    ),
    Role.CASEWORKER: frozenset({Cap.PEOPLE_VIEW, Cap.PEOPLE_EDIT, Cap.STATS_VIEW}),
    Role.LEGAL_ADVOCATE: frozenset({Cap.PEOPLE_VIEW, Cap.PEOPLE_EDIT, Cap.STATS_VIEW, Cap.CONVICTIONS_VIEW}),
    Role.OUTREACH_WORKER: frozenset({Cap.OUTREACH_USE}),
    Role.ANALYST: frozenset({Cap.STATS_VIEW}),
    # The least access of all: the check-ins and hearings the organisation opened for accompaniment (date,
    # time, place, the person's initials and language) and their own sign-ups. No file, no list, no search.
    Role.VOLUNTEER: frozenset({Cap.ACCOMPANY}),
}


class OrgKind(models.TextChoices):
    ADVOCACY = "advocacy", _("US advocacy / legal aid")
    RECEPTION = "reception", _("Reception and reintegration")
    OUTREACH = "outreach", _("Harm-reduction outreach")
    RESEARCH = "research", _("Research")
