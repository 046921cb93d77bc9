"""The booking engine: the single writer of slots, bookings, waitlist offers and the proof journal."""
