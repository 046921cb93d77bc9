"""What tests (and benchmarks) share besides fixtures, by purpose: servers (free ports, an app
in a thread), providers (fake Twilio and Telegram), channels (test credentials, a signing
phone), world (small booking worlds), stack (the real stack with Rasa), skips."""
