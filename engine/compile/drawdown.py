"""The names a declared draw rule may read besides the data dictionary's fields.

Here, in the compile stage, so `pf validate` type-checks drawdown rules with located errors like
every other expression; engine.drawdown compiles the same rules for decide_draw.
"""

from __future__ import annotations

from engine.expressions.types import FIELD_TYPES

_N, _S, _B, _D = FIELD_TYPES["number"], FIELD_TYPES["string"], FIELD_TYPES["boolean"], FIELD_TYPES["date"]
DRAW_NAMES = {
    "line.limit": _N, "line.outstanding": _N, "line.available": _N, "line.drawn_total": _N, "line.draws_count": _N,
    "line.rate_bp": _N, "line.state": _S, "line.revolving": _B, "line.valid_from": _D, "line.valid_to": _D,
    "line.maturity": _D, "draw.amount": _N, "draw.term_months": _N, "draw.on": _D, "draw.payee": _S,
    "pool.capacity": _N, "pool.used": _N, "pool.suspended": _B,
    "exposure.customer_total": _N, "exposure.enterprise_total": _N,
}
