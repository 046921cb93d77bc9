"""Messages the assistant sends first: 48-hour reminders, waitlist offers, deadline alerts and
proofs on request, through a persisted outbox (`scheduled_message`) that a restart neither
loses nor repeats."""
