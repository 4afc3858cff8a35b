"""Reception and reintegration: flights, manifests, arrival day, assessments, follow-ups."""

from django.urls import path

from crossings.reception import handover_views, views

urlpatterns = [
    path("reception/", views.batch_list, name="batch_list"),
    path("reception/batches/<int:batch_id>/", views.batch_detail, name="batch_detail"),
    path("reception/batches/<int:batch_id>/manifest/", views.manifest_upload, name="manifest_upload"),
    path("reception/imports/<int:import_id>/", views.manifest_preview, name="manifest_preview"),
    path("reception/arrivals/<int:arrival_id>/", views.arrival_checklist, name="arrival_checklist"),
    path(
        "reception/assessments/<int:assessment_id>/break-glass/",
        views.assessment_break_glass,
        name="assessment_break_glass",
    ),
    path("reception/goals/<int:goal_id>/achieved/", views.goal_achieved, name="goal_achieved"),
    path("reception/follow-ups/<int:follow_up_id>/", views.follow_up_record, name="follow_up_record"),
    path("reception/programme/", views.programme, name="programme"),
    path("reception/expected/", handover_views.expected_arrivals, name="expected_arrivals"),
    path("reception/packets/<int:packet_id>/", handover_views.packet_detail, name="packet_detail"),
    path("reception/packets/<int:packet_id>/answer/", handover_views.packet_answer, name="packet_answer"),
    path("reception/packets/<int:packet_id>/cancel/", handover_views.packet_cancel, name="packet_cancel"),
    path("people/<int:person_id>/packet/", handover_views.packet_new, name="packet_new"),
    path("people/<int:person_id>/reception/", views.person_reception, name="person_reception"),
    path("people/<int:person_id>/reception/assessments/", views.assessment_new, name="assessment_new"),
    path("people/<int:person_id>/reception/goals/", views.goal_new, name="goal_new"),
    path("people/<int:person_id>/reception/services/", views.service_new, name="service_new"),
]
