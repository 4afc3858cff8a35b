"""Cases, tasks, notes and documents; accepting a referral (it moves the case a transfer names)."""

from django.urls import path

from crossings.cases import views

urlpatterns = [
    path("people/<int:person_id>/cases/", views.case_new, name="case_new"),
    path("referrals/<int:referral_id>/accept/", views.referral_accept, name="referral_accept"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/close/", views.case_close, name="case_close"),
    path("cases/<int:case_id>/reopen/", views.case_reopen, name="case_reopen"),
    path("cases/<int:case_id>/tasks/", views.task_add, name="task_add"),
    path("cases/<int:case_id>/notes/", views.note_add, name="note_add"),
    path("cases/<int:case_id>/documents/", views.document_upload, name="document_upload"),
    path("documents/<int:document_id>/", views.document_download, name="document_download"),
    path("tasks/<int:task_id>/resolve/", views.task_resolve, name="task_resolve"),
    path("tasks/overdue/", views.overdue, name="overdue_tasks"),
]
