from bot.cli import main


def test_help_without_command_returns_usage_code(capsys):
    assert main([]) == 2
    assert "guichet" in capsys.readouterr().out


async def _client_address(scope, receive, send) -> None:
    # The address uvicorn hands the app: what the per-IP limits count.
    assert scope["type"] == "http"
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": scope["client"][0].encode()})


def _address_seen(settings, forwarded_for: str) -> str:
    import httpx

    from bot.gateway.cli import proxy_options
    from tests.support.servers import free_port, serve_in_thread

    with serve_in_thread(
        _client_address, free_port(), lifespan="off", **proxy_options(settings)
    ) as url:
        return httpx.get(url, headers={"X-Forwarded-For": forwarded_for}).text


def test_forwarded_addresses_are_believed_only_from_named_proxies():
    # uvicorn trusts 127.0.0.1 by default: behind a proxy on the same host, any client could
    # set X-Forwarded-For and pass the per-IP limits (an attacker's test, session 22).
    from bot.config import Settings

    assert _address_seen(Settings(), "203.0.113.7") == "127.0.0.1"
    assert _address_seen(Settings(trusted_proxies="10.0.0.2"), "203.0.113.7") == "127.0.0.1"
    # The proxy named: the client it forwards is the one counted.
    assert _address_seen(Settings(trusted_proxies="127.0.0.1"), "203.0.113.7") == "203.0.113.7"


def test_the_access_log_never_shows_rasas_token():
    # Rasa calls /nlg?token=…: at --log-level info uvicorn logged the credential. The record
    # as uvicorn's httptools/h11 protocols make it.
    import logging

    from bot.gateway.cli import NoTokens

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "POST", "/nlg?token=s3cr3t&x=1", "1.1", 200),
        None,
    )
    assert NoTokens().filter(record)
    line = record.getMessage()
    assert "s3cr3t" not in line and "/nlg?token=…&x=1" in line and " 200" in line
