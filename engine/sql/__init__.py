"""SQL backend (unfinished, not wired into any command yet): expressions of the product IR as sqlglot trees."""
