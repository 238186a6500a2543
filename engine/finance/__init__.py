"""Loan arithmetic: repayment schedules and the cash-flow (affordability) method."""
