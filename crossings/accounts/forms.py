from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_otp import match_token

if TYPE_CHECKING:
    from crossings.accounts.models import User


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args: Any, user: User, device: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = device
        self.verified_device: Any = None

    def clean_otp_token(self) -> str:
        token: str = self.cleaned_data["otp_token"].replace(" ", "")
        if self.device is not None:
            matched = self.device if self.device.verify_token(token) else None
        else:
            matched = match_token(self.user, token)
        if matched is None:
            raise forms.ValidationError(_("That code is not right or has expired. Try the newest code."))
        self.verified_device = matched
        return token


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("What is this token for?"), max_length=100, required=False)


class EnrolmentCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Set-up code from your administrator"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True, "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_code(self) -> str:
        from crossings.accounts.models import EnrolmentCode

        raw: str = self.cleaned_data["code"]
        if not EnrolmentCode.redeem(user=self.user, raw=raw):
            raise forms.ValidationError(
                _("That set-up code is not right, has been used or has expired. Ask your administrator.")
            )
        return raw
