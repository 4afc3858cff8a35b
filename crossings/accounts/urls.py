"""Accounts pages: the home page, logging in and out, the second factor, API tokens, restoring a kept
draft and choosing the language."""

from django.urls import path

from crossings.accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("logout/everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("account/2fa/", views.two_factor, name="two_factor"),
    path("account/2fa/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("account/tokens/", views.api_tokens, name="api_tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("drafts/<str:draft_id>/", views.draft_restore, name="draft_restore"),
    path("i18n/setlang/", views.set_language, name="set_language"),
]
