"""The README keeps up with the code: every setting, format and CLI command is documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from cajkg.graph import formats
from cajkg.server.cli import main
from cajkg.server.config import SETTINGS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=[s.name for s in SETTINGS])
def test_every_setting_is_in_the_readme_table(setting):
    assert f"| `{setting.name}` |" in README


@pytest.mark.parametrize("fmt", formats.ALL_FORMATS, ids=[f.name for f in formats.ALL_FORMATS])
def test_every_format_is_documented(fmt):
    assert fmt.label in README


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_documented(command):
    assert f"cajkg {command}" in README
