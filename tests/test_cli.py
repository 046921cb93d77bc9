from bot.cli import main


def test_help_without_command_returns_usage_code(capsys):
    assert main([]) == 2
    assert "guichet" in capsys.readouterr().out
