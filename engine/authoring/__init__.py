"""Tools for product authors: validation, static analysis, YAML test cases, schemas and reference."""
