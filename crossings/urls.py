from django.contrib import admin
from django.urls import include, path

from crossings import gazetteer_views, health
from crossings.admin_site import restrict_admin
from crossings.api import api
from crossings.outreach import urls as outreach_urls

restrict_admin(admin.site)

urlpatterns = [
    path("", include("crossings.accounts.urls")),
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
    path("", include("crossings.stats.urls")),
    path("places/<slug:level>/options", gazetteer_views.place_options, name="place_options"),
    path("healthz", health.healthz, name="healthz"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
