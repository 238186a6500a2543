"""Credit lines that live: grant, repay, freeze, exposure and risk compensation pools, on the store's database.

Every change is an append-only event; the line and pool tables are its projection (see projection.py)."""
