"""Outreach pages (/outreach/…) and the OpenRosa server (/openrosa/…, in ``openrosa_urlpatterns``)."""

from django.urls import path

from crossings.outreach import views, webform
from crossings.outreach.odk import views as odk

urlpatterns = [
    path("", views.home, name="outreach_home"),
    path("encounters/", views.encounter_list, name="outreach_encounter_list"),
    path("encounters/new/", views.encounter_new, name="outreach_encounter_new"),
    path("encounters/odk/", webform.page, name="outreach_odk_web_form"),
    path("encounters/odk/form.xml", webform.form_xml, name="outreach_odk_form_xml"),
    path("encounters/odk/media/<str:filename>", webform.media, name="outreach_odk_media"),
    path("encounters/odk/submission", webform.submission, name="outreach_odk_submission"),
    path("indicators/", views.indicator_view, name="outreach_indicators"),
    path("indicators/by/<str:by>/", views.indicator_breakdown, name="outreach_indicator_breakdown"),
    path("supplies/", views.supplies, name="outreach_supplies"),
    path("supplies/reconciliation/", views.reconciliation, name="outreach_reconciliation"),
    path("submissions/", views.submission_list, name="outreach_submissions"),
    path("reports/quarterly.xlsx", views.donor_report, name="outreach_donor_report"),
]

openrosa_urlpatterns = [
    path("formList", odk.form_list, name="openrosa_form_list"),
    path("forms/<str:form_id>/<str:version>/form.xml", odk.form_download, name="openrosa_form_download"),
    path("forms/<str:form_id>/<str:version>/manifest", odk.manifest, name="openrosa_manifest"),
    path("forms/<str:form_id>/<str:version>/media/<str:filename>", odk.media, name="openrosa_media"),
    path("submission", odk.submission, name="openrosa_submission"),
]
