"""Documents drawn from a decision: the filters a Chinese loan document needs (money, rates, dates, terms)."""
