"""The gateway: one ASGI app for the channel webhooks, the NLG endpoint and the booking API."""
