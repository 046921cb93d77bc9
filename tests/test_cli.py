from bot.cli import main


def test_help_without_command_returns_usage_code(capsys):
    assert main([]) == 2
    assert "guichet" in capsys.readouterr().out


def test_forwarded_addresses_are_believed_only_from_named_proxies():
    # uvicorn trusts 127.0.0.1 by default: behind a proxy on the same host, any client could
    # set X-Forwarded-For and pass the per-IP limits (an attacker's test, session 22).
    from bot.config import Settings
    from bot.gateway.cli import proxy_options

    assert proxy_options(Settings()) == {"proxy_headers": False}
    behind = proxy_options(Settings(trusted_proxies="10.0.0.2"))
    assert behind == {"proxy_headers": True, "forwarded_allow_ips": "10.0.0.2"}
