"""Accompaniment: volunteers' page and staff's page."""

from django.urls import path

from crossings.accompaniment import views

urlpatterns = [
    path("accompaniment/", views.accompaniment_list, name="accompaniment_list"),
    path("accompaniment/<int:accompaniment_id>/sign-up/", views.sign_up, name="accompaniment_sign_up"),
    path("accompaniment/<int:accompaniment_id>/withdraw/", views.withdraw, name="accompaniment_withdraw"),
    path("accompaniment/staff/", views.staff, name="accompaniment_staff"),
    path("accompaniment/staff/open/", views.open_event, name="accompaniment_open"),
    path("accompaniment/staff/<int:accompaniment_id>/", views.detail, name="accompaniment_detail"),
    path("accompaniment/staff/<int:accompaniment_id>/close/", views.close, name="accompaniment_close"),
]
