"""Bonds: one per detention, and the organisation's ledger."""

from django.urls import path

from crossings.bonds import views

urlpatterns = [
    path("bonds/", views.bond_ledger, name="bond_ledger"),
    path("bonds/new/", views.bond_new, name="bond_new"),
    path("bonds/<int:bond_id>/", views.bond_detail, name="bond_detail"),
    path("bonds/<int:bond_id>/contributions/", views.bond_contribution, name="bond_contribution"),
    path("bonds/<int:bond_id>/status/", views.bond_status, name="bond_status"),
    path("bonds/<int:bond_id>/receipt/", views.bond_receipt, name="bond_receipt"),
    path("bonds/<int:bond_id>/receipt/file/", views.bond_receipt_file, name="bond_receipt_file"),
]
