"""Production settings pass Django's deployment checks, and refuse to start without their secrets."""

import os
import subprocess
import sys

from cryptography.fernet import Fernet


def crossings(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # A clean environment: nothing from the test run (modes, databases, the browser tests' async switch).
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CROSSINGS_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "crossings.cli", *args], capture_output=True, text=True, env=clean, check=False
    )


def production_env(tmp_path) -> dict[str, str]:
    return {
        "CROSSINGS_MODE": "production",
        "CROSSINGS_SECRET_KEY": Fernet.generate_key().decode() + Fernet.generate_key().decode(),
        "CROSSINGS_FIELD_KEYS": Fernet.generate_key().decode(),
        "CROSSINGS_ALLOWED_HOSTS": "crossings.example.org",
        "CROSSINGS_BASE_URL": "https://crossings.example.org",
        "CROSSINGS_VAR_DIR": str(tmp_path),
    }


def test_check_deploy_has_no_warnings_in_production(tmp_path):
    result = crossings("check", "--deploy", "--fail-level", "WARNING", **production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_wildcard_allowed_host_fails_the_deploy_check(tmp_path):
    for hosts in ("*", "crossings.example.org,*"):
        env = production_env(tmp_path) | {"CROSSINGS_ALLOWED_HOSTS": hosts}
        result = crossings("check", "--deploy", **env)
        assert result.returncode != 0
        assert "crossings.E010" in result.stderr + result.stdout


def test_local_webhook_targets_in_production_warn(tmp_path):
    env = production_env(tmp_path) | {"CROSSINGS_WEBHOOKS_LOCAL_TARGETS": "true"}
    result = crossings("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "crossings.W020" in result.stderr + result.stdout


def test_production_hashes_passwords_with_argon2(tmp_path):
    result = crossings(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])",
        **production_env(tmp_path),
    )
    assert result.stdout.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher", result.stderr


def test_missing_secrets_stop_production_start_up_with_a_clear_message(tmp_path):
    env = production_env(tmp_path)
    del env["CROSSINGS_FIELD_KEYS"]
    result = crossings("check", **env)
    assert result.returncode != 0
    assert "Production mode needs CROSSINGS_FIELD_KEYS" in result.stderr


def test_production_is_the_default_mode(tmp_path):
    result = crossings("check", CROSSINGS_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "CROSSINGS_SECRET_KEY" in result.stderr


def test_a_malformed_field_key_is_a_clear_error(tmp_path):
    env = production_env(tmp_path) | {
        "CROSSINGS_FIELD_KEYS": "not-a-key",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db",
    }
    crossings("migrate", "-v0", **env)
    result = crossings(
        "shell", "--no-imports", "-c", "from crossings.crypto import encrypt; encrypt('x')", **env
    )
    assert result.returncode != 0
    assert "CROSSINGS_FIELD_KEYS must hold Fernet keys" in result.stderr


def test_the_demo_never_uses_production_secrets(tmp_path):
    result = crossings(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        CROSSINGS_MODE="demo",
        CROSSINGS_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    secrets_file = tmp_path / "demo-secrets.json"
    assert secrets_file.exists() and oct(secrets_file.stat().st_mode)[-3:] == "600"
    again = crossings(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        CROSSINGS_MODE="demo",
        CROSSINGS_VAR_DIR=str(tmp_path),
    )
    assert again.stdout == result.stdout  # reused, so demo data stays readable across runs
