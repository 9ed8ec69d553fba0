"""The configuration reference is generated from the settings, and bad values are named."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from balie.conf import env
from balie.conf.env import config, declared_settings
from balie.ops.management.commands.settings_doc import DEFAULT_PATH, render


@pytest.fixture
def scratch_declarations(monkeypatch):
    """config() calls in a test register into a copy, so the real reference stays as it is."""
    monkeypatch.setattr(env, "_DECLARED", dict(env._DECLARED))


def test_committed_configuration_reference_is_up_to_date():
    committed = DEFAULT_PATH.read_text(encoding="utf-8")
    assert committed == render(), "docs/configuration.md is stale: run `balie settings_doc`"


def test_reference_lists_every_declared_setting_with_its_help_text():
    text = render()
    for setting in declared_settings():
        assert setting.help_text, f"{setting.name} has no help text"
        assert f"| `{setting.name}` |" in text
    assert "| `BALIE_DEBUG` | `false` | Show Django debug pages. Never in production. |" in text
    assert "| `DATABASE_URL` | *(empty)* |" in text


def test_check_fails_on_a_stale_file_and_passes_after_writing(tmp_path):
    output = tmp_path / "configuration.md"
    output.write_text("# stale\n", encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("settings_doc", check=True, output=output)

    call_command("settings_doc", output=output)
    call_command("settings_doc", check=True, output=output)
    assert output.read_text(encoding="utf-8") == render()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("YES", True), (" 1 ", True), ("on", True), ("false", False), ("0", False)],
)
def test_bool_setting_reads_common_spellings(monkeypatch, scratch_declarations, raw, expected):
    monkeypatch.setenv("BALIE_TEST_FLAG", raw)
    assert config("BALIE_TEST_FLAG", False, "A test flag.") is expected


def test_bool_setting_rejects_anything_else_naming_the_variable(monkeypatch, scratch_declarations):
    monkeypatch.setenv("BALIE_TEST_FLAG", "maybe")
    with pytest.raises(ValueError, match="BALIE_TEST_FLAG must be true or false, not 'maybe'"):
        config("BALIE_TEST_FLAG", False, "A test flag.")


def test_int_setting_rejects_non_numbers_naming_the_variable(monkeypatch, scratch_declarations):
    monkeypatch.setenv("BALIE_TEST_LIMIT", "10MB")
    with pytest.raises(ValueError, match="BALIE_TEST_LIMIT must be a whole number, not '10MB'"):
        config("BALIE_TEST_LIMIT", 10, "A test limit.")


def test_int_and_list_settings_convert(monkeypatch, scratch_declarations):
    monkeypatch.setenv("BALIE_TEST_LIMIT", "25")
    monkeypatch.setenv("BALIE_TEST_HOSTS", "a.example.nl, b.example.nl,,")
    assert config("BALIE_TEST_LIMIT", 10, "A test limit.") == 25
    assert config("BALIE_TEST_HOSTS", [], "Test hosts.") == ["a.example.nl", "b.example.nl"]


def test_unset_setting_returns_its_default(monkeypatch, scratch_declarations):
    monkeypatch.delenv("BALIE_TEST_LIMIT", raising=False)
    assert config("BALIE_TEST_LIMIT", 10, "A test limit.") == 10


def test_the_import_staging_folder_is_a_setting(tmp_path):
    """BALIE_IMPORT_STAGING_DIR was documented but not read (a finding of issue 10)."""
    import os
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.IMPORT_STAGING_DIR)"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "balie.conf.settings",
        "BALIE_DATA_DIR": str(tmp_path / "data"),
    }
    default = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert default.stdout.strip() == str(tmp_path / "data" / "imports-staging")
    env["BALIE_IMPORT_STAGING_DIR"] = str(tmp_path / "elsewhere")
    chosen = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert chosen.stdout.strip() == str(tmp_path / "elsewhere")
