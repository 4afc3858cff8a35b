"""Mail for the laptop demo: a private outbox of files, never the server's log.

Rapid-response alerts name a detained person and a facility; Django's console backend would print them on
gunicorn's standard output, where logs are collected and kept. The demo writes each batch of mail to a
file in ``var/outbox`` instead: the directory is made 0700 and each file 0600, so only the account that
runs the demo can read them."""

from __future__ import annotations

import os
from typing import Any

from django.core.mail.backends.filebased import EmailBackend


class PrivateOutboxBackend(EmailBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        os.chmod(self.file_path, 0o700)

    def open(self) -> bool:
        if self.stream is not None:
            return False
        path = self._get_filename()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.chmod(path, 0o600)  # an existing file keeps its mode otherwise
        self.stream = os.fdopen(fd, "ab")
        return True
