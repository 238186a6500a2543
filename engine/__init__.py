"""Product Factory: a YAML-declared rules engine for small-business loan products."""
