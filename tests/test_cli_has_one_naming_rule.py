"""`crossings <area> <verb>`: every Crossings command under one rule, the old names still working for one
release with a notice, and the README's demo commands working on a laptop checkout without CROSSINGS_MODE."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands

from crossings import cli


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crossings.cli", *args], capture_output=True, text=True, env=env, check=False
    )


def test_every_name_in_the_table_is_a_real_command():
    known = get_commands()
    for (area, verb), command in cli.COMMANDS.items():
        assert command in known, f"crossings {area} {verb} -> {command}"
    for area in cli.PASS_THROUGH_AREAS:
        assert area in known, area


def test_every_project_command_is_reachable_by_area_and_verb():
    known = get_commands()
    ours = {name for name, app in known.items() if app.startswith("crossings")}
    reachable = set(cli.COMMANDS.values()) | set(cli.PASS_THROUGH_AREAS)
    assert ours <= reachable, ours - reachable


def test_area_and_verb_run_the_command_and_old_names_say_what_replaces_them():
    assert cli.translate(["crossings", "keys", "rotate", "--dry-run"]) == (
        ["crossings", "rotate-keys", "--dry-run"],
        None,
    )
    argv, notice = cli.translate(["crossings", "outreach_set_odk_password", "--org", "1"])
    assert argv == ["crossings", "outreach_set_odk_password", "--org", "1"]
    assert notice is not None and "crossings odk set-password" in notice
    assert cli.translate(["crossings", "migrate"]) == (["crossings", "migrate"], None)
    assert cli.translate(["crossings", "user", "create"]) == (["crossings", "user", "create"], None)


def test_the_new_and_old_names_run_from_the_shell(tmp_path):
    env = dict(os.environ, CROSSINGS_MODE="test", DATABASE_URL=f"sqlite:///{tmp_path}/cli.sqlite3")
    new = run("keys", "generate", env=env)
    assert new.returncode == 0 and len(new.stdout.strip()) == 44 and new.stderr == ""
    old = run("generate-field-key", env=env)
    assert old.returncode == 0 and "crossings keys generate" in old.stderr
    listing = run("commands", env=env)
    assert "crossings odk set-password" in listing.stdout


@pytest.mark.parametrize(
    ("configured", "expected"),
    [({}, True), ({"CROSSINGS_SECRET_KEY": "x"}, False), ({"CROSSINGS_MODE": "production"}, False)],
)
def test_a_laptop_checkout_with_demo_secrets_is_found_without_crossings_mode(
    tmp_path, monkeypatch, configured, expected
):
    for name in ("CROSSINGS_MODE", "CROSSINGS_SECRET_KEY", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CROSSINGS_VAR_DIR", str(tmp_path))
    for name, value in configured.items():
        monkeypatch.setenv(name, value)
    assert cli.laptop_demo_mode() is False  # no demo secrets yet: production stays the default
    Path(tmp_path, "demo-secrets.json").write_text("{}")
    assert cli.laptop_demo_mode() is expected
