"""Dependencies point down: the contracts of `.importlinter` (layers, a pure core, thin actions,
no import cycle between sibling modules, function-level imports included)."""

from __future__ import annotations

from bot.config import PROJECT_ROOT


def test_the_import_contracts_hold(capsys):
    from importlinter.cli import lint_imports

    exit_code = lint_imports(config_filename=str(PROJECT_ROOT / ".importlinter"), no_cache=True)
    report = capsys.readouterr().out
    assert exit_code == 0, report
