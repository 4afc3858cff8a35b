"""People, journeys, consent and referrals (accepting one lives with cases)."""

from django.urls import path

from crossings.people import views

urlpatterns = [
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_new, name="person_new"),
    path("people/check-duplicates/", views.person_check_duplicates, name="person_check_duplicates"),
    path("people/<int:person_id>/", views.person_detail, name="person_detail"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:person_id>/events/", views.person_add_event, name="person_add_event"),
    path("people/<int:person_id>/consents/", views.person_add_consent, name="person_add_consent"),
    path("people/<int:person_id>/refer/", views.person_refer, name="person_refer"),
    path("people/<int:person_id>/aliases/", views.person_add_alias, name="person_add_alias"),
    path("people/<int:person_id>/family/", views.person_add_family, name="person_add_family"),
    path("people/<int:person_id>/photo/", views.person_photo, name="person_photo"),
    path("people/<int:person_id>/merge/", views.person_merge, name="person_merge"),
    path("consents/<int:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("referrals/", views.referral_inbox, name="referral_inbox"),
    path("referrals/<int:referral_id>/decline/", views.referral_decline, name="referral_decline"),
    path("referrals/<int:referral_id>/cancel/", views.referral_cancel, name="referral_cancel"),
]
