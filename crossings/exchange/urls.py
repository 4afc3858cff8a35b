"""Referrals proposed by other systems, for review (the API is in exchange/api.py)."""

from django.urls import path

from crossings.exchange import views

urlpatterns = [
    path("exchange/inbound/", views.inbound_list, name="inbound_list"),
    path("exchange/inbound/<int:inbound_id>/", views.inbound_detail, name="inbound_detail"),
    path("exchange/inbound/<int:inbound_id>/match/", views.inbound_match, name="inbound_match"),
    path("exchange/inbound/<int:inbound_id>/accept/", views.inbound_accept, name="inbound_accept"),
    path("exchange/inbound/<int:inbound_id>/decline/", views.inbound_decline, name="inbound_decline"),
]
