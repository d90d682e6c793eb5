"""Activities: thin adapters between the lead workflow and the outside world (DESIGN §6)."""
