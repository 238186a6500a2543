"""Switches read from the environment (PF_DEBUG, PF_NO_CACHE), parsed strictly.

`PF_DEBUG=0` means off. A value that is neither on nor off is an error naming the variable, never a guess:
a typo must not turn on tracebacks or turn off the cache without a word.
"""
from __future__ import annotations

import os
from collections.abc import Mapping

from engine.core.errors import UsageError

ON = frozenset({"1", "true", "yes", "on"})
OFF = frozenset({"", "0", "false", "no", "off"})


def env_flag(name: str, environ: Mapping[str, str] | None = None) -> bool:
    """True for 1/true/yes/on, False for unset, empty or 0/false/no/off (any case, spaces ignored)."""
    raw = (os.environ if environ is None else environ).get(name, "")
    value = raw.strip().lower()
    if value in ON:
        return True
    if value in OFF:
        return False
    raise UsageError(f"environment variable {name}={raw!r}: expected 1 or 0 (or true/false, yes/no, on/off)")
