"""Guichet: a multilingual SMS/Telegram assistant to book a préfecture appointment."""

__version__ = "0.1.0"
