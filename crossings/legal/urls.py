"""The legal track: proceedings, deadlines, detention and rapid response, calendar feeds."""

from django.urls import path

from crossings.legal import views

urlpatterns = [
    path("people/<int:person_id>/legal/", views.person_legal, name="person_legal"),
    path("people/<int:person_id>/legal/proceedings/", views.proceeding_new, name="proceeding_new"),
    path("people/<int:person_id>/legal/detained/", views.detain, name="detain"),
    path("people/<int:person_id>/legal/check-ins/", views.check_in_new, name="check_in_new"),
    path(
        "people/<int:person_id>/legal/travel-documents/",
        views.travel_document_new,
        name="travel_document_new",
    ),
    path("people/<int:person_id>/legal/convictions/", views.conviction_new, name="conviction_new"),
    path("legal/proceedings/<int:proceeding_id>/events/", views.court_event_new, name="court_event_new"),
    path("legal/court-events/<int:event_id>/correct/", views.court_event_correct, name="court_event_correct"),
    path("legal/deadlines/<int:deadline_id>/resolve/", views.deadline_resolve, name="deadline_resolve"),
    path("legal/detentions/<int:detention_id>/release/", views.detention_release, name="detention_release"),
    path("legal/deadlines/", views.deadline_board, name="deadline_board"),
    path("legal/rapid-response/", views.rapid_response, name="rapid_response"),
    path(
        "legal/rapid-response/<int:response_id>/resend/",
        views.rapid_response_resend,
        name="rapid_response_resend",
    ),
    path("legal/calendar/", views.calendar_feeds, name="calendar_feeds"),
    path("legal/calendar/<str:secret>.ics", views.calendar_feed, name="calendar_feed"),
]
