"""The fairness simulation (`guichet simulate release`): a préfecture releasing places to humans
and resale bots, first-come-first-served search-and-book against our push waitlist, with the
booking engine's own code deciding every outcome."""
