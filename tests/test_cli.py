"""The plantops command explains itself."""

from __future__ import annotations

import subprocess
import sys


def test_help_lists_every_command() -> None:
    out = subprocess.run([sys.executable, "-m", "core.cli", "--help"], capture_output=True,
                         text=True, check=True).stdout
    for command in ("serve", "worker", "migrate", "demo", "plan"):
        assert command in out
    demo = subprocess.run([sys.executable, "-m", "core.cli", "demo", "--help"],
                          capture_output=True, text=True, check=True).stdout
    assert "demo tenant" in demo


def test_unknown_command_fails() -> None:
    result = subprocess.run([sys.executable, "-m", "core.cli", "fly"], capture_output=True, text=True)
    assert result.returncode == 2 and "invalid choice" in result.stderr
