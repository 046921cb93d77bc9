"""What one simulated policy gives: who took the places, who was served in time."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PolicyResult:
    policy: str
    places_taken: int
    bot_places: int
    bot_population_share: float
    humans_due: int  # humans whose rights ran out during the simulated weeks
    humans_served_in_time: int
    median_wait_days: float | None
    no_shows: int
    places_unused: int
    bot_requests: int = 0  # waitlist entries made by bots (one per resale cycle and identity)
    requests: int = 0
    bot_identities: int = 0
    bot_identities_served: int = 0  # identities that held at least one appointment
    bot_refusals: int = 0  # bookings and requests the engine refused to a bot's identity
    # The humans present from the start: to compare with the bot identities there from day 0.
    humans_at_start: int = 0
    humans_at_start_served: int = 0
    # Per person, whatever their kind: the share of humans who held a place, next to the share
    # of bot identities that did.
    humans: int = 0
    humans_served: int = 0

    @property
    def bot_request_share(self) -> float | None:
        return self.bot_requests / self.requests if self.requests else None

    @property
    def bot_share(self) -> float:
        return self.bot_places / self.places_taken if self.places_taken else 0.0

    @property
    def served_in_time_share(self) -> float:
        return self.humans_served_in_time / self.humans_due if self.humans_due else 0.0
