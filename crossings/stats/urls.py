"""Statistics pages (/stats/…): the public page, its CSV downloads, programme statistics and reports."""

from django.urls import path

from crossings.stats import views

urlpatterns = [
    path("stats/", views.public_page, name="stats_public"),
    path("stats/<slug:dataset>.csv", views.download_csv, name="stats_csv"),
    path("stats/programme/", views.programme_page, name="stats_programme"),
    path("stats/reports/", views.report_new, name="stats_report_new"),
    path("stats/reports/<int:report_id>/", views.report_detail, name="stats_report"),
    path("stats/reports/<int:report_id>/download/", views.report_download, name="stats_report_download"),
]
