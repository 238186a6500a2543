"""Vocabulary every stage speaks: errors, money and rates, how values look."""
