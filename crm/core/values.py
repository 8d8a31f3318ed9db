"""Comparing and reading settings values the same way in every feature."""

import os
from decimal import Decimal


def same_value(old, new) -> bool:
    """Equal for an editor: '' and None are both empty, 12 and 12.00 are one amount.

    Used to decide what an edit changed, so unchanged fields are neither written nor audited.
    """
    old = None if old == "" else old
    new = None if new == "" else new
    if isinstance(old, Decimal) and new is not None:
        try:
            return old == Decimal(str(new))
        except ArithmeticError:
            return False
    return old == new


def from_env(name: str, default):
    """CRM_<NAME> in the environment overrides a default of the same type (a config attribute overrides both)."""
    raw = os.environ.get(f"CRM_{name}")
    if raw is None:
        return default
    if isinstance(default, bool):
        return raw.strip().lower() not in ("0", "false", "no", "off", "")
    if isinstance(default, int):
        return int(raw)
    return raw
