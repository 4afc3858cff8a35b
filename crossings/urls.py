from django.contrib import admin
from django.urls import include, path

from crossings import health
from crossings.accounts import views as accounts
from crossings.admin_site import restrict_admin
from crossings.api import api
from crossings.audit import views as audit
from crossings.cases import views as cases
from crossings.legal import views as legal
from crossings.outreach import urls as outreach_urls
from crossings.people import views as people
from crossings.reception import views as reception
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
    # Legal track
    path("people/<int:person_id>/legal/", legal.person_legal, name="person_legal"),
    path("people/<int:person_id>/legal/proceedings/", legal.proceeding_new, name="proceeding_new"),
    path("people/<int:person_id>/legal/detained/", legal.detain, name="detain"),
    path("people/<int:person_id>/legal/check-ins/", legal.check_in_new, name="check_in_new"),
    path(
        "people/<int:person_id>/legal/travel-documents/",
        legal.travel_document_new,
        name="travel_document_new",
    ),
    path("people/<int:person_id>/legal/convictions/", legal.conviction_new, name="conviction_new"),
    path("legal/proceedings/<int:proceeding_id>/events/", legal.court_event_new, name="court_event_new"),
    path("legal/court-events/<int:event_id>/correct/", legal.court_event_correct, name="court_event_correct"),
    path("legal/deadlines/<int:deadline_id>/resolve/", legal.deadline_resolve, name="deadline_resolve"),
    path("legal/detentions/<int:detention_id>/release/", legal.detention_release, name="detention_release"),
    path("legal/deadlines/", legal.deadline_board, name="deadline_board"),
    path("legal/rapid-response/", legal.rapid_response, name="rapid_response"),
    path(
        "legal/rapid-response/<int:response_id>/resend/",
        legal.rapid_response_resend,
        name="rapid_response_resend",
    ),
    path("legal/calendar/", legal.calendar_feeds, name="calendar_feeds"),
    path("legal/calendar/<str:secret>.ics", legal.calendar_feed, name="calendar_feed"),
    # Reception and reintegration
    path("reception/", reception.batch_list, name="batch_list"),
    path("reception/batches/<int:batch_id>/", reception.batch_detail, name="batch_detail"),
    path("reception/batches/<int:batch_id>/manifest/", reception.manifest_upload, name="manifest_upload"),
    path("reception/imports/<int:import_id>/", reception.manifest_preview, name="manifest_preview"),
    path("reception/arrivals/<int:arrival_id>/", reception.arrival_checklist, name="arrival_checklist"),
    path(
        "reception/assessments/<int:assessment_id>/break-glass/",
        reception.assessment_break_glass,
        name="assessment_break_glass",
    ),
    path("reception/goals/<int:goal_id>/achieved/", reception.goal_achieved, name="goal_achieved"),
    path("reception/follow-ups/<int:follow_up_id>/", reception.follow_up_record, name="follow_up_record"),
    path("reception/programme/", reception.programme, name="programme"),
    path("people/<int:person_id>/reception/", reception.person_reception, name="person_reception"),
    path("people/<int:person_id>/reception/assessments/", reception.assessment_new, name="assessment_new"),
    path("people/<int:person_id>/reception/goals/", reception.goal_new, name="goal_new"),
    path("people/<int:person_id>/reception/services/", reception.service_new, name="service_new"),
    path("audit/", audit.access_log, name="access_log"),
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
    path("healthz", health.healthz, name="healthz"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
