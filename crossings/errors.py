"""The two ways a service says no, mapped once for the API (crossings/api.py) and once for pages
(crossings/formtools.py), with the same translated text.

- ``Refused``: the input cannot be accepted as it is (a date before the event it follows, a blank purpose).
  The API answers 422; a page shows the message beside the field it names.
- ``Conflict``: the input is fine but the record's state forbids it now (already accepted, saved by someone
  else since, no consent covers it). The API answers 409; a page shows the message.

Both are Django ``ValidationError``\\ s, so model validation, forms and every ``except ValidationError``
keep working, and a service raises them without knowing which door called it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class Refused(ValidationError):
    status = 422

    def __init__(self, message: Any, *, field: str = "", code: str | None = None):
        if field:
            super().__init__({field: [ValidationError(message, code=code)]})
        else:
            super().__init__(message, code=code)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        # the message as the user reads it, not Django's dict repr ({'field': [...]})
        return str(self.message)

    @property
    def field_errors(self) -> list[tuple[str, str]]:
        """(field, message) pairs; "" for the record as a whole."""
        return [
            ("" if f == NON_FIELD_ERRORS else f, str(m)) for f, ms in self.message_dict.items() for m in ms
        ]

    @property
    def message_dict(self) -> dict[str, list[str]]:
        if hasattr(self, "error_dict"):
            return super().message_dict
        return {NON_FIELD_ERRORS: [str(self.message)]}


class Conflict(Refused):
    status = 409
