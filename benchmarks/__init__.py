"""Benchmarks (`make bench`, `guichet bench NAME`): commands that print costs, run from a checkout.

They sit above everything: they may import bot, actions and tests.support; nothing imports them
except `guichet bench`, lazily. Not packaged (pyproject's packages.find): like tests/, they are
the developers' tools and need the checkout (tests/dates/table.py, tests/support).
"""
