from django.contrib import admin
from django.urls import include, path

from crossings import gazetteer_views, health
from crossings.accounts import views as accounts
from crossings.admin_site import restrict_admin
from crossings.api import api
from crossings.outreach import urls as outreach_urls
from crossings.stats import views as stats

restrict_admin(admin.site)

urlpatterns = [
    path("", accounts.home, name="home"),
    path("login/", accounts.login, name="login"),
    path("logout/", accounts.logout_view, name="logout"),
    path("logout/everywhere/", accounts.logout_everywhere, name="logout_everywhere"),
    path("account/2fa/", accounts.two_factor, name="two_factor"),
    path("account/2fa/setup/", accounts.two_factor_setup, name="two_factor_setup"),
    path("account/tokens/", accounts.api_tokens, name="api_tokens"),
    path("account/tokens/<int:token_id>/revoke/", accounts.api_token_revoke, name="api_token_revoke"),
    path("drafts/<str:draft_id>/", accounts.draft_restore, name="draft_restore"),
    path("i18n/setlang/", accounts.set_language, name="set_language"),
    path("", include("crossings.people.urls")),
    path("", include("crossings.cases.urls")),
    path("", include("crossings.legal.urls")),
    path("", include("crossings.reception.urls")),
    path("", include("crossings.calls.urls")),
    path("", include("crossings.bonds.urls")),
    path("", include("crossings.accompaniment.urls")),
    path("", include("crossings.exchange.urls")),
    path("", include("crossings.audit.urls")),
    path("", include("crossings.webhooks.urls")),
    path("", include("crossings.reminders.urls")),
    # Outreach (anonymous clients) and the OpenRosa server for ODK Collect
    path("outreach/", include(outreach_urls.urlpatterns)),
    path("openrosa/", include(outreach_urls.openrosa_urlpatterns)),
    # Statistics: the public page, programme statistics, reports
    path("stats/", stats.public_page, name="stats_public"),
    path("stats/<slug:dataset>.csv", stats.download_csv, name="stats_csv"),
    path("stats/programme/", stats.programme_page, name="stats_programme"),
    path("stats/reports/", stats.report_new, name="stats_report_new"),
    path("stats/reports/<int:report_id>/", stats.report_detail, name="stats_report"),
    path("stats/reports/<int:report_id>/download/", stats.report_download, name="stats_report_download"),
    path("places/<slug:level>/options", gazetteer_views.place_options, name="place_options"),
    path("healthz", health.healthz, name="healthz"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
