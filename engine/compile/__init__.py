"""Stage 3, compile: documents -> the product IR (checks, tables, caps, pricing), statically checked."""
