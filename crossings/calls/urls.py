"""The call line: the rapid-response hotline's intake."""

from django.urls import path

from crossings.calls import views

urlpatterns = [
    path("calls/", views.call_list, name="call_list"),
    path("calls/new/", views.call_new, name="call_new"),
    path("calls/<int:call_id>/", views.call_detail, name="call_detail"),
    path("calls/<int:call_id>/link/", views.call_link, name="call_link"),
    path("calls/<int:call_id>/rapid-response/", views.call_rapid_response, name="call_rapid_response"),
]
