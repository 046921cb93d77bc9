"""The channels: SMS through Twilio, Telegram, and the terminal chat, in front of Rasa.

Pure parts (gsm7, shaping, messages, turn; the reply words are bot.words) import no web framework and no database;
the webhooks, the stores and the senders are built on top of them.
"""
