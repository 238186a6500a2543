"""Stage 2, resolve: variants applied to their parents, with provenance."""
