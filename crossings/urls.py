from django.contrib import admin
from django.urls import path

from crossings import health
from crossings.accounts import views as accounts
from crossings.admin_site import restrict_admin
from crossings.api import api
from crossings.audit import views as audit
from crossings.cases import views as cases
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
    # People, journeys, consent and referrals
    path("people/", people.person_list, name="person_list"),
    path("people/new/", people.person_new, name="person_new"),
    path("people/check-duplicates/", people.person_check_duplicates, name="person_check_duplicates"),
    path("people/<int:person_id>/", people.person_detail, name="person_detail"),
    path("people/<int:person_id>/edit/", people.person_edit, name="person_edit"),
    path("people/<int:person_id>/events/", people.person_add_event, name="person_add_event"),
    path("people/<int:person_id>/consents/", people.person_add_consent, name="person_add_consent"),
    path("people/<int:person_id>/refer/", people.person_refer, name="person_refer"),
    path("people/<int:person_id>/aliases/", people.person_add_alias, name="person_add_alias"),
    path("people/<int:person_id>/family/", people.person_add_family, name="person_add_family"),
    path("people/<int:person_id>/photo/", people.person_photo, name="person_photo"),
    path("people/<int:person_id>/merge/", people.person_merge, name="person_merge"),
    path("people/<int:person_id>/cases/", cases.case_new, name="case_new"),
    path("consents/<int:consent_id>/withdraw/", people.consent_withdraw, name="consent_withdraw"),
    path("referrals/", people.referral_inbox, name="referral_inbox"),
    path("referrals/<int:referral_id>/accept/", people.referral_accept, name="referral_accept"),
    path("referrals/<int:referral_id>/decline/", people.referral_decline, name="referral_decline"),
    # Cases
    path("cases/<int:case_id>/", cases.case_detail, name="case_detail"),
    path("cases/<int:case_id>/close/", cases.case_close, name="case_close"),
    path("cases/<int:case_id>/tasks/", cases.task_add, name="task_add"),
    path("cases/<int:case_id>/notes/", cases.note_add, name="note_add"),
    path("cases/<int:case_id>/documents/", cases.document_upload, name="document_upload"),
    path("documents/<int:document_id>/", cases.document_download, name="document_download"),
    path("tasks/<int:task_id>/resolve/", cases.task_resolve, name="task_resolve"),
    path("tasks/overdue/", cases.overdue, name="overdue_tasks"),
    path("audit/", audit.access_log, name="access_log"),
    path("healthz", health.healthz, name="healthz"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
