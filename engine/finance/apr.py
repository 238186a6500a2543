"""Annual percentage rate (年化利率, APR) of a loan's cash flows.

APR (``annual_percentage_rate``): the nominal annual rate ``12 × i`` where ``i``
is the monthly internal rate of return of the cash flows "receive
``principal_received`` at month 0, pay ``payments[k-1]`` at month k". It is
solved in Decimal (50 digits) by Newton's method to better than 1e-20 on the
monthly rate and returned rounded half up to 0.0001 percent, i.e. a fraction
with six decimals such as ``Decimal("0.049000")``; ``apr_basis_points`` rounds the
unrounded rate once, half up, to whole basis points (rounding 491.4993 bp first to
491.50 and then to 492 would be rounding twice).
"""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, localcontext

from engine.core.money import round_half_up
from engine.finance.exact import MIN_PRECISION, as_decimal, work_context

_TWELVE = Decimal(12)


def annual_percentage_rate(principal_received: Decimal, payments: Sequence[Decimal]) -> Decimal:
    """Nominal APR as a fraction rounded half up to 0.0001 % (see ``nominal_rate``)."""
    return round_half_up(nominal_rate(principal_received, payments), 6)


def apr_basis_points(principal_received: Decimal, payments: Sequence[Decimal]) -> int:
    """Nominal APR in whole basis points, rounded once, half up, from the unrounded rate."""
    return int(round_half_up(nominal_rate(principal_received, payments) * 10000))


def nominal_rate(principal_received: Decimal, payments: Sequence[Decimal]) -> Decimal:
    """Nominal APR (12 × monthly IRR) of receiving ``principal_received`` now and paying
    ``payments[k-1]`` at the end of month k, as an unrounded fraction (about 20 digits).

    Solves Σ payments_k · v^k = principal_received for the discount factor v = 1/(1+i)
    by Newton's method in Decimal. The left side is increasing and convex in v, so the
    iteration converges from any start (at most one step lands right of the root, then
    it decreases monotonically); it stops when a step changes v by less than 1e-20.
    """
    received = as_decimal(principal_received, "principal_received")
    if received <= 0:
        raise ValueError(f"principal_received must be greater than 0, got {received}")
    flows = [as_decimal(pmt, f"payments[{i}]") for i, pmt in enumerate(payments)]
    if not flows:
        raise ValueError("payments must not be empty")
    if any(pmt < 0 for pmt in flows):
        raise ValueError("payments must not be negative")
    if not any(pmt > 0 for pmt in flows):
        raise ValueError("at least one payment must be positive")

    tolerance = Decimal("1e-20")
    with localcontext(work_context(MIN_PRECISION)):
        reversed_flows = flows[::-1]
        v = Decimal(1)
        for _ in range(200):
            value = Decimal(0)  # Σ p_k v^k
            slope = Decimal(0)  # d/dv Σ p_k v^k
            for pmt in reversed_flows:
                slope = slope * v + value + pmt
                value = (value + pmt) * v
            step = (value - received) / slope
            v -= step
            if abs(step) < tolerance:
                break
        else:  # pragma: no cover - the convexity argument guarantees convergence
            raise ArithmeticError("APR iteration did not converge")
        monthly = 1 / v - 1
        return +(monthly * _TWELVE)
