from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crossings import uploads
from crossings.accounts.keep import submission_field
from crossings.accounts.models import User
from crossings.cases.models import Case, Task
from crossings.formtools import choice_field
from crossings.people.forms import DateInput
from crossings.uploads import validate_upload


class CaseForm(forms.Form):
    programme = forms.ChoiceField(label=_("Programme"), choices=Case.Programme.choices)
    submission = submission_field()


class CloseCaseForm(forms.Form):
    closure_reason = forms.ChoiceField(label=_("Reason for closing"), choices=Case.ClosureReason.choices)


class TaskForm(forms.ModelForm):
    submission = submission_field()

    class Meta:
        model = Task
        fields = ["title", "due_on", "assignee"]
        widgets = {"due_on": DateInput()}

    def __init__(self, *args: Any, organisation_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = User.objects.filter(memberships__organisation_id=organisation_id or 0, is_active=True)
        choice_field(self, "assignee").queryset = members.distinct()


class ResolveTaskForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("done", _("done")), ("not_applicable", _("not applicable"))])
    note = forms.CharField(label=_("Why"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == "not_applicable" and not data.get("note"):
            self.add_error("note", _("Say why the task does not apply."))
        return data


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))
    submission = submission_field()


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG, up to 10 MB)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        self.content_type, self.sha256 = validate_upload(upload, limits=uploads.DOCUMENT)
        return upload
