"""The `crossings` console command: the project's manage.py, installed on PATH, with one naming rule.

Every Crossings command is ``crossings <area> <verb>`` (``crossings keys rotate``, ``crossings odk
set-password``); Django's own commands (``migrate``, ``check``, ``collectstatic``, ``db_worker``, ``shell``)
keep their names. The table below maps each name to the management command that does the work, so tests and
code call the command by its Django name while people type the area and verb. The names used before this
rule still work for one release and say what replaces them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# (area, verb) -> the management command that does it. Areas whose command already takes a verb
# (org, user, token, stats, arrivals) pass straight through and are not listed.
COMMANDS: dict[tuple[str, str], str] = {
    ("keys", "generate"): "generate-field-key",
    ("keys", "rotate"): "rotate-keys",
    ("keys", "encrypt-files"): "encrypt-files",
    ("db", "backup"): "backup",
    ("db", "restore"): "restore",
    ("demo", "load"): "demo",
    ("demo", "totp-code"): "totp-code",
    ("legal", "deadlines"): "deadlines",
    ("legal", "send-digests"): "send-digests",
    ("accompaniment", "remind"): "accompaniment-reminders",
    ("reminders", "send-due"): "reminders-send-due",
    ("odk", "set-password"): "outreach_set_odk_password",
    ("odk", "build-forms"): "outreach_build_forms",
    ("odk", "upload-form"): "outreach_upload_form",
    ("odk", "decrypt"): "outreach_decrypt",
    ("outreach", "stock-check"): "outreach_stock_check",
}
PASS_THROUGH_AREAS = ("org", "user", "token", "stats", "arrivals", "people")
# the old names, deprecated: still run, with a notice naming the new one (remove in the next release)
RENAMED: dict[str, str] = {command: f"{area} {verb}" for (area, verb), command in COMMANDS.items()}
RENAMED["demo"] = "demo load"


def translate(argv: list[str]) -> tuple[list[str], str | None]:
    """The Django command line for ``argv`` and, for an old name, the notice to print."""
    if len(argv) < 2:
        return argv, None
    area = argv[1]
    if len(argv) >= 3 and (area, argv[2]) in COMMANDS:
        return [argv[0], COMMANDS[(area, argv[2])], *argv[3:]], None
    if area == "demo" and len(argv) == 2:
        return argv, None  # `make demo` and the README's first command: the demo loads without a verb
    if area in RENAMED and area not in PASS_THROUGH_AREAS:
        return (
            argv,
            f"`crossings {area}` is now `crossings {RENAMED[area]}`; the old name goes in the next release.",
        )
    return argv, None


def usage() -> str:
    lines = ["Crossings commands (crossings <area> <verb> --help for each):"]
    lines += [f"  crossings {area} {verb}" for area, verb in COMMANDS]
    lines += [f"  crossings {area} …" for area in PASS_THROUGH_AREAS]
    lines.append(
        "Django's own: crossings migrate | check --deploy | collectstatic | db_worker | shell | help"
    )
    return "\n".join(lines)


def laptop_demo_mode() -> bool:
    """A checkout where `make demo` ran (var/demo-secrets.json) and nothing is configured for production:
    the commands the README shows work there without CROSSINGS_MODE=demo. A server that sets any secret or
    database keeps the production default."""
    if any(os.environ.get(name) for name in ("CROSSINGS_MODE", "CROSSINGS_SECRET_KEY", "DATABASE_URL")):
        return False
    var_dir = Path(os.environ.get("CROSSINGS_VAR_DIR", Path(__file__).resolve().parent.parent / "var"))
    return (var_dir / "demo-secrets.json").exists()


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossings.settings")
    if laptop_demo_mode():
        os.environ["CROSSINGS_MODE"] = "demo"
    argv, notice = translate(list(sys.argv))
    if notice:
        print(notice, file=sys.stderr)
    if len(argv) >= 2 and argv[1] == "commands":
        print(usage())
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
