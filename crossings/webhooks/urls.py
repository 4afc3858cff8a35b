"""Webhooks: an organisation's subscriptions and their delivery logs (docs/webhooks.md)."""

from django.urls import path

from crossings.webhooks import views

urlpatterns = [
    path("webhooks/", views.webhook_list, name="webhook_list"),
    path("webhooks/<int:subscription_id>/", views.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:subscription_id>/active/", views.webhook_active, name="webhook_active"),
    path("webhooks/deliveries/<int:delivery_id>/resend/", views.webhook_resend, name="webhook_resend"),
]
