"""Dependencies point down: the contracts of `.importlinter` (layers, a pure core, thin actions,
no import cycle between sibling modules, function-level imports included)."""

from __future__ import annotations

import subprocess
import sys

from bot.config import PROJECT_ROOT

_LINT = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def test_the_import_contracts_hold():
    # In a process of its own: import-linter sets up logging and rich output, which would
    # change how the tests that run after it capture logs.
    done = subprocess.run(
        [sys.executable, "-c", _LINT, "--config", ".importlinter", "--no-cache"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 4 kept, 0 broken." in done.stdout, done.stdout
