from django.contrib import admin
from django.urls import path

from crossings import health
from crossings.accounts import views as accounts
from crossings.admin_site import restrict_admin
from crossings.api import api
from crossings.audit import views as audit
from crossings.people import views as people

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
    path("i18n/setlang/", accounts.set_language, name="set_language"),
    path("people/", people.person_list, name="person_list"),
    path("people/<int:person_id>/", people.person_detail, name="person_detail"),
    path("audit/", audit.access_log, name="access_log"),
    path("healthz", health.healthz, name="healthz"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
