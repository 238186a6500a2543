"""Stage 5, results: the Decision contract, offers, and rendering for people and machines."""
